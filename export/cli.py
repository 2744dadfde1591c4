"""`lstm-export`: checkpoint → one self-contained, verified ONNX file."""

from __future__ import annotations

from pathlib import Path

import click

from lstm_edge.runtime.console import FiniteFloatRange, one_line_errors, run_command, version_option
from lstm_edge.runtime.contract import (
    ALLOWED_OPSETS,
    DEFAULT_OPSET,
    INT8_SUFFIX,
    MAX_BEAMS,
    MAX_NGRAM,
    MAX_PENALTY,
    MIN_INT8_AGREEMENT,
    ONNX_DOMAIN,
)

_OPSETS = ALLOWED_OPSETS[ONNX_DOMAIN]


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@version_option
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Where to write the model.  [default: SOURCE's run directory/model.onnx]",
)
@click.option(
    "--quantize",
    type=click.Choice(["int8"]),
    help=f"Also write an int8 twin (NAME{INT8_SUFFIX}) after checking its agreement with float32.",
)
@click.option(
    "--opset",
    type=click.IntRange(_OPSETS.start, _OPSETS.stop - 1),
    default=DEFAULT_OPSET,
    show_default=True,
    help="ONNX opset.",
)
@click.option("--force", is_flag=True, help="Write the int8 twin even below --min-agreement.")
@click.option(
    "--min-agreement",
    type=FiniteFloatRange(0, 1),
    default=MIN_INT8_AGREEMENT,
    show_default=True,
    help="Least share of held-out steps where int8 must pick float32's next word.",
)
@click.option(
    "--data",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The training CSV, if it moved since training (held-out text for --quantize).",
)
@click.option(
    "--repetition-penalty",
    type=FiniteFloatRange(1, MAX_PENALTY),
    help="The model's default repetition penalty for lstm-gen (1 = off).  [default: measured]",
)
@click.option(
    "--no-repeat-ngram",
    type=click.IntRange(0, MAX_NGRAM),
    help="The model's default no-repeat n-gram size for lstm-gen (0 = off).  [default: measured]",
)
@click.option(
    "--beams", type=click.IntRange(1, MAX_BEAMS), help="The model's default beam count for lstm-gen.  [default: 1]"
)
@one_line_errors
def main(
    source: Path,
    output: Path | None,
    quantize: str | None,
    opset: int,
    force: bool,
    min_agreement: float,
    data: Path | None,
    repetition_penalty: float | None,
    no_repeat_ngram: int | None,
    beams: int | None,
) -> None:
    """Export a trained checkpoint (a run directory or a .pt file) to ONNX, verified against PyTorch.

    The file also carries the decoding lstm-gen uses by default. Unless a decoding option is given,
    it is measured: plain greedy and repetition rules continue held-out prompts, and the likeliest
    text that neither loops nor runs on wins (plain greedy when it does neither).

    \b
    Examples:
      lstm-export runs/latest                       # runs/latest/model.onnx
      lstm-export runs/latest/best.pt -o fashion.onnx --quantize int8
      lstm-export runs/reviews --no-repeat-ngram 4   # set the default instead of measuring it
    """
    import torch

    from lstm_edge.runtime.decoding import PLAIN

    from .exporter import export_model

    options = (repetition_penalty, no_repeat_ngram, beams)
    decoding = None if options == (None, None, None) else PLAIN.replace(*options)

    torch.set_num_threads(1)  # the checks run a small network on small inputs: more threads only wait
    export_model(
        source,
        output,
        opset=opset,
        quantize=quantize == "int8",
        force=force,
        data=data,
        min_agreement=min_agreement,
        log=click.echo,
        decoding=decoding,
    )


def run() -> None:
    run_command(main, "lstm-export")

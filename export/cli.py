"""`lstm-export`: checkpoint → one self-contained, verified ONNX file."""

from __future__ import annotations

from pathlib import Path

import click

from lstm_edge.runtime.console import FiniteFloatRange, one_line_errors, run_command, version_option
from lstm_edge.runtime.contract import ALLOWED_OPSETS, DEFAULT_OPSET, INT8_SUFFIX, MIN_INT8_AGREEMENT, ONNX_DOMAIN

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
@one_line_errors
def main(
    source: Path,
    output: Path | None,
    quantize: str | None,
    opset: int,
    force: bool,
    min_agreement: float,
    data: Path | None,
) -> None:
    """Export a trained checkpoint (a run directory or a .pt file) to ONNX, verified against PyTorch.

    \b
    Examples:
      lstm-export runs/latest                       # runs/latest/model.onnx
      lstm-export runs/latest/best.pt -o fashion.onnx --quantize int8
    """
    import torch

    from .exporter import export_model

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
    )


def run() -> None:
    run_command(main, "lstm-export")

"""`lstm-export`: checkpoint → one self-contained, verified ONNX file."""

from __future__ import annotations

from pathlib import Path

import click

from lstm_edge.runtime.errors import LstmEdgeError


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
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
    help="Also write an int8 twin (NAME.int8.onnx) after checking its agreement with float32.",
)
@click.option("--opset", type=click.IntRange(14, 20), default=17, show_default=True, help="ONNX opset.")
@click.option("--force", is_flag=True, help="Write the int8 twin even below --min-agreement.")
@click.option(
    "--min-agreement",
    type=click.FloatRange(0, 1),
    default=0.9,
    show_default=True,
    help="Least share of held-out steps where int8 must pick float32's next word.",
)
@click.option(
    "--data",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The training CSV, if it moved since training (held-out text for --quantize).",
)
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

    try:
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
    except LstmEdgeError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"cannot write {error.filename or output}: {error.strerror}") from None

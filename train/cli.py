"""`lstm-train`: train the LSTM language model on a CSV of descriptions."""

from __future__ import annotations

import os
import signal
from dataclasses import fields
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from lstm_edge.runtime.console import EXIT_INTERRUPTED, FiniteFloatRange, one_line_errors, run_command, version_option

from .config import LSTMConfig, TrainConfig

_TRAIN = TrainConfig()  # the CLI's defaults are the configs' defaults
_MODEL = LSTMConfig()


def _hidden_sizes(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in value.split(","))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a comma-separated list of sizes, like 128,64") from None
    if not sizes or min(sizes) < 1 or max(sizes) > 4096:
        raise click.BadParameter(f"{value!r}: each size must be between 1 and 4096")
    return sizes


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@version_option
@click.option(
    "--data",
    "data",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV file of descriptions (gzip, bzip2, xz or zip by content; a pipe works). Default: the built-in corpus.",
)
@click.option("--column", default=_TRAIN.column, show_default=True, help="CSV column that holds the text.")
@click.option(
    "-o",
    "--out",
    default=_TRAIN.out,
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Run directory for checkpoints, history.json and curves.png.",
)
@click.option("--resume", is_flag=True, help="Continue the run in --out from its last checkpoint.")
@click.option("--overwrite", is_flag=True, help="Start afresh even if --out already holds a run.")
@click.option(
    "--accept-changes",
    is_flag=True,
    help="With --resume: continue with changed safe options (--epochs, --patience, --device, --threads).",
)
@click.option(
    "-e",
    "--epochs",
    type=click.IntRange(1, 10_000),
    default=_TRAIN.epochs,
    show_default=True,
    help="Most epochs to train.",
)
@click.option(
    "-b",
    "--batch-size",
    type=click.IntRange(1, 65_536),
    default=_TRAIN.batch_size,
    show_default=True,
    help="Descriptions per batch (each holds all of its n-gram prefixes).",
)
@click.option(
    "--lr",
    "learning_rate",
    type=FiniteFloatRange(0, 10, min_open=True),
    default=_TRAIN.learning_rate,
    show_default=True,
    help="Adam learning rate.",
)
@click.option(
    "--patience",
    type=click.IntRange(1, 10_000),
    default=_TRAIN.patience,
    show_default=True,
    help="Stop after this many epochs without a better validation loss.",
)
@click.option(
    "--seed",
    type=click.IntRange(0, 2**31 - 1),
    default=_TRAIN.seed,
    show_default=True,
    help="Seed for initialization, shuffling and dropout.",
)
@click.option(
    "--val-fraction",
    type=FiniteFloatRange(0, 1, min_open=True, max_open=True),
    default=_TRAIN.val_fraction,
    show_default=True,
    help="Share of descriptions held out for validation.",
)
@click.option(
    "--embedding-dim",
    type=click.IntRange(1, 4096),
    default=_MODEL.embedding_dim,
    show_default=True,
    help="Size of each word's embedding.",
)
@click.option(
    "--hidden-sizes",
    default=",".join(map(str, _MODEL.hidden_sizes)),
    show_default=True,
    callback=_hidden_sizes,
    help="LSTM layer sizes, comma-separated (one layer per size).",
)
@click.option(
    "--dense-size",
    type=click.IntRange(1, 4096),
    default=_MODEL.dense_size,
    show_default=True,
    help="Width of the ReLU layer before the output.",
)
@click.option(
    "--dropout",
    type=FiniteFloatRange(0, 1, max_open=True),
    default=_MODEL.dropout,
    show_default=True,
    help="Dropout after the embedding and each LSTM layer, while training.",
)
@click.option(
    "--min-count",
    type=click.IntRange(1, 1_000_000),
    default=_TRAIN.min_count,
    show_default=True,
    help="Words seen fewer times become <unk>.",
)
@click.option("--max-vocab", type=click.IntRange(5, 10_000_000), help="Largest vocabulary, reserved tokens included.")
@click.option(
    "--max-tokens",
    type=click.IntRange(1, 1_000_000),
    default=_TRAIN.max_tokens,
    show_default=True,
    help="Words and punctuation kept per description; longer ones are cut (and counted), which bounds memory.",
)
@click.option("--device", default=_TRAIN.device, show_default=True, help="auto (CUDA when present), cpu or cuda[:N].")
@click.option(
    "--threads",
    type=click.IntRange(1, 1024),
    default=_TRAIN.threads,
    show_default=True,
    help="CPU threads for PyTorch. One is fastest for networks this small; more only pays for large layers.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@one_line_errors
def main(resume: bool, overwrite: bool, accept_changes: bool, quiet: bool, **options: Any) -> None:
    """Train the stacked LSTM language model on a CSV of descriptions.

    \b
    Examples:
      lstm-train                                   # built-in fashion corpus
      lstm-train --data reviews.csv --column "Review Text" --out runs/reviews
      lstm-train --out runs/reviews --resume       # continue after Ctrl-C
    """
    from .trainer import TrainingInterrupted, train

    if resume and overwrite:
        raise click.UsageError("--resume and --overwrite exclude each other")
    if accept_changes and not resume:
        raise click.UsageError("--accept-changes goes with --resume")
    config, network = _configs(options)
    if resume:
        config, network = _configs_to_resume(config, network, accept_changes)
    import torch

    torch.set_num_threads(config.threads)
    stop = _StopOnSignal()
    try:
        with stop:
            result = train(
                config,
                network,
                resume=resume,
                overwrite=overwrite,
                show_progress=not quiet,
                should_stop=stop.requested,
                log=click.echo,
            )
    except TrainingInterrupted as interrupted:
        if os.environ.get("RANK", "0") == "0":  # under torchrun, rank 0 speaks for all
            click.echo(f"Interrupted: {interrupted}", err=True)
        raise SystemExit(EXIT_INTERRUPTED) from None

    if result.rank != 0:
        return
    best, out = result.best, result.out_dir
    click.echo(
        f"Done ({result.stop_reason}) after {len(result.history)} epochs. Best epoch {best.epoch}: "
        f"val loss {best.val_loss:.4f}, perplexity {best.val_perplexity:.2f}, accuracy {best.val_accuracy:.4f}"
    )
    click.echo(f"Wrote {out}/best.pt, last.pt, history.json, curves.png. Export: lstm-export {out}")


def _configs(options: dict[str, Any]) -> tuple[TrainConfig, LSTMConfig]:
    """The options as the two configs (each option is named after its field)."""
    train_options = {f.name: options[f.name] for f in fields(TrainConfig) if f.name in options}
    train_options["data"] = None if options["data"] is None else str(options["data"])
    train_options["out"] = str(options["out"])
    network = LSTMConfig(**{f.name: options[f.name] for f in fields(LSTMConfig) if f.name != "vocab_size"})
    return TrainConfig(**train_options), network


def _configs_to_resume(
    config: TrainConfig, network: LSTMConfig, accept_changes: bool
) -> tuple[TrainConfig, LSTMConfig]:
    """The saved configs, with the options given on this command line checked against them (resume.py)."""
    from .checkpoint import LAST, load_checkpoint, saved_configs
    from .resume import configs_to_resume

    path = Path(config.out) / LAST
    if not path.is_file():
        return config, network  # the trainer says there is nothing to resume
    saved, saved_network = saved_configs(load_checkpoint(path), path)
    context = click.get_current_context()
    given = [
        name
        for name in context.params
        if context.get_parameter_source(name) not in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP)
    ]
    asked = {name: getattr(config, name, getattr(network, name, None)) for name in given}
    flags = {param.name: max(param.opts, key=len) for param in context.command.params if param.name}
    return configs_to_resume(saved, saved_network, asked, accept_changes, flag=lambda name: flags.get(name, name))


class _StopOnSignal:
    """First Ctrl-C (or SIGTERM) asks the loop to checkpoint and stop; a second one stops at once."""

    def __init__(self) -> None:
        self._requested = False
        self._previous: dict[int, object] = {}

    def requested(self) -> bool:
        return self._requested

    def _handle(self, signum: int, _frame: object) -> None:
        if self._requested:
            raise KeyboardInterrupt
        self._requested = True
        click.echo("\nStopping after this batch (press Ctrl-C again to abort without saving)…", err=True)

    def __enter__(self) -> _StopOnSignal:
        for signum in (signal.SIGINT, signal.SIGTERM):
            self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *_exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)


def run() -> None:
    run_command(main, "lstm-train")

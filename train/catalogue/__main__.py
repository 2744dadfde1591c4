"""`python -m lstm_edge.train.catalogue`: write the built-in corpus as a CSV file (xz-compressed by default)."""

from __future__ import annotations

from pathlib import Path

import click

from lstm_edge.runtime.console import one_line_errors, run_command, version_option
from lstm_edge.train.catalogue.generate import (
    DEFAULT_CSV_PATH,
    DEFAULT_ROWS,
    DEFAULT_SEED,
    distinct_words,
    generate_descriptions,
    write_csv,
)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@version_option
@click.option(
    "--rows", type=click.IntRange(0, 10_000_000), default=DEFAULT_ROWS, show_default=True, help="Descriptions."
)
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=DEFAULT_SEED, show_default=True, help="Random seed.")
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_CSV_PATH,
    show_default="the built-in corpus, train/data/fashion_descriptions.csv.xz",
    help="CSV file to write (replaced atomically); compressed when its name ends in .xz, .gz or .bz2.",
)
@one_line_errors
def main(rows: int, seed: int, out: Path) -> None:
    """Write the built-in corpus of fashion product descriptions: the same rows for the same seed."""
    descriptions = generate_descriptions(rows, seed)
    write_csv(out, descriptions)
    click.echo(f"Wrote {len(descriptions)} descriptions ({distinct_words(descriptions)} distinct words) to {out}")


if __name__ == "__main__":
    run_command(main, "python -m lstm_edge.train.catalogue")

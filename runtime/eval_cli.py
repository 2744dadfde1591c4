"""`lstm-eval`: measure model files on a CSV column, with the runtime alone (it runs on a device)."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import click

from .console import FiniteFloatRange, one_line_errors, run_command, version_option
from .contract import MAX_BEAMS, MAX_NGRAM, MAX_PENALTY, MAX_WORDS

SPLITS = ("all", "validation", "training")


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@version_option
@click.argument("models", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--data",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV file of texts.  [default: the data the first model was trained on]",
)
@click.option("--column", help="CSV column that holds the text.  [default: the first model's training column]")
@click.option(
    "--split",
    type=click.Choice(SPLITS),
    default="all",
    show_default=True,
    help="Which rows: all, or exactly the training run's validation (held-out) or training rows, found "
    "again from the split recorded in the first model (the CSV must be the training data).",
)
@click.option("--rows", type=click.IntRange(1, None), help="Only the first N texts (of the split).")
@click.option(
    "-b", "--batch-size", type=click.IntRange(1, 4096), default=64, show_default=True, help="Texts scored together."
)
@click.option(
    "--generate",
    "prompts",
    type=click.IntRange(0, 1_000_000),
    default=0,
    show_default=True,
    help="Also continue this many prompts (the first words of the first texts) with each model's decoding "
    "and report loop rate, distinct-2, mean length and endings, beside the texts' own continuations.",
)
@click.option("--prompt-words", type=click.IntRange(0, 100), default=3, show_default=True, help="Words per prompt.")
@click.option(
    "-n",
    "--words",
    type=click.IntRange(1, MAX_WORDS),
    default=100,
    show_default=True,
    help="Most words per continuation.",
)
@click.option(
    "--repetition-penalty",
    type=FiniteFloatRange(1, MAX_PENALTY),
    help="Generation: as lstm-gen's.  [default: each model's]",
)
@click.option(
    "--no-repeat-ngram", type=click.IntRange(0, MAX_NGRAM), help="Generation: as lstm-gen's.  [default: each model's]"
)
@click.option("--beams", type=click.IntRange(1, MAX_BEAMS), help="Generation: as lstm-gen's.  [default: each model's]")
@click.option("--json", "as_json", is_flag=True, help="One JSON document instead of tables.")
@click.option(
    "--threads", type=click.IntRange(1, 256), default=1, show_default=True, help="onnxruntime intra-op threads."
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@one_line_errors
def main(
    models: tuple[Path, ...],
    data: Path | None,
    column: str | None,
    split: str,
    rows: int | None,
    batch_size: int,
    prompts: int,
    prompt_words: int,
    words: int,
    repetition_penalty: float | None,
    no_repeat_ngram: int | None,
    beams: int | None,
    as_json: bool,
    threads: int,
    quiet: bool,
) -> None:
    """Measure each MODEL on the texts of a CSV column: perplexity (all tokens and words only),
    next-word accuracy, tokens and unknown-word rate; with several models of one vocabulary, how
    often each picks the first one's next word (float32 vs int8).

    \b
    Examples:
      lstm-eval model.onnx model.int8.onnx --data reviews.csv --column "Review Text"
      lstm-eval runs/reviews/model.onnx --split validation --generate 100
      lstm-eval a.onnx b.onnx --data new.csv --column text --rows 500 --json
    """
    from .csv_file import read_column
    from .decoding import PLAIN
    from .eval import Scorer, generation_stats, prompt_of, reference_stats
    from .generator import Generator
    from .model_file import load_model, printable_path

    PLAIN.replace(repetition_penalty, no_repeat_ngram, beams)  # checked before any work
    loaded = [load_model(path, threads=threads) for path in models]
    source, column, selected, described = _texts(loaded[0], data, column, split)
    scorer = Scorer(loaded, batch_size, _max_tokens(loaded[0]))
    kept: list[str] = []  # the first texts, for prompts
    with _Progress(source, quiet) as progress:
        texts = read_column(source, column, progress.update)
        count = 0
        for position, text in enumerate(texts):
            if selected is not None and not selected[position]:
                continue
            scorer.add([text])
            if len(kept) < prompts and prompt_of(text, prompt_words) is not None:
                kept.append(text)
            count += 1
            if rows is not None and count >= rows:
                break
        scorer.flush()
    if not count:
        raise click.ClickException(f"{source}: no texts to measure in column {column!r}")

    report: dict[str, Any] = {  # paths as valid Unicode: the JSON is UTF-8 whatever the file names
        "data": {"path": printable_path(source), "column": column, "split": split, "rows": described, "texts": count},
        "models": [
            {"path": printable_path(m.path), **metrics.to_dict()}
            for m, metrics in zip(loaded, scorer.metrics, strict=True)
        ],
    }
    if prompts:
        prompt_tokens = [prompt_of(text, prompt_words) or [] for text in kept]
        report["generation"] = {
            "prompts": len(prompt_tokens),
            "prompt_words": prompt_words,
            "max_words": words,
            "reference": reference_stats(kept, prompt_words, words).to_dict(),
        }
        for model, entry in zip(loaded, report["models"], strict=True):
            generator = Generator(model)
            decoding = generator.recommended.replace(repetition_penalty, no_repeat_ngram, beams)
            stats = generation_stats(generator, prompt_tokens, words, decoding)
            entry["generation"] = {"decoding": decoding.describe(), **decoding.to_metadata(), **stats.to_dict()}
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        _print_report(report)


def _texts(model: Any, data: Path | None, column: str | None, split: str) -> tuple[Path, str, Any, str]:
    """The CSV, its column, which texts to keep (None: all) and a description of them."""
    from .text_source import data_digests
    from .texts import BUILTIN, resolve_source, split_positions

    training = model.info().get("training")
    corpus = training.get("corpus", {}) if isinstance(training, dict) else {}
    if data is None:
        if not corpus.get("source"):
            raise click.UsageError(f"{model.path} does not name its training data; pass --data")
        data = resolve_source(str(corpus["source"]))
    column = column or corpus.get("column") or None
    if column is None:
        raise click.UsageError("pass --column: the model does not name its training column")
    if split == "all":
        return data, column, None, "all"
    train_config = training.get("train_config", {}) if isinstance(training, dict) else {}
    fraction, seed, total = train_config.get("val_fraction"), train_config.get("split_seed"), corpus.get("descriptions")
    if not isinstance(fraction, float) or not isinstance(seed, int) or not isinstance(total, int):
        raise click.ClickException(f"{model.path} does not record its training split; use --split all")
    if _is_pipe(data):
        raise click.ClickException(
            f"{data}: a pipe, which can be read only once; --split {split} reads the data twice (to check it is "
            "the training data, then to score it): give the file itself"
        )
    if column != corpus.get("column") or not data_digests(data).matches(corpus.get("sha256")):
        trained_on = "the built-in corpus" if corpus.get("source") == BUILTIN else corpus.get("source")
        raise click.ClickException(
            f"{data} [{column}] is not the data {model.path} was trained on ({trained_on} [{corpus.get('column')}]); "
            f"--split {split} needs that exact file"
        )
    held_out = split_positions(total, fraction, seed)
    selected = held_out if split == "validation" else ~held_out
    return data, column, selected, f"the {split} split of training ({fraction:.0%} held out, seed {seed})"


def _is_pipe(path: Path) -> bool:
    try:
        return stat.S_ISFIFO(os.stat(path).st_mode)
    except OSError:
        return False  # the reader says what is wrong with it


def _max_tokens(model: Any) -> int | None:
    """The cap on tokens per text the model was trained with, if any (texts are cut the same way)."""
    training = model.info().get("training")
    train_config = training.get("train_config", {}) if isinstance(training, dict) else {}
    cap = train_config.get("max_tokens") if isinstance(train_config, dict) else None
    return cap if isinstance(cap, int) and not isinstance(cap, bool) and cap > 0 else None


class _Progress:
    """A progress bar over the file's bytes on stderr, drawn only on a terminal (no tqdm on a device)."""

    def __init__(self, path: Path, quiet: bool) -> None:
        self.bar: Any = None
        if not quiet and sys.stderr is not None and sys.stderr.isatty():
            size = max(path.stat().st_size, 1) if path.is_file() else 1
            self.bar = click.progressbar(length=size, label=f"Scoring {path.name}", file=sys.stderr, width=30)
        self.done = 0

    def __enter__(self) -> _Progress:
        if self.bar is not None:
            self.bar.__enter__()
        return self

    def update(self, position: int) -> None:
        if self.bar is not None and position > self.done:
            self.bar.update(position - self.done)
            self.done = position

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


def _print_report(report: dict[str, Any]) -> None:
    data = report["data"]
    click.echo(f"{data['path']} [{data['column']}]: {data['texts']:,} texts, {data['rows']}")
    names = _short_names([entry["path"] for entry in report["models"]])
    rows = [["model", "tokens", "unknown", "perplexity", "word perplexity", "accuracy", "agreement"]]
    for name, entry in zip(names, report["models"], strict=True):
        agreement = entry["agreement_with_first"]
        rows.append(
            [
                name,
                f"{entry['tokens']:,}",
                f"{entry['unknown_rate']:.1%}",
                f"{entry['perplexity']:.2f}",
                f"{entry['word_perplexity']:.2f}",
                f"{entry['accuracy']:.4f}",
                "—" if agreement is None else f"{agreement:.2%}",
            ]
        )
    _table(rows)
    if len(names) > 1:
        click.echo("(agreement: share of tokens where the model picks the first model's next word)")
    generation = report.get("generation")
    if generation:
        click.echo(
            f"\nGeneration: {generation['prompts']} prompts (the first {generation['prompt_words']} words of a text), "
            f"up to {generation['max_words']} words"
        )
        rows = [["", "decoding", "loop rate", "3-gram repeats", "distinct-2", "mean length", "ended by <eos>"]]
        for name, stats in [("the texts themselves", {**generation["reference"], "decoding": "—"})] + [
            (name, entry["generation"]) for name, entry in zip(names, report["models"], strict=True)
        ]:
            rows.append(
                [
                    name,
                    stats["decoding"],
                    f"{stats['loop_rate']:.0%}",
                    f"{stats['repeat_3_rate']:.0%}",
                    f"{stats['distinct_2']:.3f}",
                    f"{stats['mean_length']:.1f}",
                    f"{stats['ended_rate']:.0%}",
                ]
            )
        _table(rows, left=2)
        click.echo(
            "(loop rate: share of outputs that repeat a word 4-gram within their first 100 words; "
            "3-gram repeats: the same for 3-grams)"
        )


def _short_names(paths: list[str]) -> list[str]:
    """File names, or whole paths where two share a name."""
    names = [Path(path).name for path in paths]
    return [name if names.count(name) == 1 else path for name, path in zip(names, paths, strict=True)]


def _table(rows: list[list[str]], left: int = 1) -> None:
    """Columns two spaces apart: the first `left` aligned left (names), the rest right (figures)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [
            cell.ljust(w) if i < left else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        click.echo("  ".join(cells).rstrip())


def run() -> None:
    """The console script."""
    run_command(main, "lstm-eval")

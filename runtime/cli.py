"""`lstm-gen`: generate text from an lstm-edge ONNX file.

Imports stay lazy: a device pays for onnxruntime and numpy only when it generates (cold start is
part of the product), and `--help` pays for neither.
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Any

import click

from .console import FiniteFloatRange, one_line, one_line_errors, run_command, version_option
from .contract import DEFAULT_WORDS, MAX_BEAMS, MAX_NGRAM, MAX_PENALTY, MAX_WORDS

_INFO_WIDTH = 500  # characters of one --info value
_NEWLINES = re.compile(r"\r?\n|\r")  # prompts are lines; U+2028, U+0085 and friends stay inside a prompt


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@version_option
@click.argument("prompts", nargs=-1)
@click.option("-m", "--model", type=click.Path(), help="ONNX model file.  [default: the shipped model]")
@click.option(
    "-n",
    "--words",
    type=click.IntRange(1, MAX_WORDS),
    default=DEFAULT_WORDS,
    show_default=True,
    help="Most words to generate per prompt (stops earlier at the end of a description).",
)
@click.option(
    "-t",
    "--temperature",
    type=FiniteFloatRange(0, 100),
    default=0.0,
    show_default=True,
    help="0 = greedy (deterministic); higher samples more freely.",
)
@click.option(
    "--top-k",
    type=click.IntRange(0, 1_000_000),
    default=0,
    show_default=True,
    help="Sample among the k likeliest words only (0 = all).",
)
@click.option(
    "--top-p",
    type=FiniteFloatRange(0, 1, min_open=True),
    default=1.0,
    show_default=True,
    help="Sample among the likeliest words that cover this probability.",
)
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), help="Seed for sampling (repeatable output).")
@click.option(
    "--repetition-penalty",
    type=FiniteFloatRange(1, MAX_PENALTY),
    help="Make words already said (prompt included) less likely: divide positive logits by it, multiply "
    "negative ones; 1 = off; punctuation and the end are exempt.  [default: the model's]",
)
@click.option(
    "--no-repeat-ngram",
    type=click.IntRange(0, MAX_NGRAM),
    help="Never repeat this many tokens in a row (0 = off); punctuation and the end stay allowed.  "
    "[default: the model's]",
)
@click.option(
    "--beams",
    type=click.IntRange(1, MAX_BEAMS),
    help="Beam search: keep this many continuations, pick the likeliest per word (1 = off; not with "
    "--temperature).  [default: the model's]",
)
@click.option("--raw", is_flag=True, help="Print the tokens joined by spaces, as the model sees them.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per prompt (or the model info).")
@click.option("--stream", is_flag=True, help="Print words as they are generated.")
@click.option("--info", is_flag=True, help="Show the model's metadata and validation metrics, then exit.")
@click.option(
    "--threads",
    type=click.IntRange(1, 256),
    default=1,
    show_default=True,
    help="Threads: onnxruntime's intra-op pool, numpy's BLAS.",
)
@click.option(
    "--backend",
    type=click.Choice(["auto", "onnxruntime", "numpy"]),
    default="auto",
    show_default=True,
    metavar="NAME",
    help="What runs the model: onnxruntime, numpy, or auto (onnxruntime where it imports, else numpy).",
)
@click.option(
    "--bench",
    is_flag=True,
    help="Measure this device: cold start, per-word time, words/s and peak RSS per backend and model.",
)
@click.option(
    "--input",
    "input_csv",
    type=click.Path(dir_okay=False),
    help="Generate for every row of this CSV (prompts from --column); needs --output.",
)
@click.option("--column", default="prompt", show_default=True, help="With --input: the column holding the prompts.")
@click.option(
    "--output",
    "output_csv",
    type=click.Path(dir_okay=False),
    help="With --input: the CSV to write (input columns + generated text); a re-run resumes it.",
)
@click.option(
    "--output-column", default="generated", show_default=True, help="With --input: the name of the generated column."
)
@click.option(
    "--workers", type=click.IntRange(1, 256), default=1, show_default=True, help="With --input: processes generating."
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 65_536),
    default=64,
    show_default=True,
    help="With --input: prompts generated together.",
)
@one_line_errors
def main(
    prompts: tuple[str, ...],
    model: str | None,
    words: int,
    temperature: float,
    top_k: int,
    top_p: float,
    seed: int | None,
    repetition_penalty: float | None,
    no_repeat_ngram: int | None,
    beams: int | None,
    raw: bool,
    as_json: bool,
    stream: bool,
    info: bool,
    threads: int,
    input_csv: str | None,
    column: str,
    output_csv: str | None,
    output_column: str,
    workers: int,
    batch_size: int,
    backend: str,
    bench: bool,
) -> None:
    """Continue each PROMPT with up to --words words.

    Without PROMPT arguments, prompts are read from stdin, one per line, and generated as one batch.
    Decoding follows the model's recommendation (see --info) unless options say otherwise.

    \b
    Examples:
      lstm-gen "A cream coat"
      lstm-gen "A linen shirt" "Our slim jeans" --json
      lstm-gen --temperature 0.8 --top-k 20 --seed 1 "A silk scarf"
      lstm-gen --no-repeat-ngram 3 --beams 4 -n 60 "I love this"
      printf 'A wool coat\\nA denim jacket\\n' | lstm-gen
      lstm-gen --input catalogue.csv --column title --output generated.csv --workers 2
      lstm-gen --backend numpy "A cream coat"
      lstm-gen --bench
    """
    if stream and as_json:
        raise click.UsageError("--stream and --json exclude each other")
    _limit_blas_threads(threads)
    if bench:
        if prompts or info or stream or input_csv or output_csv:
            raise click.UsageError("--bench takes no prompts, --input, --info or --stream")
        from .bench import run_bench

        run_bench(model, None if backend == "auto" else backend, threads, as_json)
        return
    from .decoding import PLAIN, check_beams
    from .generator import Generator, Sampling

    sampling = Sampling(temperature=temperature, top_k=top_k, top_p=top_p, seed=seed)  # checked before loading
    PLAIN.replace(repetition_penalty, no_repeat_ngram, beams)  # checked before loading, too
    if beams is not None:
        check_beams(PLAIN.replace(beams=beams), sampling.greedy)
    overrides = (repetition_penalty, no_repeat_ngram, beams)
    if input_csv is not None or output_csv is not None:
        if input_csv is None or output_csv is None:
            raise click.UsageError("--input and --output go together")
        if prompts or stream or as_json or info or raw:
            raise click.UsageError("--input excludes PROMPT arguments, --stream, --json, --raw and --info")
        from pathlib import Path  # paths stay strings on the generation path: pathlib costs a start 2 ms

        from .bulk import BulkJob
        from .decoding import Decoding
        from .model_file import load_model

        recommended = Decoding.from_metadata(load_model(model, threads=threads, backend=backend).generation)
        job = BulkJob(
            Path(input_csv),
            column,
            Path(output_csv),
            None if model is None else Path(model),
            {"max_words": words, "sampling": sampling, "decoding": _decoding(recommended, sampling, *overrides)},
            output_column,
            batch_size,
            workers,
            threads,
            backend,
        )
        _generate_csv(job)
        return
    generator = Generator(model, threads=threads, backend=backend)
    if info:
        _print_info(generator.model.info(), as_json)
        return
    generator.decoding = _decoding(generator.recommended, sampling, *overrides)
    if not prompts and sys.stdin is not None and sys.stdin.isatty():
        _interactive(generator, words, sampling, raw)
        return
    prompt_list = [_valid_text(p, f"prompt {i + 1}") for i, p in enumerate(prompts)] if prompts else _stdin_prompts()
    if stream:
        for prompt in prompt_list:
            _stream(generator, prompt, words, sampling, raw)
        return
    for generation in generator.generate_many(prompt_list, words, sampling):
        _warn_unknown(generation.prompt, generation.unknown_words)
        record = generation.to_dict()
        if raw:
            record["text"] = generation.raw_text
        click.echo(json.dumps(record, ensure_ascii=False) if as_json else record["text"])


def _limit_blas_threads(threads: int) -> None:
    """numpy's BLAS sizes its thread pool when numpy loads (not yet: imports here are lazy); a value the
    user set in the environment wins."""
    if "numpy" not in sys.modules:
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
            os.environ.setdefault(name, str(threads))


def _generate_csv(job: Any) -> None:
    from .bulk import generate_csv

    progress = _Progress()
    result = generate_csv(job, progress)
    progress.close()
    resumed = f" ({result.resumed:,} done before)" if result.resumed else ""
    rate = result.generated / result.seconds if result.seconds else 0.0
    click.echo(
        f"{result.rows:,} rows in {job.output}{resumed}; generated {result.generated:,} in {result.seconds:.1f} s "
        f"({rate:,.0f} rows/s, {job.workers} worker{'s' if job.workers > 1 else ''})",
        err=True,
    )


class _Progress:
    """Rows done on stderr: redrawn in place on a terminal, a line every few seconds in a log."""

    def __init__(self) -> None:
        import time

        self._clock = time.monotonic
        self._started = self._last = self._clock()
        self._tty = sys.stderr is not None and sys.stderr.isatty()
        self._drawn = False

    def __call__(self, done: int, total: int | None) -> None:
        now = self._clock()
        if now - self._last < (0.2 if self._tty else 5.0) and done != total:
            return
        self._last = now
        rate = done / max(now - self._started, 1e-9)
        of = f"/{total:,}" if total is not None else ""
        line = f"rows {done:,}{of}  {rate:,.0f} rows/s"
        click.echo(f"\r{line}" if self._tty else line, nl=not self._tty, err=True)
        self._drawn = self._tty

    def close(self) -> None:
        if self._drawn:
            click.echo(err=True)


def _decoding(recommended: Any, sampling: Any, penalty: float | None, ngram: int | None, beams: int | None) -> Any:
    """The model's recommended decoding with the options given on the command line put over it."""
    decoding = recommended.replace(penalty, ngram, beams)
    if not sampling.greedy and beams is None:  # the model's beams give way to asked-for sampling
        decoding = decoding.replace(beams=1)
    return decoding


def _stdin_prompts() -> list[str]:
    if sys.stdin is None:
        raise click.ClickException("no prompts: give PROMPT arguments (stdin is closed)")
    text = _valid_text(sys.stdin.buffer.read(), "stdin")
    prompts = [line.strip() for line in _NEWLINES.split(text) if line.strip()]
    if not prompts:
        raise click.ClickException("no prompts: give PROMPT arguments, or lines of text on stdin")
    return prompts


def _valid_text(text: str | bytes, where: str) -> str:
    """`text` as valid Unicode: undecodable bytes (from stdin, or from argv as surrogate escapes) become
    U+FFFD, and the user is told, so `--json` always writes valid UTF-8."""
    if isinstance(text, bytes):
        data = text
    else:
        try:
            data = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:  # a lone surrogate that is no escaped byte
            data = text.encode("utf-8", "surrogatepass")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        click.echo(
            f"Warning: {where} is not valid UTF-8 (first bad byte 0x{data[error.start]:02x} at offset "
            f"{error.start}); undecodable bytes were replaced by U+FFFD",
            err=True,
        )
        return data.decode("utf-8", "replace")


def _stream(generator: Any, prompt: str, words: int, sampling: Any, raw: bool = False) -> None:
    from .tokenizer import detokenize, detokenize_pieces

    state = generator.prefill([prompt])[0]
    _warn_unknown(prompt, state.unknown_words)
    tokens = generator.stream(state, words, sampling)
    if raw:
        click.echo(" ".join(state.words), nl=False)
        pieces: Any = ((" " if state.words or i else "") + word for i, word in enumerate(tokens))
    else:
        click.echo(detokenize(state.words), nl=False)
        pieces = detokenize_pieces(tokens, previous=state.words)
    for piece in pieces:
        click.echo(piece, nl=False)
        sys.stdout.flush()
    click.echo()


def _interactive(generator: Any, words: int, sampling: Any, raw: bool) -> None:
    click.echo("Enter seed text (Ctrl-D to quit).", err=True)
    while True:
        try:
            prompt = input("> ")
        except EOFError:
            click.echo(err=True)
            return
        if prompt.strip():
            _stream(generator, prompt, words, sampling, raw)


def _warn_unknown(prompt: str, unknown: list[str]) -> None:
    if unknown:
        click.echo(f"Unknown words in {prompt!r} (read as <unk>): {', '.join(unknown)}", err=True)


def _print_info(info: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(info, indent=2, ensure_ascii=False))
        return
    architecture, training, versions = (
        _section(info, "architecture"),
        _section(info, "training"),
        _section(info, "versions"),
    )
    quantization = _section(info, "quantization") or {"type": "none"}
    layers = " → ".join(f"LSTM {size}" for size in architecture.get("hidden_sizes", []))
    rows = [
        ("Model", f"{info['path']} ({info['size_bytes'] / 1e6:.2f} MB), run by {info['backend']}"),
        (
            "Format",
            f"lstm-edge v{info.get('format_version')}, opset {versions.get('opset', '?')}, "
            f"exported by lstm-edge {versions.get('lstm_edge', '?')} with torch {versions.get('torch', '?')}",
        ),
        ("Vocabulary", f"{info.get('vocabulary_size', 0):,} tokens"),
        (
            "Network",
            f"Embedding {architecture.get('embedding_dim')} → {layers} → Dense {architecture.get('dense_size')} "
            f"(ReLU) → Dense {architecture.get('vocab_size')}",
        ),
    ]
    if training:
        corpus = _section(training, "corpus")
        rows += [
            (
                "Trained on",
                f"{corpus.get('source', '?')} [{corpus.get('column', '?')}], "
                f"{corpus.get('descriptions', '?')} descriptions, sha256 {str(corpus.get('sha256', '?'))[:12]}…",
            ),
            (
                "Training",
                f"{training.get('epochs_trained')} epochs ({training.get('stop_reason') or 'unfinished run'}), "
                f"best epoch {training.get('best_epoch')}",
            ),
            (
                "Validation",
                f"next-word accuracy {_number(training.get('val_accuracy'), '.4f')}, "
                f"perplexity {_number(training.get('val_perplexity'), '.2f')}, "
                f"loss {_number(training.get('val_loss'), '.4f')}",
            ),
        ]
    rows.append(("Decoding", _describe_decoding(_section(info, "generation"))))
    rows.append(("Quantization", _describe_quantization(quantization)))
    width = max(len(name) for name, _ in rows) + 2
    for name, value in rows:  # values come from the file: one line each, control characters made visible
        click.echo(f"{name + ':':<{width}}{one_line(value)[:_INFO_WIDTH]}")


def _section(info: dict[str, Any], key: str) -> dict[str, Any]:
    """A metadata document that should be a JSON object; anything else reads as empty."""
    value = info.get(key)
    return value if isinstance(value, dict) else {}


def _number(value: Any, spec: str) -> str:
    return format(value, spec) if isinstance(value, (int, float)) and not isinstance(value, bool) else "?"


def _describe_decoding(generation: dict[str, Any]) -> str:
    from .decoding import Decoding

    text = f"{Decoding.from_metadata(generation).describe()} by default"
    chosen = _section(generation, "chosen_by")
    if chosen.get("method"):
        text += f" ({chosen['method']})"
    return text


def _describe_quantization(quantization: dict[str, Any]) -> str:
    if quantization.get("type", "none") == "none":
        return "none (float32)"
    return (
        f"{quantization.get('type')}, "
        f"greedy agreement with float32 {_number(quantization.get('greedy_agreement'), '.1%')}, "
        f"validation accuracy {_number(quantization.get('val_accuracy'), '.4f')} "
        f"(float32 {_number(quantization.get('val_accuracy_fp32'), '.4f')})"
    )


def run() -> None:
    """The console script (`main` is what tests call; this one flushes and leaves without teardown)."""
    run_command(main, "lstm-gen", fast_exit=True)

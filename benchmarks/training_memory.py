"""Training memory: peak RSS of `lstm-train` as the vocabulary and the corpus grow.

Table 1, validation in chunks vs all at once.

Validation scores 256 descriptions per batch. All at once (lstm-edge before chunking), a batch's
logits are 256 × length × vocabulary floats, plus the same again for the log-softmax: about 1.7 GB
each at a 60,000-word vocabulary. In chunks, the logits of at most `EVAL_LOGITS` positions × vocabulary
entries exist at once (64 MB), whatever the vocabulary, batch or length.

Each row trains one epoch with `lstm-train` (default network, one thread) in its own process and
reports that process's peak RSS; "all at once" is the same command with the chunk size raised
above any batch (`EVAL_LOGITS`, in this process only), which is how validation ran before.

Corpora: the built-in one (vocabulary 872) and a generated one whose training descriptions hold
60,000 distinct words (each description: 20 words of its own among common ones), so the output layer
is 60k wide while the epoch stays short.

Table 2, corpus size. The CSV is read once, in chunks, into a token file that training and validation
read through memmaps, so peak RSS is the model, a batch and a chunk of rows, not the corpus. Each row
trains one epoch (a small network and 256 descriptions per batch, so the 1M row takes minutes) on N
descriptions drawn at random, with replacement, from the built-in corpus; beside it, the peak RSS of
holding that corpus in memory the way lstm-train did before (the descriptions as a list, then lists of
token ids: data only, no model, no training), measured in a process of its own.

Reproduce: `python -m benchmarks training-memory [--quick]` (corpus sizes 10k and 100k; quick: 2k), and
`make bench-memory-1m` (`python -m benchmarks.training_memory --sizes 10000,100000,1000000`) for the 1M row.
"""

from __future__ import annotations

import csv
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.common import megabytes, print_table, run_measured, thread_env

# the corpus table is about the data, not the network: a small one keeps the 1M row's epoch to minutes
SMALL_NETWORK = ["--batch-size", "256", "--embedding-dim", "16", "--hidden-sizes", "32", "--dense-size", "32"]
DEFAULT_SIZES = {True: (2_000,), False: (10_000, 100_000)}  # descriptions per row of the corpus table; quick first
ALL_AT_ONCE = 1 << 62  # larger than any batch's logits: one chunk per batch, as before


def main(quick: bool = False, sizes: tuple[int, ...] | None = None) -> None:
    if sizes is None:
        validation_table(quick)
        sizes = DEFAULT_SIZES[quick]
    corpus_table(sizes, quick)


def validation_table(quick: bool) -> None:
    reproduce = f"python -m benchmarks training-memory{' --quick' if quick else ''}"
    words = 2_000 if quick else 60_000
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        corpora = [
            ("built-in" if not quick else "built-in (first 200)", _built_in_slice(root, 200 if quick else None)),
            (f"generated, {words:,} words", _wide_corpus(root, words)),
        ]
        rows = []
        for label, data in corpora:
            chunked = _measure(root / "chunked", data, None)
            whole = _measure(root / "whole", data, ALL_AT_ONCE)
            rows.append(
                [
                    label,
                    f"{chunked['vocab_size']:,}",
                    f"{chunked['train_descriptions']:,} / {chunked['val_descriptions']:,}",
                    megabytes(whole["peak_rss_bytes"]),
                    megabytes(chunked["peak_rss_bytes"]),
                    f"{whole['peak_rss_bytes'] / chunked['peak_rss_bytes']:.2f}×",
                    f"{chunked['val_loss']:.6f} / {whole['val_loss']:.6f}",
                ]
            )
    print_table(
        "Peak RSS of one training epoch (lstm-train, default network, 1 thread): validation all at once vs in chunks",
        [
            "corpus",
            "vocabulary",
            "train / validation descriptions",
            "all at once (MB)",
            "in chunks (MB)",
            "ratio",
            "val loss, chunks / at once",
        ],
        rows,
        reproduce,
    )


def corpus_table(sizes: tuple[int, ...], quick: bool) -> None:
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        for size in sizes:
            data = _drawn_corpus(root, size)
            ours = _measure(root / f"run-{size}", data, None, SMALL_NETWORK)
            before = run_measured([sys.executable, "-m", "benchmarks.training_memory", "--in-memory", str(data)])
            rows.append(
                [
                    f"{size:,}",
                    megabytes(data.stat().st_size),
                    megabytes((root / f"run-{size}" / "tokens.bin").stat().st_size),
                    megabytes(ours["peak_rss_bytes"]),
                    megabytes(before.peak_rss_bytes),
                    ours["seconds"],
                ]
            )
            (root / f"run-{size}" / "tokens.bin").unlink()
            data.unlink()
    reproduce = f"python -m benchmarks.training_memory --sizes {','.join(map(str, sizes))}"
    if sizes == DEFAULT_SIZES[quick]:
        reproduce = f"python -m benchmarks training-memory{' --quick' if quick else ''}"
    print_table(
        f"Peak RSS of one training epoch by corpus size (lstm-train {' '.join(SMALL_NETWORK)}, 1 thread)",
        [
            "descriptions",
            "CSV (MB)",
            "token file (MB)",
            "lstm-train peak RSS (MB)",
            "corpus in memory as before, data only (MB)",
            "epoch (s)",
        ],
        rows,
        reproduce,
    )


def _measure(out: Path, data: Path, eval_logits: int | None, extra: list[str] | None = None) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.training_memory", "--worker", str(eval_logits or 0), "--"]
    command += ["--data", str(data), "--out", str(out), "--overwrite", "--epochs", "1", "--quiet", "--threads", "1"]
    run = run_measured([*command, *(extra or [])], env=thread_env(1))
    history = json.loads((out / "history.json").read_text())
    return {
        "peak_rss_bytes": run.peak_rss_bytes,
        "vocab_size": history["vocab_size"],
        "train_descriptions": history["corpus"]["train_descriptions"],
        "val_descriptions": history["corpus"]["val_descriptions"],
        "val_loss": history["history"][-1]["val_loss"],
        "seconds": history["history"][-1]["seconds"],
    }


def _drawn_corpus(root: Path, size: int) -> Path:
    """`size` built-in descriptions drawn at random (seeded), with replacement."""
    import random

    from lstm_edge.train.corpus import load_corpus

    texts, draw = load_corpus(None).descriptions, random.Random(size)
    path = root / f"drawn-{size}.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["description"])
        for _ in range(size):
            writer.writerow([draw.choice(texts)])
    return path


def _in_memory(data: str) -> None:
    """What lstm-train held before the token file: every description, then every sequence of ids."""
    from lstm_edge.runtime.tokenizer import Tokenizer
    from lstm_edge.train.batching import encode_capped, split_by_description
    from lstm_edge.train.corpus import load_corpus

    corpus = load_corpus(data)
    train, val = split_by_description(corpus.descriptions, 0.2, 42)
    tokenizer = Tokenizer.build(train)
    encoded = encode_capped(train, tokenizer, 256), encode_capped(val, tokenizer, 256)
    print(sum(len(e.sequences) for e in encoded))


def _wide_corpus(root: Path, words: int) -> Path:
    """Descriptions whose training share holds about `words` distinct words (20 new ones each)."""
    per_description, common = 20, ["a", "soft", "coat", "in", "wool", "."]
    count = round(words / per_description / 0.8)  # 80% of descriptions are for training
    path = root / f"wide-{words}.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["description"])
        for row in range(count):
            own = [_word(row * per_description + i) for i in range(per_description)]
            writer.writerow([" ".join(common[:4] + own + common[4:])])
    return path


def _word(number: int) -> str:
    letters = ""
    number += 26**3  # at least four letters, so no collisions with the common words
    while number:
        number, digit = divmod(number, 26)
        letters += chr(ord("a") + digit)
    return letters


def _built_in_slice(root: Path, limit: int | None) -> Path:
    from lstm_edge.train.corpus import load_corpus

    path = root / f"built-in-{limit or 'all'}.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["description"], *([text] for text in load_corpus(None).descriptions[:limit])])
    return path


def _worker(eval_logits: int, arguments: list[str]) -> None:
    """`lstm-train ARGUMENTS` in this process, with validation's chunk size set (0: the default)."""
    from lstm_edge.train import trainer
    from lstm_edge.train.cli import main as lstm_train

    if eval_logits:
        trainer.EVAL_LOGITS = eval_logits
    lstm_train.main(arguments, prog_name="lstm-train")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        _worker(int(sys.argv[2]), sys.argv[4:])
    elif sys.argv[1:2] == ["--in-memory"]:
        _in_memory(sys.argv[2])
    elif sys.argv[1:2] == ["--sizes"]:
        from benchmarks.common import machine_header

        print(machine_header())
        main(sizes=tuple(int(size) for size in sys.argv[2].split(",")))
    else:
        main(quick="--quick" in sys.argv)

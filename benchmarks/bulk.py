"""Catalogue-scale generation: rows per second of `lstm-gen --input … --output …` at 1, 2 and N workers.

Whole processes, as a user runs them (start-up and model loading included), on one CSV of prompts made
from the built-in corpus (the first three words of each description), 20 words per row, greedy, one
onnxruntime thread per worker, batches of 64. Rounds alternate between the worker counts; the table
gives medians. Every run's output is compared with the one-worker output: workers must not change it.

Reproduce: `python -m benchmarks bulk [--quick]`
"""

from __future__ import annotations

import csv
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import print_table, run
from benchmarks.models import fashion_model


def main(quick: bool = False) -> None:
    rows, rounds = (300, 1) if quick else (6000, 3)
    cores = os.cpu_count() or 1
    counts = sorted({1, 2, cores, 2 * cores} if not quick else {1, 2})
    model = fashion_model(quick)
    with tempfile.TemporaryDirectory() as scratch:
        prompts = _prompts_csv(Path(scratch) / "prompts.csv", rows)
        seconds: dict[int, list[float]] = {workers: [] for workers in counts}
        outputs: dict[int, bytes] = {}
        for _ in range(rounds):
            for workers in counts:
                out = Path(scratch) / f"out-{workers}.csv"
                out.unlink(missing_ok=True)
                started = time.perf_counter()
                run(
                    [
                        sys.executable,
                        "-m",
                        "lstm_edge.runtime",
                        "--model",
                        str(model.fp32),
                        "--input",
                        str(prompts),
                        "--output",
                        str(out),
                        "-n",
                        "20",
                        "--workers",
                        str(workers),
                    ]
                )
                seconds[workers].append(time.perf_counter() - started)
                outputs[workers] = out.read_bytes()
    single = statistics.median(seconds[1])
    table = [
        [
            workers,
            rows / statistics.median(times),
            f"{single / statistics.median(times):.2f}×",
            "yes" if outputs[workers] == outputs[1] else "NO",
        ]
        for workers, times in seconds.items()
    ]
    print_table(
        f"Bulk generation, {rows:,} rows × up to 20 words, greedy ({model.name}: {model.description}; "
        f"{cores} cores; median of {rounds}, whole process)",
        ["workers", "rows/s", "× 1 worker", "same output"],
        table,
        f"python -m benchmarks bulk{' --quick' if quick else ''}",
    )


def _prompts_csv(path: Path, rows: int) -> Path:
    from lstm_edge.train.corpus import load_corpus

    descriptions = load_corpus().descriptions
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "prompt"])
        for i in range(rows):
            writer.writerow([i, " ".join(descriptions[i % len(descriptions)].split()[:3])])
    return path

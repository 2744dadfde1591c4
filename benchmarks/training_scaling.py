"""Training scaling: one process vs two gloo ranks under torchrun, the same global batch.

Each configuration trains the built-in corpus (default network, one thread per rank) for a fixed number
of epochs, in its own processes, one after the other. Because `--batch-size` is the global batch, both
make the same updates (up to float summation order, see `train/distributed.py`), so they reach the same
validation loss at the same epoch and the wall time to it compares directly.

- descriptions/s: training descriptions per second of an epoch (its validation included), median epoch;
- wall time to a fixed validation loss: the loss one process reaches at its next-to-last epoch, and the
  epochs' seconds summed until each configuration first reaches it. (Two ranks sum gradients in another
  order: the runs agree to about 1e-7 after an epoch, then Adam, whose step does not shrink with the
  gradient, lets the difference grow to about 0.1% of the loss by the next; so the target is one that
  both pass with an epoch to spare, not the last loss to the bit.)
- what it predicts for N ranks: an epoch of N ranks takes T1 / N of compute plus what the ranks cost
  beyond that, O, measured at N = 2 as T2 - T1 / 2 (all-reduces of the metrics and of the gradients,
  about 1 MB per step here, and waiting for each other). O is assumed to grow like a ring all-reduce,
  2(N - 1)/N; a free core per rank is assumed, which this shared 2-core machine does not have, so O
  measured here also holds the contention with other work. Only 2 ranks can be measured here.

Reproduce: `python -m benchmarks training-scaling [--quick]`
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.common import print_table, run

FULL = {"epochs": 4, "batches": (8, 64), "descriptions": None}
QUICK = {"epochs": 1, "batches": (8,), "descriptions": 300}
TINY_NETWORK = ["--embedding-dim", "16", "--hidden-sizes", "32", "--dense-size", "16"]


def main(quick: bool = False) -> None:
    plan = QUICK if quick else FULL
    rows, predictions = [], []
    with tempfile.TemporaryDirectory() as scratch:
        data = _corpus(Path(scratch), plan["descriptions"])
        for batch in plan["batches"]:
            lr = "0.001" if batch == 8 else "0.003"
            args = [
                "--data",
                str(data),
                "--epochs",
                str(plan["epochs"]),
                "--patience",
                "1000",
                "--batch-size",
                str(batch),
            ]
            args += ["--lr", lr, "--threads", "1", "--quiet", *(TINY_NETWORK if quick else [])]
            results = {ranks: _train(Path(scratch) / f"b{batch}-r{ranks}", ranks, args) for ranks in (1, 2)}
            target = results[1]["history"][max(len(results[1]["history"]) - 2, 0)]["val_loss"]
            for ranks, result in results.items():
                wall = _wall_to(result["history"], target)
                rows.append(
                    [
                        f"{batch} (lr {lr})",
                        ranks,
                        result["rate"],
                        f"{target:.4f}",
                        f"{wall:.1f}" if wall is not None else f"not in {plan['epochs']} epochs",
                        f"{results[1]['epoch_seconds'] / result['epoch_seconds']:.2f}×",
                    ]
                )
            one, two = results[1]["epoch_seconds"], results[2]["epoch_seconds"]
            overhead = max(two - one / 2, 0.0)  # what two ranks cost beyond half the work each
            predicted = [one / (one / n + overhead * 2 * (n - 1) / n) for n in (4, 8, 16)]
            row = [f"{batch}", f"{one:.1f}", f"{two:.1f}", f"{one / two:.2f}×", f"{overhead:.1f}"]
            predictions.append([*row, *(f"{p:.2f}×" for p in predicted)])
    reproduce = f"python -m benchmarks training-scaling{' --quick' if quick else ''}"
    corpus = "300 built-in descriptions, a tiny network" if quick else "the built-in corpus, the default network"
    print_table(
        f"Training with 1 and 2 ranks (torchrun, gloo, CPU, one thread per rank; {corpus}; "
        f"{plan['epochs']} epochs; the same global batch)",
        ["global batch", "ranks", "descriptions/s", "target val loss", "wall to target (s)", "speedup per epoch"],
        rows,
        reproduce,
    )
    print_table(
        "What it predicts for more ranks: epoch time T1 / N + O · 2(N - 1)/N (see the module's notes)",
        ["global batch", "T1 (s)", "T2 (s)", "speedup, 2 ranks", "O (s)", "4 ranks", "8 ranks", "16 ranks"],
        predictions,
        reproduce,
    )


def _train(out: Path, ranks: int, args: list[str]) -> dict[str, Any]:
    if ranks == 1:
        command = [sys.executable, "-m", "lstm_edge.train", *args, "--out", str(out)]
    else:
        command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", str(ranks)]
        command += ["-m", "lstm_edge.train", *args, "--out", str(out)]
    run(command, env={**os.environ, "OMP_NUM_THREADS": "1"})
    report = json.loads((out / "history.json").read_text())
    epoch_seconds = statistics.median(row["seconds"] for row in report["history"])
    return {
        "history": report["history"],
        "epoch_seconds": epoch_seconds,
        "rate": report["corpus"]["train_descriptions"] / epoch_seconds,
    }


def _wall_to(history: list[dict[str, float]], target: float) -> float | None:
    wall = 0.0
    for row in history:
        wall += row["seconds"]
        if row["val_loss"] <= target:
            return wall
    return None


def _corpus(root: Path, limit: int | None) -> Path:
    import csv

    from lstm_edge.train.corpus import builtin_corpus_path, load_corpus

    if limit is None:
        return builtin_corpus_path()
    path = root / "corpus.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["description"], *([text] for text in load_corpus(None).descriptions[:limit])])
    return path


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)

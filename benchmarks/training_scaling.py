"""Training scaling: one process vs two gloo ranks under torchrun, the same global batch.

Each configuration trains the built-in corpus (default network, one thread per rank) for a fixed number
of epochs, in its own processes, one after the other. Because `--batch-size` is the global batch, both
make the same updates (up to float summation order, see `train/distributed.py`), so they reach the same
validation loss at the same epoch and the wall time to it compares directly.

- descriptions/s: training descriptions per second of an epoch (its validation included), median epoch;
- wall time to a fixed validation loss: the loss one process reaches at its last epoch, and the epochs'
  seconds summed until each configuration first reaches it;
- what it predicts for N ranks: Amdahl's law with the parallel share p that the measured 2-rank speedup s
  implies (s = 1 / ((1 - p) + p / 2)). It assumes a free core per rank and ignores that the all-reduce
  grows with N (gloo's ring moves 2(N - 1)/N of the gradients, about 1 MB here, per step), so it is an
  upper bound. This machine has 2 cores (and is shared), so 2 ranks is all it can show.

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
            target = results[1]["history"][-1]["val_loss"]
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
            speedup = results[1]["epoch_seconds"] / results[2]["epoch_seconds"]
            share = min(max(2 * (1 - 1 / speedup), 0.0), 1.0)  # Amdahl's p from s at N = 2
            predicted = [1 / ((1 - share) + share / n) for n in (4, 8, 16)]
            predictions.append([f"{batch}", f"{speedup:.2f}×", f"{share:.2f}", *(f"{p:.2f}×" for p in predicted)])
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
        "What the 2-rank speedup predicts for more ranks (Amdahl's law; an upper bound, see the module's notes)",
        ["global batch", "measured, 2 ranks", "parallel share p", "4 ranks", "8 ranks", "16 ranks"],
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
        if row["val_loss"] <= target * (1 + 1e-6):  # the same loss, up to float summation order
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

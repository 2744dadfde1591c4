"""Training: the tutorial's way (every n-gram prefix a padded row, one-hot targets) vs ours (teacher forcing).

Measures, on the first N descriptions of the built-in corpus, with the same network, optimizer, tokenizer
and torch thread count for both ways, each way in its own subprocess (so the peak RSS that `os.wait4`
reports belongs to that way alone):

- per epoch: seconds, wall time so far, validation accuracy;
- the wall time until each way first reaches the tutorial way's final validation accuracy, and the ratio;
- peak RSS as the corpus grows (ours should grow with words; the tutorial's with prefixes × window × vocabulary).

The tutorial's way, re-implemented in PyTorch from ../shared/seed/lstm_fashion_tutorial.txt: every prefix
`w1 … wk` (k ≥ 2) of every training description is its own row, pre-padded with 0 to the longest; the
network is `LSTMLanguageModel` (Embedding 64 → LSTM 128 → LSTM 64 → Dense 64 ReLU → Dense V) with the
logits of the last position only (Keras's `LSTM(64)` returns the last step); softmax cross-entropy against
the materialized N×V one-hot target matrix (Keras's categorical cross-entropy); batches of 128 prefixes,
shuffled each epoch; Adam 1e-3; `train_test_split(test_size=0.2, random_state=42)` over prefixes, with a
Keras-style validation pass over that split after each epoch. Ours: `lstm_edge.train.trainer.train` with
its defaults (checkpoints, history and the curves PNG included in its wall time).

Fair accuracy: both are scored on the same held-out descriptions (our description-level split,
`split_by_description(..., 0.2, 42)`, which neither way trains on) by next-word accuracy over the
tutorial's targets (every word from the second on). The tutorial's way builds its prefixes from the
training descriptions only, so nothing held out leaks in; its own prefix-level validation accuracy is shown
as well, and it leaks (prefixes of one description land on both sides of its split). Scoring the
tutorial's way on the held-out descriptions is not part of its wall time; its own validation pass is.
Both start from the same initial weights (torch seed 0) and use our tokenizer, built on the training
descriptions, so the vocabularies match. Keras-only details are not copied: its weight initializers,
Adam's epsilon, and the learned embedding of the padding id (ours keeps it at zero).

Reproduce: `python -m benchmarks training [--quick] [--threads N]`
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import megabytes, own_peak_rss, print_table, run_measured, thread_env

VAL_FRACTION, SPLIT_SEED = 0.2, 42  # our description-level split, and the tutorial's train_test_split
TUTORIAL_BATCH = 128  # prefixes per batch, the tutorial's
SEED = 0


@dataclass(frozen=True)
class Plan:
    descriptions: int  # the comparison runs on the first N descriptions of the built-in corpus
    tutorial_epochs: int
    ours_epochs: int
    growth: tuple[int, ...]  # corpus sizes for the memory table (1 epoch each)


FULL = Plan(descriptions=2000, tutorial_epochs=5, ours_epochs=8, growth=(500, 1000, 2000))
QUICK = Plan(descriptions=100, tutorial_epochs=2, ours_epochs=2, growth=(100,))  # no extra runs: seconds count


def main(quick: bool = False, threads: int = 1) -> None:
    plan = QUICK if quick else FULL
    reproduce = f"python -m benchmarks training{' --quick' if quick else ''} --threads {threads}"
    tutorial = _run_way("tutorial", plan.descriptions, plan.tutorial_epochs, threads)
    ours = _run_way("ours", plan.descriptions, plan.ours_epochs, threads)
    _epoch_table(plan, threads, tutorial, ours, reproduce)
    _target_table(tutorial, ours, reproduce)
    runs = {plan.descriptions: (tutorial, ours)}
    for size in plan.growth:
        if size not in runs:
            runs[size] = (_run_way("tutorial", size, 1, threads), _run_way("ours", size, 1, threads))
    _growth_table([(size, *runs[size]) for size in plan.growth], reproduce)


def _epoch_table(plan: Plan, threads: int, tutorial: dict[str, Any], ours: dict[str, Any], reproduce: str) -> None:
    rows = [
        [
            result["label"],
            epoch["epoch"],
            epoch["seconds"],
            epoch["wall"],
            f"{epoch['val_accuracy']:.4f}",
            f"{epoch['own_val_accuracy']:.4f}" if "own_val_accuracy" in epoch else "—",
        ]
        for result in (tutorial, ours)
        for epoch in result["epochs"]
    ]
    print_table(
        f"Training per epoch, {plan.descriptions:,} built-in descriptions "
        f"({tutorial['train_descriptions']:,} train / {tutorial['val_descriptions']:,} held out), "
        f"vocabulary {tutorial['vocab_size']:,}, {threads} thread(s); batches: tutorial {TUTORIAL_BATCH} prefixes, "
        f"ours {ours['batch_size']} descriptions",
        ["way", "epoch", "s/epoch", "wall so far (s)", "val accuracy (held-out descriptions)", "its own val accuracy"],
        rows,
        reproduce,
    )


def _target_table(tutorial: dict[str, Any], ours: dict[str, Any], reproduce: str) -> None:
    target = tutorial["epochs"][-1]["val_accuracy"]
    reached = [_time_to(result, target) for result in (tutorial, ours)]
    rows = [
        [
            result["label"],
            len(result["epochs"]),
            statistics.median(epoch["seconds"] for epoch in result["epochs"]),
            megabytes(result["peak_rss_bytes"]),
            f"{result['epochs'][-1]['val_accuracy']:.4f}",
            hit[0] if hit else f"not in {len(result['epochs'])}",
            hit[1] if hit else "—",
        ]
        for result, hit in zip((tutorial, ours), reached, strict=True)
    ]
    if all(reached):
        verdict = f"ours takes {reached[0][1] / reached[1][1]:.1f}× less wall time (goal ≥ 10×)"
    else:
        verdict = "ours did not reach it in the epochs run, so there is no ratio"
    print_table(
        f"Wall time to the tutorial way's final held-out accuracy ({target:.4f}): {verdict}; "
        "s/epoch is the median epoch",
        ["way", "epochs", "s/epoch", "peak RSS (MB)", "final val accuracy", "epochs to target", "wall to target (s)"],
        rows,
        reproduce,
    )


def _growth_table(runs: list[tuple[int, dict[str, Any], dict[str, Any]]], reproduce: str) -> None:
    rows = [
        [
            size,
            f"{ours['targets']:,}",
            f"{tutorial['prefixes']:,} × {tutorial['window']}",
            f"{tutorial['vocab_size']:,}",
            megabytes(tutorial["data_bytes"]),
            megabytes(ours["data_bytes"]),
            megabytes(tutorial["peak_rss_bytes"]),
            megabytes(ours["peak_rss_bytes"]),
            " / ".join(f"{megabytes(run['baseline_rss_bytes']):.0f}" for run in (tutorial, ours)),
        ]
        for size, tutorial, ours in runs
    ]
    print_table(
        "Peak memory as the corpus grows (each way in its own process; baseline = torch imported and the "
        "model built, before any data)",
        [
            "descriptions",
            "target words (ours)",
            "tutorial prefixes × window",
            "vocabulary",
            "tutorial X + one-hot (MB)",
            "ours token ids (MB)",
            "tutorial peak RSS (MB)",
            "ours peak RSS (MB)",
            "baseline RSS, tutorial / ours (MB)",
        ],
        rows,
        reproduce,
    )


def _time_to(result: dict[str, Any], target: float) -> tuple[int, float] | None:
    """(epoch, wall seconds) when `result` first reached `target` held-out accuracy."""
    for epoch in result["epochs"]:
        if epoch["val_accuracy"] >= target:
            return epoch["epoch"], epoch["wall"]
    return None


def _run_way(way: str, descriptions: int, epochs: int, threads: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.training", "--worker", way]
    command += ["--descriptions", str(descriptions), "--epochs", str(epochs), "--threads", str(threads)]
    run = run_measured(command, env=thread_env(threads))
    result = json.loads(run.stdout.strip().splitlines()[-1])
    result["peak_rss_bytes"] = run.peak_rss_bytes
    result["label"] = "tutorial's way" if way == "tutorial" else "ours"
    return result


# --- the workers: each runs in its own process and prints one JSON line ---


def _worker(way: str, descriptions: int, epochs: int, threads: int) -> dict[str, Any]:
    import torch

    from lstm_edge.train.corpus import load_corpus

    torch.set_num_threads(threads)
    texts = load_corpus(None).descriptions[:descriptions]
    return _tutorial_way(texts, epochs) if way == "tutorial" else _our_way(texts, epochs)


def _our_way(texts: list[str], epochs: int) -> dict[str, Any]:
    import torch

    from lstm_edge.runtime.tokenizer import Tokenizer
    from lstm_edge.train.batching import encode_all, split_by_description
    from lstm_edge.train.config import LSTMConfig, TrainConfig
    from lstm_edge.train.model import LSTMLanguageModel
    from lstm_edge.train.trainer import train

    train_texts, _ = split_by_description(texts, VAL_FRACTION, SPLIT_SEED)
    # One-time library loading is nobody's training cost: the first Adam imports torch._dynamo (seconds),
    # and `train` draws its curves with matplotlib (the tutorial imports pyplot before it starts, too).
    import matplotlib.pyplot  # noqa: F401

    model = LSTMLanguageModel(LSTMConfig(vocab_size=len(Tokenizer.build(train_texts))))
    torch.optim.Adam(model.parameters(), lr=1e-3)
    baseline = own_peak_rss()  # torch and the model loaded, no data yet: what both ways start from
    del model
    walls: list[float] = []

    def log(line: str) -> None:
        if line.startswith("epoch"):
            walls.append(time.perf_counter() - started)

    with tempfile.TemporaryDirectory() as directory:
        data = Path(directory) / "data.csv"
        with open(data, "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([["description"], *([text] for text in texts)])
        # the trainer's defaults otherwise
        config = TrainConfig(data=str(data), out=str(Path(directory) / "run"), epochs=epochs, seed=SEED, device="cpu")
        started = time.perf_counter()
        result = train(config, show_progress=False, log=log)
    tokenizer = Tokenizer.build(train_texts)
    ids = encode_all(train_texts, tokenizer)
    return {
        "vocab_size": result.vocab_size,
        "batch_size": config.batch_size,
        "train_descriptions": result.train_descriptions,
        "val_descriptions": result.val_descriptions,
        "targets": sum(len(s) - 1 for s in ids),
        "data_bytes": sum(len(s) for s in ids) * torch.tensor(0).element_size(),  # int64 ids
        "baseline_rss_bytes": baseline,
        "epochs": [
            {"epoch": m.epoch, "seconds": m.seconds, "wall": wall, "val_accuracy": m.val_accuracy}
            for m, wall in zip(result.history, walls, strict=True)
        ],
    }


def _tutorial_way(texts: list[str], epochs: int) -> dict[str, Any]:
    import matplotlib.pyplot  # noqa: F401  (the tutorial's first lines import it; loaded like ours)
    import numpy as np
    import torch
    from torch.nn import functional

    from lstm_edge.runtime.tokenizer import Tokenizer
    from lstm_edge.train.batching import split_by_description
    from lstm_edge.train.config import LSTMConfig
    from lstm_edge.train.model import LSTMLanguageModel

    train_texts, val_texts = split_by_description(texts, VAL_FRACTION, SPLIT_SEED)
    tokenizer = Tokenizer.build(train_texts)  # the vocabulary `train` builds: both ways predict the same words
    vocab = len(tokenizer)
    torch.manual_seed(SEED)  # as `train` does before building its model: the same initial weights
    model = LSTMLanguageModel(LSTMConfig(vocab_size=vocab))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    baseline = own_peak_rss()
    started = time.perf_counter()

    # The tutorial's data: every prefix w1 … wk (k ≥ 2) a row, pre-padded to the longest, one-hot labels.
    prefixes = _prefixes(train_texts, tokenizer)
    longest = max(len(p) for p in prefixes)
    rows = _pad_pre(prefixes, longest)  # (N, longest)
    x, y = rows[:, :-1], rows[:, -1]  # (N, W), (N,)
    y_onehot = functional.one_hot(y, vocab).float()  # (N, V): to_categorical
    data_bytes = x.nbytes + y_onehot.nbytes
    # train_test_split(test_size=0.2, random_state=42): sklearn's ShuffleSplit permutation, over prefixes.
    order = torch.from_numpy(np.random.RandomState(SPLIT_SEED).permutation(len(rows)))
    n_test = math.ceil(VAL_FRACTION * len(rows))
    x_test, y_test = x[order[:n_test]], y_onehot[order[:n_test]]  # copies, as train_test_split returns
    x_train, y_train = x[order[n_test:]], y_onehot[order[n_test:]]

    held_out = _pad_pre(_prefixes(val_texts, tokenizer), longest)  # truncated at the front if longer
    x_held, y_held = held_out[:, :-1], held_out[:, -1]

    shuffle = torch.Generator().manual_seed(SEED)
    history: list[dict[str, float]] = []
    scoring = 0.0  # seconds spent scoring the held-out descriptions: not the tutorial's cost
    for epoch in range(1, epochs + 1):
        epoch_started = time.perf_counter()
        model.train()
        for batch in torch.randperm(len(x_train), generator=shuffle).split(TUTORIAL_BATCH):
            logits = _last_logits(model, x_train[batch])  # (B, V)
            loss = functional.cross_entropy(logits, y_train[batch])  # dense (one-hot) targets
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        own_accuracy = _accuracy(model, x_test, y_test.argmax(1), dense_targets=y_test)  # Keras's validation pass
        seconds = time.perf_counter() - epoch_started
        wall = time.perf_counter() - started - scoring
        scoring_started = time.perf_counter()
        accuracy = _accuracy(model, x_held, y_held)
        scoring += time.perf_counter() - scoring_started
        history.append(
            {
                "epoch": epoch,
                "seconds": seconds,
                "wall": wall,
                "val_accuracy": accuracy,
                "own_val_accuracy": own_accuracy,
            }
        )
    return {
        "vocab_size": vocab,
        "train_descriptions": len(train_texts),
        "val_descriptions": len(val_texts),
        "prefixes": len(rows),
        "window": longest - 1,
        "data_bytes": data_bytes,
        "baseline_rss_bytes": baseline,
        "epochs": history,
    }


def _prefixes(texts: list[str], tokenizer: Any) -> list[list[int]]:
    """The tutorial's n-gram rows: for each text's word ids, ids[:k + 1] for k = 1 … len - 1."""
    rows = []
    for text in texts:
        ids = tokenizer.encode(text).ids
        rows.extend(ids[: k + 1] for k in range(1, len(ids)))
    return rows


def _pad_pre(rows: list[list[int]], length: int) -> Any:
    """pad_sequences(rows, maxlen=length, padding="pre"): zeros in front, the front cut off if too long."""
    import torch

    padded = torch.zeros((len(rows), length), dtype=torch.long)
    for i, row in enumerate(rows):
        row = row[-length:]
        padded[i, length - len(row) :] = torch.tensor(row)
    return padded


def _last_logits(model: Any, window: Any) -> Any:
    """(B, W) → (B, V): the head on the last position only, like Keras's LSTM(64) → Dense → Dense."""
    features, _ = model.encode(window)  # (B, W, 64)
    return model.head(features[:, -1])


def _accuracy(model: Any, x: Any, targets: Any, dense_targets: Any = None) -> float:
    """Share of rows whose argmax is the target; with `dense_targets`, the loss is computed too, as Keras does."""
    import torch
    from torch.nn import functional

    model.eval()
    correct = 0
    with torch.inference_mode():
        for start in range(0, len(x), TUTORIAL_BATCH):
            logits = _last_logits(model, x[start : start + TUTORIAL_BATCH])
            if dense_targets is not None:
                functional.cross_entropy(logits, dense_targets[start : start + TUTORIAL_BATCH])
            correct += int((logits.argmax(1) == targets[start : start + TUTORIAL_BATCH]).sum())
    return correct / max(len(x), 1)


def _parse_worker(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="One way's training run (used by the training benchmark).")
    parser.add_argument("--worker", choices=["tutorial", "ours"], required=True)
    parser.add_argument("--descriptions", type=int, required=True)
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--threads", type=int, default=1)
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = _parse_worker(sys.argv[1:])
    print(json.dumps(_worker(arguments.worker, arguments.descriptions, arguments.epochs, arguments.threads)))

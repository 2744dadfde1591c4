"""The training loop: teacher forcing, validation per epoch, early stopping, checkpoints and resume.

Resuming is exact: the shuffle of epoch e comes from its own generator (seed, e), the global RNG
state (dropout) and the optimizer travel in the checkpoint, and a checkpoint taken mid-epoch
records how many batches of that epoch are done.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch
from torch import nn

from lstm_edge.runtime.errors import CheckpointError, CorpusError, TrainingError
from lstm_edge.runtime.files import atomic_write_text
from lstm_edge.runtime.tokenizer import Tokenizer

from .batching import Batch, batches, encode_all, split_by_description
from .checkpoint import BEST, LAST, load_checkpoint, restore_training, save_checkpoint, training_state
from .config import LSTMConfig, TrainConfig
from .corpus import Corpus, load_corpus
from .metrics import Tally, score
from .model import LSTMLanguageModel
from .progress import EpochMetrics, Progress

HISTORY = "history.json"
CURVES = "curves.png"
EVAL_BATCH_SIZE = 256


class TrainingInterrupted(Exception):
    """Training stopped on request after saving a checkpoint to resume from."""


@dataclass(frozen=True)
class Data:
    """The corpus as token ids, split into training and validation descriptions."""

    tokenizer: Tokenizer
    train: list[list[int]]  # `<bos> w1 … wn <eos>` per description
    val: list[list[int]]
    summary: dict[str, Any]  # what the checkpoint records about the corpus


@dataclass
class TrainingResult:
    out_dir: Path
    history: list[EpochMetrics]
    best: EpochMetrics
    stop_reason: str
    vocab_size: int
    train_descriptions: int
    val_descriptions: int


def train(
    config: TrainConfig,
    network: LSTMConfig | None = None,
    *,
    resume: bool = False,
    show_progress: bool = True,
    should_stop: Callable[[], bool] = lambda: False,
    log: Callable[[str], None] = print,
) -> TrainingResult:
    """Train as `config` says, writing checkpoints, history.json and curves.png into `config.out`.

    `network` is the network's shape (default: the tutorial's). With `resume`, continue the run saved in
    `config.out/last.pt` (its weights, optimizer, tokenizer and position); `config` and `network` are
    then the configs to continue with.
    """
    out, device = Path(config.out), pick_device(config.device)
    corpus = load_corpus(config.data, config.column)
    saved = checkpoint_to_resume(out, corpus) if resume else None
    data = prepare_data(corpus, config, Tokenizer.from_json(saved["tokenizer"]) if saved else None)
    if saved is None:
        torch.manual_seed(config.seed)
    model = LSTMLanguageModel(replace(network or LSTMConfig(), vocab_size=len(data.tokenizer))).to(device)
    # fused: one kernel for all parameters instead of a loop over them (about 10% of a CPU epoch here)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate, fused=device.type in ("cpu", "cuda"))
    progress = restore_training(saved, model, optimizer) if saved else Progress()
    if saved:
        log(f"Resuming {out / LAST} at epoch {progress.epoch + 1}, batch {progress.step}")
    log(describe_run(corpus, data, model, device))

    while not progress.finished(config):
        started = time.perf_counter()
        epoch_batches = batches(data.train, config.batch_size, shuffle_seed=shuffle_seed(config, progress.epoch))
        bar = ProgressBar(len(epoch_batches), progress, config.epochs, show_progress)
        for batch in epoch_batches[progress.step :]:
            progress.add_batch(train_step(model, optimizer, batch.to(device), config.grad_clip))
            bar.update(progress.running)
            if should_stop():
                bar.close()
                progress.seconds += time.perf_counter() - started
                stop_here(out, training_state(config, data.tokenizer, model, optimizer, progress, data.summary))
        bar.close()
        improved = progress.end_epoch(evaluate(model, data.val, device), time.perf_counter() - started, config)
        log(epoch_line(EpochMetrics(**progress.history[-1]), config.epochs, improved))
        save_epoch(out, training_state(config, data.tokenizer, model, optimizer, progress, data.summary), improved)

    finish_run(out, progress)
    history = [EpochMetrics(**row) for row in progress.history]
    stop_reason = progress.stop_reason or "epoch limit"
    return TrainingResult(out, history, progress.best, stop_reason, len(data.tokenizer), len(data.train), len(data.val))


def train_step(model: LSTMLanguageModel, optimizer: torch.optim.Optimizer, batch: Batch, grad_clip: float) -> Tally:
    """One update on `batch`; returns its tally (measured before the update)."""
    logits, _ = model(batch.inputs)  # (B, T, V)
    loss_sum, tally = score(logits, batch.targets, batch.accuracy_mask)
    optimizer.zero_grad(set_to_none=True)
    (loss_sum / tally.targets).backward()
    if grad_clip > 0:
        nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
    optimizer.step()
    return tally


@torch.no_grad()
def evaluate(model: LSTMLanguageModel, sequences: list[list[int]], device: torch.device) -> Tally:
    """The tally of `sequences` under the model, with dropout off."""
    was_training = model.training
    model.eval()
    total = Tally()
    by_length = sorted(sequences, key=len)  # less padding; order does not change the sums
    for batch in batches(by_length, EVAL_BATCH_SIZE):
        batch = batch.to(device)
        logits, _ = model(batch.inputs)  # (B, T, V)
        total = total + score(logits, batch.targets, batch.accuracy_mask)[1]
    model.train(was_training)
    return total


def prepare_data(corpus: Corpus, config: TrainConfig, tokenizer: Tokenizer | None = None) -> Data:
    """Split by description, build the vocabulary from the training side (unless resuming), encode."""
    train_texts, val_texts = split_by_description(corpus.descriptions, config.val_fraction, config.split_seed)
    tokenizer = tokenizer or Tokenizer.build(train_texts, config.min_count, config.max_vocab)
    train, val = encode_all(train_texts, tokenizer), encode_all(val_texts, tokenizer)
    if not train or not val:
        raise CorpusError("the corpus has too few descriptions with words to train and validate on")
    summary = {
        "source": corpus.source,
        "column": corpus.column,
        "sha256": corpus.sha256,
        "descriptions": len(corpus.descriptions),
        "skipped_rows": corpus.skipped,
        "train_descriptions": len(train),
        "val_descriptions": len(val),
    }
    return Data(tokenizer, train, val, summary)


def checkpoint_to_resume(out_dir: Path, corpus: Corpus) -> dict[str, Any]:
    """The last checkpoint of the run in `out_dir`, checked to be resumable on `corpus`."""
    if not (out_dir / LAST).is_file():
        raise CheckpointError(f"{out_dir / LAST}: nothing to resume (no checkpoint there)")
    checkpoint = load_checkpoint(out_dir / LAST)
    for key in ("optimizer_state", "progress", "rng_state", "corpus"):
        if key not in checkpoint:
            raise CheckpointError(f"{out_dir / LAST}: checkpoint has no {key!r}, so training cannot resume from it")
    saved = checkpoint["corpus"]
    if saved.get("sha256") != corpus.sha256 or saved.get("column") != corpus.column:
        raise CheckpointError(
            f"{out_dir / LAST} was trained on {saved.get('source')} (column {saved.get('column')!r}); "
            f"{corpus.source} (column {corpus.column!r}) is different data. Resume with the same --data and --column"
        )
    return checkpoint


def stop_here(out_dir: Path, state: dict[str, Any]) -> None:
    """On request (Ctrl-C, SIGTERM): save mid-epoch, draw the curves so far, and end the run."""
    save_checkpoint(out_dir / LAST, state)
    progress = Progress.from_dict(state["progress"])
    draw_curves(out_dir, progress)
    raise TrainingInterrupted(
        f"stopped at epoch {progress.epoch + 1}, batch {progress.step}; checkpoint saved to {out_dir / LAST} "
        "(continue with --resume)"
    )


def save_epoch(out_dir: Path, state: dict[str, Any], improved: bool) -> None:
    """After each epoch: best.pt when it improved, last.pt always, then history.json."""
    if improved:
        save_checkpoint(out_dir / BEST, state)
    save_checkpoint(out_dir / LAST, state)
    report = {
        "history": state["progress"]["history"],
        "best_epoch": state["progress"]["best_epoch"],
        "stop_reason": state["progress"]["stop_reason"],
        "corpus": state["corpus"],
        "model_config": state["model_config"],
        "train_config": state["train_config"],
        "vocab_size": state["model_config"]["vocab_size"],
    }
    atomic_write_text(out_dir / HISTORY, json.dumps(report, indent=2) + "\n")


def finish_run(out_dir: Path, progress: Progress) -> None:
    """Give best.pt the whole run's history and stop reason (its weights stay the best epoch's), so an
    export of it reports the finished run; draw the curves."""
    best = load_checkpoint(out_dir / BEST)
    if best["progress"].get("history") != progress.history:
        save_checkpoint(out_dir / BEST, {**best, "progress": progress.to_dict()})
    draw_curves(out_dir, progress)


def draw_curves(out_dir: Path, progress: Progress) -> None:
    """At the end of a run or an interruption only: drawing costs about 10% of a small model's epoch."""
    from .plot import plot_curves

    if progress.history:
        plot_curves(progress.history, out_dir / CURVES, best_epoch=progress.best_epoch)


def pick_device(device: str) -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        chosen = torch.device(device)
    except (RuntimeError, ValueError):
        raise TrainingError(f"--device {device!r} is not a device; use auto, cpu or cuda[:N]") from None
    if chosen.type == "cuda" and not torch.cuda.is_available():
        raise TrainingError(f"device {device!r} asked for, but CUDA is not available here")
    if chosen.type not in ("cpu", "cuda"):
        raise TrainingError(f"device {device!r} is not supported; use auto, cpu or cuda[:N]")
    return chosen


def shuffle_seed(config: TrainConfig, epoch: int) -> int:
    return config.seed * 1_000_003 + epoch


def describe_run(corpus: Corpus, data: Data, model: LSTMLanguageModel, device: torch.device) -> str:
    parameters = sum(p.numel() for p in model.parameters())
    rows = "row" if corpus.skipped == 1 else "rows"
    skipped = f"Skipped {corpus.skipped} empty {rows} of {corpus.source}\n" if corpus.skipped else ""
    return skipped + (
        f"Training on {corpus.source} ({len(data.train)} train / {len(data.val)} validation descriptions, "
        f"vocabulary {len(data.tokenizer)}, {parameters:,} parameters, {device})"
    )


def epoch_line(metrics: EpochMetrics, epochs: int, improved: bool) -> str:
    return (
        f"epoch {metrics.epoch:>3}/{epochs}  train loss {metrics.train_loss:.4f}  acc {metrics.train_accuracy:.4f}  "
        f"| val loss {metrics.val_loss:.4f}  ppl {metrics.val_perplexity:.2f}  acc {metrics.val_accuracy:.4f}  "
        f"({metrics.seconds:.1f} s){'  *' if improved else ''}"
    )


class ProgressBar:
    """The epoch's progress bar (tqdm), showing the running loss and accuracy."""

    def __init__(self, total: int, progress: Progress, epochs: int, enabled: bool) -> None:
        from tqdm.auto import tqdm

        self._bar = tqdm(
            total=total,
            initial=progress.step,
            desc=f"epoch {progress.epoch + 1}/{epochs}",
            unit="batch",
            leave=False,
            disable=not enabled,
            dynamic_ncols=True,
        )

    def update(self, running: Tally) -> None:
        self._bar.update(1)
        # refresh=False: the bar redraws at its own pace
        self._bar.set_postfix(loss=f"{running.loss:.3f}", acc=f"{running.accuracy:.3f}", refresh=False)

    def close(self) -> None:
        self._bar.close()

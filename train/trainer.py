"""The training loop: teacher forcing, validation per epoch, early stopping, checkpoints and resume.

Resuming is exact: the shuffle of epoch e comes from its own generator (seed, e), the global RNG
state (dropout) and the optimizer travel in the checkpoint, and a checkpoint taken mid-epoch
records how many batches of that epoch are done.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch
from torch import nn

from lstm_edge.runtime.errors import CheckpointError, CorpusError, LstmEdgeError, TrainingError
from lstm_edge.runtime.files import atomic_write_text
from lstm_edge.runtime.tokenizer import Tokenizer

from .batching import Batch, batches, encode_capped, split_by_description
from .checkpoint import BEST, LAST, load_checkpoint, restore_training, save_checkpoint, saved_configs, training_state
from .config import LSTMConfig, TrainConfig
from .corpus import Corpus, load_corpus
from .metrics import Tally, score
from .model import LSTMLanguageModel
from .progress import EpochMetrics, Progress
from .resume import check_same_run
from .run_dir import CURVES, HISTORY, check_outputs, make_run_dir, remove_leftovers, writing
from .run_lock import RunLock

EVAL_BATCH_SIZE = 256  # descriptions per validation batch
EVAL_LOGITS = 1 << 24  # logits computed at once in validation (64 MB of float32), whatever the vocabulary


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
class Run:
    """Everything a training run works on."""

    config: TrainConfig
    device: torch.device
    data: Data
    model: LSTMLanguageModel
    optimizer: torch.optim.Optimizer
    progress: Progress

    @property
    def out(self) -> Path:
        return Path(self.config.out)

    def state(self) -> dict[str, Any]:
        return training_state(
            self.config, self.data.tokenizer, self.model, self.optimizer, self.progress, self.data.summary
        )


@dataclass
class TrainingResult:
    out_dir: Path
    history: list[EpochMetrics]
    best: EpochMetrics
    stop_reason: str
    vocab_size: int
    train_descriptions: int
    val_descriptions: int

    @classmethod
    def of(cls, run: Run) -> TrainingResult:
        progress, data = run.progress, run.data
        history = [EpochMetrics(**row) for row in progress.history]
        stop_reason = progress.stop_reason or "epoch limit"
        return cls(run.out, history, progress.best, stop_reason, len(data.tokenizer), len(data.train), len(data.val))


def train(
    config: TrainConfig,
    network: LSTMConfig | None = None,
    *,
    resume: bool = False,
    overwrite: bool = False,
    show_progress: bool = True,
    should_stop: Callable[[], bool] = lambda: False,
    log: Callable[[str], None] = print,
) -> TrainingResult:
    """Train as `config` says, writing checkpoints, history.json and curves.png into `config.out`.

    `network` is the network's shape (default: the tutorial's). With `resume`, continue the run saved in
    `config.out/last.pt` (its weights, optimizer, tokenizer and position); `config` and `network` may
    then differ from the saved ones only where `resume.SAFE` allows. A new run refuses a directory that
    holds one unless `overwrite`. The directory is locked for the whole run.
    """
    out = Path(config.out)
    make_run_dir(out)
    with RunLock(out):
        check_outputs(out, fresh=not resume, overwrite=overwrite)
        remove_leftovers(out)
        run = start_run(config, network or LSTMConfig(), resume, log)
        train_epochs(run, show_progress, should_stop, log)
        finish_run(run)
    return TrainingResult.of(run)


def train_epochs(run: Run, show_progress: bool, should_stop: Callable[[], bool], log: Callable[[str], None]) -> None:
    """The loop: epochs of shuffled batches, each epoch validated and checkpointed, until told to stop."""
    config, progress = run.config, run.progress
    while not progress.finished(config):
        started = time.perf_counter()
        epoch_batches = batches(run.data.train, config.batch_size, shuffle_seed=shuffle_seed(config, progress.epoch))
        bar = ProgressBar(len(epoch_batches), progress, config.epochs, show_progress)
        for batch in epoch_batches[progress.step :]:
            progress.add_batch(train_step(run.model, run.optimizer, batch.to(run.device), config.grad_clip))
            bar.update(progress.running)
            if not math.isfinite(progress.running.loss_sum):
                raise TrainingError(f"the loss is not finite at epoch {progress.epoch + 1}; try a lower --lr")
            if should_stop():
                bar.close()
                progress.seconds += time.perf_counter() - started
                stop_here(run)
        bar.close()
        validation = evaluate(run.model, run.data.val, run.device)
        improved = progress.end_epoch(validation, time.perf_counter() - started, config)
        log(epoch_line(EpochMetrics(**progress.history[-1]), config.epochs, improved))
        save_epoch(run.out, run.state(), improved)


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
    """The tally of `sequences` under the model, with dropout off.

    Logits are computed EVAL_LOGITS at a time (positions × vocabulary), so memory does not grow with
    the vocabulary, the batch or the length; the LSTM's outputs, (B, T, H), are small beside them.
    """
    was_training = model.training
    model.eval()
    total = Tally()
    positions = max(1, EVAL_LOGITS // model.config.vocab_size)  # per chunk
    by_length = sorted(sequences, key=len)  # less padding; order does not change the sums
    for batch in batches(by_length, EVAL_BATCH_SIZE):
        batch = batch.to(device)
        features, _ = model.encode(batch.inputs)  # (B, T, H)
        chunks = zip(
            features.reshape(-1, features.shape[-1]).split(positions),  # (N, H)
            batch.targets.reshape(-1).split(positions),
            batch.accuracy_mask.reshape(-1).split(positions),
            strict=True,
        )
        for chunk_features, targets, accuracy_mask in chunks:
            total = total + score(model.head(chunk_features), targets, accuracy_mask)[1]
    model.train(was_training)
    return total


def start_run(config: TrainConfig, network: LSTMConfig, resume: bool, log: Callable[[str], None]) -> Run:
    """A new run from `config`, or the saved one in `config.out` continued."""
    device = pick_device(config.device)
    corpus = load_corpus(config.data, config.column)
    saved = checkpoint_to_resume(Path(config.out), corpus, config, network) if resume else None
    data = prepare_data(corpus, config, Tokenizer.from_json(saved["tokenizer"]) if saved else None)
    if saved is None:
        torch.manual_seed(config.seed)
    model = LSTMLanguageModel(replace(network, vocab_size=len(data.tokenizer))).to(device)
    # fused: one kernel for all parameters instead of a loop over them (about 10% of a CPU epoch here)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate, fused=device.type in ("cpu", "cuda"))
    progress = restore_training(saved, model, optimizer) if saved else Progress()
    if saved:
        log(f"Resuming {Path(config.out) / LAST} at epoch {progress.epoch + 1}, batch {progress.step}")
    log(describe_run(corpus, data, model, device, config.max_tokens))
    return Run(config, device, data, model, optimizer, progress)


def prepare_data(corpus: Corpus, config: TrainConfig, tokenizer: Tokenizer | None = None) -> Data:
    """Split by description, build the vocabulary from the training side (unless resuming), encode."""
    train_texts, val_texts = split_by_description(corpus.descriptions, config.val_fraction, config.split_seed)
    tokenizer = tokenizer or Tokenizer.build(train_texts, config.min_count, config.max_vocab)
    train = encode_capped(train_texts, tokenizer, config.max_tokens)
    val = encode_capped(val_texts, tokenizer, config.max_tokens)
    if not train.sequences or not val.sequences:
        raise CorpusError("the corpus has too few descriptions with words to train and validate on")
    summary = {
        "source": corpus.source,
        "column": corpus.column,
        "sha256": corpus.sha256,
        "descriptions": len(corpus.descriptions),
        "skipped_rows": corpus.skipped,
        "train_descriptions": len(train.sequences),
        "val_descriptions": len(val.sequences),
        "truncated_descriptions": train.truncated + val.truncated,
        "truncated_tokens": train.dropped_tokens + val.dropped_tokens,
    }
    return Data(tokenizer, train.sequences, val.sequences, summary)


def checkpoint_to_resume(out_dir: Path, corpus: Corpus, config: TrainConfig, network: LSTMConfig) -> dict[str, Any]:
    """The last checkpoint of the run in `out_dir`, checked to be resumable on `corpus` with these configs."""
    path = out_dir / LAST
    if not path.is_file():
        raise CheckpointError(f"{path}: nothing to resume (no checkpoint there)")
    checkpoint = load_checkpoint(path)
    for key in ("optimizer_state", "progress", "rng_state", "corpus"):
        if key not in checkpoint:
            raise CheckpointError(f"{path}: checkpoint has no {key!r}, so training cannot resume from it")
    saved_config, saved_network = saved_configs(checkpoint, path)
    try:
        Tokenizer.from_json(checkpoint["tokenizer"])
    except LstmEdgeError as error:
        raise CheckpointError(f"{path}: checkpoint holds a damaged tokenizer ({error})") from None
    saved = checkpoint["corpus"]
    if not isinstance(saved, dict) or saved.get("sha256") != corpus.sha256 or saved.get("column") != corpus.column:
        saved = saved if isinstance(saved, dict) else {}
        raise CheckpointError(
            f"{path} was trained on {saved.get('source')} (column {saved.get('column')!r}); "
            f"{corpus.source} (column {corpus.column!r}) is different data. Resume with the same --data and --column"
        )
    check_same_run(saved_config, saved_network, config, network)
    return checkpoint


def stop_here(run: Run) -> None:
    """On request (Ctrl-C, SIGTERM): save mid-epoch, draw the curves so far, and end the run."""
    with writing(run.out / LAST):
        save_checkpoint(run.out / LAST, run.state())
    draw_curves(run.out, run.progress)
    raise TrainingInterrupted(
        f"stopped at epoch {run.progress.epoch + 1}, batch {run.progress.step}; checkpoint saved to "
        f"{run.out / LAST} (continue with --resume)"
    )


def save_epoch(out_dir: Path, state: dict[str, Any], improved: bool) -> None:
    """After each epoch: best.pt when it improved, last.pt always, then history.json."""
    for name in (BEST, LAST) if improved else (LAST,):
        with writing(out_dir / name):
            save_checkpoint(out_dir / name, state)
    report = {
        "history": state["progress"]["history"],
        "best_epoch": state["progress"]["best_epoch"],
        "stop_reason": state["progress"]["stop_reason"],
        "corpus": state["corpus"],
        "model_config": state["model_config"],
        "train_config": state["train_config"],
        "vocab_size": state["model_config"]["vocab_size"],
    }
    with writing(out_dir / HISTORY):
        atomic_write_text(out_dir / HISTORY, json.dumps(report, indent=2) + "\n")


def finish_run(run: Run) -> None:
    """Give best.pt the whole run's history and stop reason (its weights stay the best epoch's), so an
    export of it reports the finished run; draw the curves."""
    best = load_checkpoint(run.out / BEST)
    if best["progress"].get("history") != run.progress.history:
        with writing(run.out / BEST):
            save_checkpoint(run.out / BEST, {**best, "progress": run.progress.to_dict()})
    draw_curves(run.out, run.progress)


def draw_curves(out_dir: Path, progress: Progress) -> None:
    """At the end of a run or an interruption only: drawing costs about 10% of a small model's epoch."""
    from .plot import plot_curves

    if progress.history:
        with writing(out_dir / CURVES):
            plot_curves(progress.history, out_dir / CURVES, best_epoch=progress.best_epoch)


def pick_device(device: str) -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        chosen = torch.device(device)
    except (RuntimeError, ValueError):
        raise TrainingError(f"--device {device!r} is not a device; use auto, cpu or cuda[:N]") from None
    if chosen.type not in ("cpu", "cuda"):
        raise TrainingError(f"--device {device!r} is not supported; use auto, cpu or cuda[:N]")
    if chosen.type == "cuda" and not torch.cuda.is_available():
        raise TrainingError(f"--device {device!r} asked for, but CUDA is not available here")
    if chosen.type == "cuda" and chosen.index is not None and chosen.index >= torch.cuda.device_count():
        raise TrainingError(f"--device {device!r}: there are only {torch.cuda.device_count()} CUDA devices")
    return chosen


def shuffle_seed(config: TrainConfig, epoch: int) -> int:
    return config.seed * 1_000_003 + epoch


def describe_run(corpus: Corpus, data: Data, model: LSTMLanguageModel, device: torch.device, max_tokens: int) -> str:
    parameters = sum(p.numel() for p in model.parameters())
    lines = []
    if corpus.skipped:
        lines.append(f"Skipped {corpus.skipped} empty {'row' if corpus.skipped == 1 else 'rows'} of {corpus.source}")
    truncated = data.summary["truncated_descriptions"]
    if truncated:
        lines.append(
            f"Cut {truncated} {'description' if truncated == 1 else 'descriptions'} longer than --max-tokens "
            f"{max_tokens} ({data.summary['truncated_tokens']:,} tokens left out)"
        )
    lines.append(
        f"Training on {corpus.source} ({len(data.train)} train / {len(data.val)} validation descriptions, "
        f"vocabulary {len(data.tokenizer)}, {parameters:,} parameters, {device})"
    )
    return "\n".join(lines)


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

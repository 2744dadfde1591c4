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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from lstm_edge.runtime.errors import CheckpointError, CorpusError, TrainingError
from lstm_edge.runtime.files import atomic_write_text
from lstm_edge.runtime.tokenizer import PAD_ID, Tokenizer

from .batching import Batch, batches, encode_all, split_by_description
from .checkpoint import BEST, LAST, load_checkpoint, save_checkpoint
from .config import LSTMConfig, TrainConfig
from .corpus import Corpus
from .model import LSTMLanguageModel

HISTORY = "history.json"
CURVES = "curves.png"
EVAL_BATCH_SIZE = 256


class TrainingInterrupted(Exception):
    """Training stopped on request after saving a checkpoint to resume from."""


@dataclass
class EpochMetrics:
    epoch: int  # 1-based
    train_loss: float
    train_accuracy: float
    val_loss: float
    val_perplexity: float
    val_accuracy: float
    seconds: float


@dataclass
class Progress:
    """Where a run stands; saved in every checkpoint."""

    epoch: int = 0  # epochs completed
    step: int = 0  # batches completed in the current epoch
    loss_sum: float = 0.0  # running sums of the current epoch's training batches
    correct: int = 0
    scored: int = 0
    targets: int = 0
    seconds: float = 0.0
    best_val_loss: float = math.inf
    best_epoch: int = 0
    bad_epochs: int = 0
    stop_reason: str | None = None
    history: list[dict[str, float]] = field(default_factory=list)


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
    corpus: Corpus,
    out_dir: str | Path,
    train_config: TrainConfig | None = None,
    model_options: dict[str, Any] | None = None,
    resume: bool = False,
    resume_epochs: int | None = None,
    device: str = "auto",
    show_progress: bool = True,
    should_stop: Callable[[], bool] = lambda: False,
    log: Callable[[str], None] = print,
) -> TrainingResult:
    """Train on `corpus`, writing checkpoints, history.json and curves.png into `out_dir`.

    With `resume`, continue from `out_dir/last.pt` with the configs saved there; `resume_epochs`
    changes the epoch limit (to train longer than first planned).
    """
    out_dir = Path(out_dir)
    torch_device = _pick_device(device)

    if resume:
        checkpoint = _checkpoint_to_resume(out_dir, corpus)
        train_config = TrainConfig.from_dict(checkpoint["train_config"])
        if resume_epochs is not None:
            train_config = TrainConfig.from_dict({**train_config.to_dict(), "epochs": resume_epochs})
        tokenizer = Tokenizer.from_json(checkpoint["tokenizer"])
        model_config = LSTMConfig.from_dict(checkpoint["model_config"])
    else:
        checkpoint = None
        train_config = train_config or TrainConfig()
        torch.manual_seed(train_config.seed)

    train_texts, val_texts = split_by_description(
        corpus.descriptions, train_config.val_fraction, train_config.split_seed
    )
    if checkpoint is None:
        tokenizer = Tokenizer.build(train_texts, train_config.min_count, train_config.max_vocab)
        model_config = LSTMConfig(vocab_size=len(tokenizer), **(model_options or {}))
    train_sequences = encode_all(train_texts, tokenizer)
    val_sequences = encode_all(val_texts, tokenizer)
    if not train_sequences or not val_sequences:
        raise CorpusError("the corpus has too few descriptions with words to train and validate on")

    model = LSTMLanguageModel(model_config).to(torch_device)
    # fused: one kernel for all parameters instead of a loop over them (about 10% of a CPU epoch here)
    optimizer = torch.optim.Adam(
        model.parameters(), lr=train_config.learning_rate, fused=torch_device.type in ("cpu", "cuda")
    )
    progress = Progress()
    if checkpoint is not None:
        model.load_state_dict(checkpoint["model_state"])
        optimizer.load_state_dict(checkpoint["optimizer_state"])
        progress = Progress(**checkpoint["progress"])
        torch.set_rng_state(checkpoint["rng_state"])
        if torch_device.type == "cuda" and "cuda_rng_state" in checkpoint:
            torch.cuda.set_rng_state(checkpoint["cuda_rng_state"], torch_device)
        log(f"Resuming {out_dir / LAST} at epoch {progress.epoch + 1}, batch {progress.step}")

    def snapshot() -> dict[str, Any]:
        state = {
            "model_config": model_config.to_dict(),
            "train_config": train_config.to_dict(),
            "tokenizer": tokenizer.to_json(),
            "model_state": {k: v.detach().cpu() for k, v in model.state_dict().items()},
            "optimizer_state": optimizer.state_dict(),
            "progress": asdict(progress),
            "rng_state": torch.get_rng_state(),
            "corpus": _corpus_summary(corpus, len(train_sequences), len(val_sequences)),
            "versions": {"torch": str(torch.__version__)},
        }
        if torch_device.type == "cuda":
            state["cuda_rng_state"] = torch.cuda.get_rng_state(torch_device)
        return state

    def finished() -> bool:
        return progress.bad_epochs >= train_config.patience or progress.epoch >= train_config.epochs

    log(
        f"Training on {corpus.source} ({len(train_sequences)} train / {len(val_sequences)} validation descriptions, "
        f"vocabulary {len(tokenizer)}, {sum(p.numel() for p in model.parameters()):,} parameters, {torch_device})"
    )
    while not finished():
        epoch = progress.epoch
        epoch_batches = batches(
            train_sequences, train_config.batch_size, shuffle_seed=_shuffle_seed(train_config, epoch)
        )
        bar = _progress_bar(len(epoch_batches), progress.step, epoch, train_config.epochs, show_progress)
        model.train()
        started = time.perf_counter()
        for batch in epoch_batches[progress.step :]:
            loss, correct, scored, targets = _train_step(
                model, optimizer, batch.to(torch_device), train_config.grad_clip
            )
            progress.loss_sum += loss
            progress.correct += correct
            progress.scored += scored
            progress.targets += targets
            progress.step += 1
            bar.update(1)
            bar.set_postfix(
                loss=f"{progress.loss_sum / progress.targets:.3f}",
                acc=f"{progress.correct / max(progress.scored, 1):.3f}",
                refresh=False,  # the bar redraws at its own pace
            )
            if should_stop():
                progress.seconds += time.perf_counter() - started
                bar.close()
                save_checkpoint(out_dir / LAST, snapshot())
                _draw_curves(out_dir, progress)
                raise TrainingInterrupted(
                    f"stopped at epoch {epoch + 1}, batch {progress.step}; checkpoint saved to {out_dir / LAST} "
                    "(continue with --resume)"
                )
        bar.close()

        val_loss, val_accuracy = evaluate(model, val_sequences, torch_device)
        metrics = EpochMetrics(
            epoch=epoch + 1,
            train_loss=progress.loss_sum / progress.targets,
            train_accuracy=progress.correct / max(progress.scored, 1),
            val_loss=val_loss,
            val_perplexity=math.exp(min(val_loss, 50.0)),
            val_accuracy=val_accuracy,
            seconds=progress.seconds + time.perf_counter() - started,
        )
        improved = val_loss < progress.best_val_loss
        progress = Progress(
            epoch=epoch + 1,
            best_val_loss=val_loss if improved else progress.best_val_loss,
            best_epoch=epoch + 1 if improved else progress.best_epoch,
            bad_epochs=0 if improved else progress.bad_epochs + 1,
            history=[*progress.history, asdict(metrics)],
        )
        if finished():
            progress.stop_reason = "early stopping" if progress.bad_epochs >= train_config.patience else "epoch limit"
        log(_epoch_line(metrics, train_config.epochs, improved))
        state = snapshot()
        if improved:
            save_checkpoint(out_dir / BEST, state)
        save_checkpoint(out_dir / LAST, state)
        _write_history(out_dir, progress, state)

    _finalize_best(out_dir, progress)
    _draw_curves(out_dir, progress)
    history = [EpochMetrics(**row) for row in progress.history]
    return TrainingResult(
        out_dir=out_dir,
        history=history,
        best=history[progress.best_epoch - 1],
        stop_reason=progress.stop_reason or "epoch limit",
        vocab_size=len(tokenizer),
        train_descriptions=len(train_sequences),
        val_descriptions=len(val_sequences),
    )


def _train_step(
    model: LSTMLanguageModel, optimizer: torch.optim.Optimizer, batch: Batch, grad_clip: float
) -> tuple[float, int, int, int]:
    """One update; returns (summed loss, correct, scored for accuracy, targets)."""
    logits, _ = model(batch.inputs)  # (B, T, V)
    flat_logits = logits.reshape(-1, logits.shape[-1])
    loss_sum = nn.functional.cross_entropy(flat_logits, batch.targets.reshape(-1), ignore_index=PAD_ID, reduction="sum")
    targets = int((batch.targets != PAD_ID).sum())
    optimizer.zero_grad(set_to_none=True)
    (loss_sum / targets).backward()
    if grad_clip > 0:
        nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
    optimizer.step()
    with torch.no_grad():
        hits = (logits.argmax(-1) == batch.targets) & batch.accuracy_mask
    return float(loss_sum.detach()), int(hits.sum()), int(batch.accuracy_mask.sum()), targets


@torch.no_grad()
def evaluate(model: LSTMLanguageModel, sequences: list[list[int]], device: torch.device) -> tuple[float, float]:
    """(mean loss over every target including <eos>, accuracy over the tutorial's targets)."""
    was_training = model.training
    model.eval()
    loss_sum, targets, correct, scored = 0.0, 0, 0, 0
    by_length = sorted(sequences, key=len)  # less padding; order does not change the sums
    for batch in batches(by_length, EVAL_BATCH_SIZE):
        batch = batch.to(device)
        logits, _ = model(batch.inputs)
        loss_sum += float(
            nn.functional.cross_entropy(
                logits.reshape(-1, logits.shape[-1]), batch.targets.reshape(-1), ignore_index=PAD_ID, reduction="sum"
            )
        )
        targets += int((batch.targets != PAD_ID).sum())
        correct += int(((logits.argmax(-1) == batch.targets) & batch.accuracy_mask).sum())
        scored += int(batch.accuracy_mask.sum())
    model.train(was_training)
    return loss_sum / max(targets, 1), correct / max(scored, 1)


def _finalize_best(out_dir: Path, progress: Progress) -> None:
    """Give best.pt the whole run's history and stop reason (its weights stay the best epoch's),
    so an export of it reports the finished run."""
    best = load_checkpoint(out_dir / BEST)
    if best["progress"].get("history") != progress.history:
        save_checkpoint(out_dir / BEST, {**best, "progress": asdict(progress)})


def _checkpoint_to_resume(out_dir: Path, corpus: Corpus) -> dict[str, Any]:
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


def _corpus_summary(corpus: Corpus, train: int, val: int) -> dict[str, Any]:
    return {
        "source": corpus.source,
        "column": corpus.column,
        "sha256": corpus.sha256,
        "descriptions": len(corpus.descriptions),
        "skipped_rows": corpus.skipped,
        "train_descriptions": train,
        "val_descriptions": val,
    }


def _write_history(out_dir: Path, progress: Progress, state: dict[str, Any]) -> None:
    report = {
        "history": progress.history,
        "best_epoch": progress.best_epoch,
        "stop_reason": progress.stop_reason,
        "corpus": state["corpus"],
        "model_config": state["model_config"],
        "train_config": state["train_config"],
        "vocab_size": state["model_config"]["vocab_size"],
    }
    atomic_write_text(out_dir / HISTORY, json.dumps(report, indent=2) + "\n")


def _draw_curves(out_dir: Path, progress: Progress) -> None:
    """At the end of a run or an interruption only: drawing costs about 10% of a small model's epoch."""
    from .plot import plot_curves

    if progress.history:
        plot_curves(progress.history, out_dir / CURVES, best_epoch=progress.best_epoch)


def _pick_device(device: str) -> torch.device:
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


def _shuffle_seed(config: TrainConfig, epoch: int) -> int:
    return config.seed * 1_000_003 + epoch


def _epoch_line(metrics: EpochMetrics, epochs: int, improved: bool) -> str:
    return (
        f"epoch {metrics.epoch:>3}/{epochs}  train loss {metrics.train_loss:.4f}  acc {metrics.train_accuracy:.4f}  "
        f"| val loss {metrics.val_loss:.4f}  ppl {metrics.val_perplexity:.2f}  acc {metrics.val_accuracy:.4f}  "
        f"({metrics.seconds:.1f} s){'  *' if improved else ''}"
    )


def _progress_bar(total: int, done: int, epoch: int, epochs: int, enabled: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(
        total=total,
        initial=done,
        desc=f"epoch {epoch + 1}/{epochs}",
        unit="batch",
        leave=False,
        disable=not enabled,
        dynamic_ncols=True,
    )

"""Where a run stands, the metrics of each epoch, and when to stop; saved in every checkpoint."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from .config import TrainConfig
from .metrics import Tally


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
    epoch: int = 0  # epochs completed
    step: int = 0  # batches completed in the current epoch
    running: Tally = field(default_factory=Tally)  # the current epoch's training batches so far
    seconds: float = 0.0  # spent in the current epoch before an interruption
    best_val_loss: float = math.inf
    best_epoch: int = 0
    bad_epochs: int = 0  # epochs since the best one
    stop_reason: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)  # EpochMetrics as dicts

    def add_batch(self, tally: Tally) -> None:
        self.running = self.running + tally
        self.step += 1

    def end_epoch(self, validation: Tally, seconds: float, config: TrainConfig) -> bool:
        """Record the epoch that just finished and start the next; True when validation improved."""
        metrics = EpochMetrics(
            epoch=self.epoch + 1,
            train_loss=self.running.loss,
            train_accuracy=self.running.accuracy,
            val_loss=validation.loss,
            val_perplexity=validation.perplexity,
            val_accuracy=validation.accuracy,
            seconds=self.seconds + seconds,
        )
        improved = metrics.val_loss < self.best_val_loss
        if improved:
            self.best_val_loss, self.best_epoch, self.bad_epochs = metrics.val_loss, metrics.epoch, 0
        else:
            self.bad_epochs += 1
        self.epoch, self.step, self.running, self.seconds = metrics.epoch, 0, Tally(), 0.0
        self.history = [*self.history, asdict(metrics)]
        self.stop_reason = None
        if self.bad_epochs >= config.patience:
            self.stop_reason = "early stopping"
        elif self.epoch >= config.epochs:
            self.stop_reason = "epoch limit"
        return improved

    def finished(self, config: TrainConfig) -> bool:
        return self.bad_epochs >= config.patience or self.epoch >= config.epochs

    @property
    def best(self) -> EpochMetrics:
        return EpochMetrics(**self.history[self.best_epoch - 1])

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Progress:
        """From a checkpoint; `ValueError` unless every field has its type and a possible value."""
        if not isinstance(data, dict):
            raise ValueError("progress is not a mapping")
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        if "running" in data:
            running = data["running"]
            values["running"] = Tally(**running) if isinstance(running, dict) else running
        else:  # written before the running sums had a name of their own
            values["running"] = Tally(*(data.get(key, 0) for key in ("loss_sum", "targets", "correct", "scored")))
        progress = cls(**values)
        progress._check()
        return progress

    def _check(self) -> None:
        counts = [self.epoch, self.step, self.best_epoch, self.bad_epochs, self.running.targets]
        counts += [self.running.correct, self.running.scored]
        if not all(type(n) is int and n >= 0 for n in counts):
            raise ValueError("progress counts are not whole numbers ≥ 0")
        if not all(type(x) in (int, float) for x in (self.seconds, self.best_val_loss, self.running.loss_sum)):
            raise ValueError("progress sums are not numbers")
        if not (self.stop_reason is None or isinstance(self.stop_reason, str)) or not isinstance(self.history, list):
            raise ValueError("progress has a stop reason or history of the wrong type")
        names = {f.name for f in fields(EpochMetrics)}
        for row in self.history:
            if not isinstance(row, dict) or set(row) != names or not all(type(v) in (int, float) for v in row.values()):
                raise ValueError("progress history rows are not epoch metrics")
        if len(self.history) != self.epoch or self.best_epoch > self.epoch or (self.epoch and not self.best_epoch):
            raise ValueError("progress epochs do not agree with its history")

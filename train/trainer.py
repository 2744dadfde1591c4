"""The training loop: teacher forcing, validation per epoch, early stopping, checkpoints and resume.

Resuming is exact: the shuffle of epoch e comes from its own generator (seed, e), the global RNG
state (dropout) and the optimizer travel in the checkpoint, and a checkpoint taken mid-epoch
records how many batches of that epoch are done.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from lstm_edge.runtime.errors import TrainingError

from . import distributed
from .batching import Batch, Batches, batches
from .checkpoint import LAST, restore_training, save_checkpoint, training_state
from .config import LSTMConfig, TrainConfig
from .distributed import ONE_PROCESS, RankLost, Ranks
from .metrics import Tally, score
from .model import LSTMLanguageModel
from .progress import EpochMetrics, Progress
from .report import ProgressBar, describe_run, epoch_line
from .resume import checkpoint_to_resume
from .run_data import prepare_data
from .run_dir import TOKENS, check_outputs, draw_curves, finish_run, make_run_dir, remove_leftovers, save_epoch, writing
from .run_lock import RunLock
from .token_file import Sequences, TokenFile

EVAL_BATCH_SIZE = 256  # descriptions per validation batch
EVAL_LOGITS = 1 << 24  # logits computed at once in validation (64 MB of float32), whatever the vocabulary


class TrainingInterrupted(Exception):
    """Training stopped on request after saving a checkpoint to resume from."""


@dataclass
class Run:
    """Everything a training run works on."""

    config: TrainConfig
    ranks: Ranks
    device: torch.device
    data: TokenFile  # the corpus as token ids: .tokenizer, .train, .val (`<bos> w1 … wn <eos>` each)
    model: LSTMLanguageModel
    network: torch.nn.Module  # what a step runs: the model, or the model inside DistributedDataParallel
    optimizer: torch.optim.Optimizer
    progress: Progress

    @property
    def out(self) -> Path:
        return Path(self.config.out)

    def state(self) -> dict[str, Any]:
        """The checkpoint to save (every rank calls this: the random states are gathered)."""
        rng_states = self.ranks.gather_rng_states()
        corpus = self.data.header["corpus"]
        return training_state(
            self.config, self.data.tokenizer, self.model, self.optimizer, self.progress, corpus, rng_states
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
    rank: int = 0  # which of several processes this is (only rank 0 writes and reports)

    @classmethod
    def of(cls, run: Run) -> TrainingResult:
        progress, data = run.progress, run.data
        history = [EpochMetrics(**row) for row in progress.history]
        stop_reason = progress.stop_reason or "epoch limit"
        sizes = len(data.tokenizer), len(data.train), len(data.val)
        return cls(run.out, history, progress.best, stop_reason, *sizes, run.ranks.rank)


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

    Under torchrun every rank calls this; rank 0 alone locks and writes the directory and logs.
    """
    ranks = distributed.start(config.device)
    try:
        if not ranks.main:
            return _train(config, network or LSTMConfig(), resume, ranks, False, should_stop, _quiet)
        out = Path(config.out)
        make_run_dir(out)
        with RunLock(out):
            check_outputs(out, fresh=not resume, overwrite=overwrite, data=config.data)
            remove_leftovers(out)
            return _train(config, network or LSTMConfig(), resume, ranks, show_progress, should_stop, log)
    finally:
        distributed.stop(ranks)


def _train(
    config: TrainConfig,
    network: LSTMConfig,
    resume: bool,
    ranks: Ranks,
    show_progress: bool,
    should_stop: Callable[[], bool],
    log: Callable[[str], None],
) -> TrainingResult:
    run = start_run(config, network, resume, ranks, log, show_progress)
    try:
        train_epochs(run, show_progress, should_stop, log)
    except RankLost as lost:
        if not ranks.main:
            raise
        # The weights and optimizer are those after the last completed step: a resumable checkpoint.
        state = training_state(
            config, run.data.tokenizer, run.model, run.optimizer, run.progress, run.data.header["corpus"]
        )
        with writing(run.out / LAST):
            save_checkpoint(run.out / LAST, state)
        raise RankLost(
            f"{lost}; saved {run.out / LAST} at epoch {run.progress.epoch + 1}, batch {run.progress.step}: "
            "continue with --resume (with any number of ranks)"
        ) from None
    if ranks.main:
        finish_run(run.out, run.progress)
    return TrainingResult.of(run)


def train_epochs(run: Run, show_progress: bool, should_stop: Callable[[], bool], log: Callable[[str], None]) -> None:
    """The loop: epochs of shuffled batches, each epoch validated and checkpointed, until told to stop."""
    config, progress, ranks = run.config, run.progress, run.ranks
    while not progress.finished(config):
        started = time.perf_counter()
        epoch = batches(
            run.data.train, config.batch_size, shuffle_seed(config, progress.epoch), ranks.rank, ranks.world
        )
        bar = ProgressBar(len(epoch), progress, config.epochs, show_progress)
        for batch in epoch.from_step(progress.step):
            tally, stop = train_step(run, batch.to(run.device), should_stop)
            progress.add_batch(tally)
            bar.update(progress.running)
            if not math.isfinite(progress.running.loss_sum):
                raise TrainingError(f"the loss is not finite at epoch {progress.epoch + 1}; try a lower --lr")
            if stop:
                bar.close()
                progress.seconds += time.perf_counter() - started
                stop_here(run)
        bar.close()
        validation = evaluate(run.model, run.data.val, run.device, ranks)
        improved = progress.end_epoch(validation, time.perf_counter() - started, config)
        log(epoch_line(EpochMetrics(**progress.history[-1]), config.epochs, improved))
        state = run.state()
        if ranks.main:
            save_epoch(run.out, state, improved)


def train_step(run: Run, batch: Batch, should_stop: Callable[[], bool]) -> tuple[Tally, bool]:
    """One update on `batch` (this rank's share of the global batch); returns the global batch's tally
    (measured before the update) and whether any rank asked to stop."""
    with run.ranks.collective("training"):
        logits, _ = run.network(batch.inputs)  # (B, T, V)
        loss_sum, tally = score(logits, batch.targets, batch.accuracy_mask)
        total, stop = run.ranks.sum(tally, should_stop())
        run.optimizer.zero_grad(set_to_none=True)
        # DDP averages gradients over the ranks; scaled so, they are the global batch's mean-loss gradients
        (loss_sum * run.ranks.world / total.targets).backward()
    if run.config.grad_clip > 0:
        nn.utils.clip_grad_norm_(run.model.parameters(), run.config.grad_clip)
    run.optimizer.step()
    return total, stop


@torch.no_grad()
def evaluate(model: LSTMLanguageModel, sequences: Sequences, device: torch.device, ranks: Ranks = ONE_PROCESS) -> Tally:
    """The tally of `sequences` under the model, with dropout off (summed over ranks, each scoring
    every world-th batch).

    Logits are computed EVAL_LOGITS at a time (positions × vocabulary), so memory does not grow with
    the vocabulary, the batch or the length; the LSTM's outputs, (B, T, H), are small beside them.
    """
    was_training = model.training
    model.eval()
    total = Tally()
    positions = max(1, EVAL_LOGITS // model.config.vocab_size)  # per chunk
    by_length = np.argsort(sequences.lengths, kind="stable")  # less padding; order does not change the sums
    in_batches = [by_length[start : start + EVAL_BATCH_SIZE] for start in range(0, len(by_length), EVAL_BATCH_SIZE)]
    mine = np.concatenate(in_batches[ranks.rank :: ranks.world] or [np.zeros(0, np.int64)])
    for batch in Batches(sequences, EVAL_BATCH_SIZE, mine):
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
    return ranks.sum(total)[0]


def start_run(
    config: TrainConfig,
    network: LSTMConfig,
    resume: bool,
    ranks: Ranks,
    log: Callable[[str], None],
    show_progress: bool = False,
) -> Run:
    """A new run from `config`, or the saved one in `config.out` continued."""
    device = pick_device(distributed.rank_device(config.device, ranks))
    if config.batch_size < ranks.world:
        raise TrainingError(f"--batch-size {config.batch_size} is smaller than the {ranks.world} ranks")
    out = Path(config.out)
    saved = checkpoint_to_resume(out, config, network) if resume else None
    if ranks.main:  # the others wait while rank 0 checks the directory and writes the token file
        data = prepare_data(out, config, saved, log, show_progress)
    ranks.barrier("rank 0 read the data")
    if not ranks.main:
        data = TokenFile.open(out / TOKENS)
    if saved is None:
        torch.manual_seed(config.seed)
    model = LSTMLanguageModel(replace(network, vocab_size=len(data.tokenizer))).to(device)
    wrapped = torch.nn.parallel.DistributedDataParallel(model) if ranks.distributed else model
    # fused: one kernel for all parameters instead of a loop over them (about 10% of a CPU epoch here)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate, fused=device.type in ("cpu", "cuda"))
    progress = restore_training(saved, model, optimizer, ranks.rank, ranks.world) if saved else Progress()
    if saved:
        log(f"Resuming {out / LAST} at epoch {progress.epoch + 1}, batch {progress.step}")
    log(describe_run(data, model, device, config.max_tokens, ranks))
    return Run(config, ranks, device, data, model, wrapped, optimizer, progress)


def stop_here(run: Run) -> None:
    """On request (Ctrl-C, SIGTERM): save mid-epoch, draw the curves so far, and end the run."""
    state = run.state()
    if run.ranks.main:
        with writing(run.out / LAST):
            save_checkpoint(run.out / LAST, state)
        draw_curves(run.out, run.progress)
    raise TrainingInterrupted(
        f"stopped at epoch {run.progress.epoch + 1}, batch {run.progress.step}; checkpoint saved to "
        f"{run.out / LAST} (continue with --resume)"
    )


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


def _quiet(_line: str) -> None:
    """The log of ranks other than 0."""

"""Training on N processes with PyTorch's DistributedDataParallel, started by `torchrun`.

    torchrun --nproc-per-node 2 -m lstm_edge.train --data catalogue.csv --out runs/catalogue

torchrun sets RANK, LOCAL_RANK and WORLD_SIZE (and where to meet); without them this is one process
and nothing here does anything. The backend is gloo on CPU and NCCL on CUDA (each rank takes
cuda:LOCAL_RANK).

What N changes, and what it does not:

    --batch-size is the global batch: each step takes the next `batch_size` descriptions of the epoch's
    seeded shuffle (the same for every N) and rank r trains on every N-th of them; the loss of each
    rank is scaled by N / (targets of the whole global batch), and DDP averages gradients over ranks,
    so the update is the one a single process makes on that batch (up to float summation order).
    The learning rate therefore keeps its meaning for any N; more ranks make each step faster, not
    bigger. (To use more ranks for bigger steps, raise --batch-size, and --lr with it if you wish.)

Metrics are summed over ranks before they are reported; only rank 0 writes files or draws a
progress bar; a stop request (Ctrl-C, SIGTERM) on any rank stops all of them after the same batch.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import torch
import torch.distributed as dist

from lstm_edge.runtime.errors import TrainingError

from .metrics import Tally

TIMEOUT = timedelta(minutes=30)  # a rank waits this long for the others (rank 0 builds the token file meanwhile)


class RankLost(TrainingError):
    """Another rank stopped (crashed, killed or lost) while this one waited for it."""


@dataclass(frozen=True)
class Ranks:
    """This process's place among the training processes (one process: rank 0 of 1)."""

    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world > 1

    def sum(self, tally: Tally, stop: bool = False) -> tuple[Tally, bool]:
        """The tally summed over ranks, and whether any rank asked to stop."""
        if not self.distributed:
            return tally, stop
        values = torch.tensor(
            [tally.loss_sum, tally.targets, tally.correct, tally.scored, float(stop)], dtype=torch.float64
        )
        with self.collective("summing metrics"):
            dist.all_reduce(values)
        loss_sum, targets, correct, scored, stops = values.tolist()
        return Tally(loss_sum, int(targets), int(correct), int(scored)), stops > 0

    def barrier(self, waiting_for: str) -> None:
        if self.distributed:
            with self.collective(waiting_for):
                dist.barrier()

    def gather_rng_states(self) -> list[torch.Tensor]:
        """Every rank's CPU random state, in rank order (what dropout draws from)."""
        state = torch.get_rng_state()
        if not self.distributed:
            return [state]
        states = [torch.empty_like(state) for _ in range(self.world)]
        with self.collective("gathering random states"):
            dist.all_gather(states, state)
        return states

    @contextmanager
    def collective(self, doing: str) -> Iterator[None]:
        """Errors of a collective (a rank died, the network went away) as `RankLost`."""
        try:
            yield
        except RuntimeError as error:
            if not self.distributed:
                raise
            reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
            reason = reason.split("] ", 1)[-1][:160]  # without gloo's source location
            raise RankLost(f"rank {self.rank} of {self.world}: another rank stopped while {doing} ({reason})") from None


ONE_PROCESS = Ranks()


def start(device: str) -> Ranks:
    """Join the other ranks when torchrun started this process; otherwise rank 0 of 1."""
    if "WORLD_SIZE" not in os.environ or int(os.environ["WORLD_SIZE"]) <= 1:
        return Ranks()
    try:
        rank, world, local = (int(os.environ[name]) for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK"))
    except (KeyError, ValueError):
        raise TrainingError("WORLD_SIZE is set but RANK or LOCAL_RANK is not: start ranks with torchrun") from None
    backend = "nccl" if _wants_cuda(device) else "gloo"
    if backend == "nccl":
        torch.cuda.set_device(local)
    try:
        dist.init_process_group(backend, timeout=TIMEOUT)
    except (RuntimeError, ValueError) as error:
        raise TrainingError(f"cannot join the other ranks ({str(error).splitlines()[0][:160]})") from None
    return Ranks(rank, world, local)


def stop(ranks: Ranks) -> None:
    if ranks.distributed and dist.is_initialized():
        dist.destroy_process_group()


def rank_device(device: str, ranks: Ranks) -> str:
    """Under torchrun, `cuda` (or `auto` with CUDA) means this rank's own GPU, cuda:LOCAL_RANK."""
    if not ranks.distributed or not _wants_cuda(device):
        return device
    if device not in ("auto", "cuda"):
        raise TrainingError(f"--device {device!r} under torchrun: use --device cuda (rank r takes cuda:LOCAL_RANK)")
    return f"cuda:{ranks.local_rank}"


def _wants_cuda(device: str) -> bool:
    return device.startswith("cuda") or (device == "auto" and torch.cuda.is_available())

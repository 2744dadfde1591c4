"""The one place loss and accuracy are computed, for training and validation alike.

Loss is cross-entropy over every target (`<eos>` included, padding ignored); accuracy is over the
tutorial's targets only (word 2 … n, see `batching.py`). Both are kept as sums, so batches, chunks
and ranks add up exactly and the means are taken once, at the end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from lstm_edge.runtime.tokenizer import PAD_ID


@dataclass
class Tally:
    """Running sums over batches."""

    loss_sum: float = 0.0  # summed cross-entropy (nats)
    targets: int = 0  # positions that count for the loss
    correct: int = 0  # positions scored for accuracy where the top logit is the target
    scored: int = 0  # positions scored for accuracy

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.loss_sum + other.loss_sum,
            self.targets + other.targets,
            self.correct + other.correct,
            self.scored + other.scored,
        )

    @property
    def loss(self) -> float:
        return self.loss_sum / max(self.targets, 1)

    @property
    def accuracy(self) -> float:
        return self.correct / max(self.scored, 1)

    @property
    def perplexity(self) -> float:
        return math.exp(min(self.loss, 50.0))


def score(logits: torch.Tensor, targets: torch.Tensor, accuracy_mask: torch.Tensor) -> tuple[torch.Tensor, Tally]:
    """Summed loss as a tensor (to back-propagate) and the tally of these positions.

    logits (…, V), targets (…) with PAD_ID where padded, accuracy_mask (…) bool.
    """
    loss_sum = nn.functional.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=PAD_ID, reduction="sum"
    )
    with torch.no_grad():
        hits = (logits.argmax(-1) == targets) & accuracy_mask
    tally = Tally(float(loss_sum.detach()), int((targets != PAD_ID).sum()), int(hits.sum()), int(accuracy_mask.sum()))
    return loss_sum, tally

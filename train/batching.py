"""Turning descriptions into padded teacher-forcing batches.

Each description becomes `<bos> w1 … wn <eos>`; the model reads all but the last token and predicts
all but the first, so one pass covers every n-gram prefix the tutorial built by hand:

    sequence  <bos>  a     cream  coat   .      <eos>
    inputs    <bos>  a     cream  coat   .
    targets   a      cream coat   .      <eos>
    scored    loss   loss  loss   loss   loss        (every target)
    accuracy  -      acc   acc    acc    acc    -    (the tutorial's targets: word 2 … n)

A batch pads on the right with <pad> (id 0); padded targets are ignored. The LSTM reads left to right,
so right padding never changes the outputs at real positions and no packing is needed:

    a cream coat .  <eos>            inputs    [2, 4, 6, 5, 7]      targets [4, 6, 5, 7, 3]
    a coat <eos>                ->             [2, 4, 5, 0, 0]              [4, 5, 3, 0, 0]
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from lstm_edge.runtime.errors import CorpusError
from lstm_edge.runtime.tokenizer import BOS_ID, EOS_ID, PAD_ID, Tokenizer


@dataclass(frozen=True)
class Batch:
    inputs: torch.Tensor  # (B, T) int64
    targets: torch.Tensor  # (B, T) int64, PAD_ID where padded
    accuracy_mask: torch.Tensor  # (B, T) bool: the tutorial's targets (word 2 … n, no <eos>)

    def to(self, device: torch.device) -> Batch:
        return Batch(self.inputs.to(device), self.targets.to(device), self.accuracy_mask.to(device))

    @classmethod
    def empty(cls) -> Batch:
        """A batch that contributes no loss and no gradient (one position, its target ignored)."""
        return cls(torch.full((1, 1), BOS_ID), torch.full((1, 1), PAD_ID), torch.zeros((1, 1), dtype=torch.bool))


def split_indices(count: int, val_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the training and validation descriptions among `count`, each in file order:
    `val_fraction` of them (at least one, and at least one left to train on), shuffled out with `seed`."""
    if count < 2:
        raise CorpusError("need at least 2 descriptions to hold some out for validation")
    order = torch.randperm(count, generator=torch.Generator().manual_seed(seed)).numpy()
    n_val = min(count - 1, max(1, round(count * val_fraction)))
    return np.sort(order[n_val:]), np.sort(order[:n_val])


def split_by_description(descriptions: list[str], val_fraction: float, seed: int) -> tuple[list[str], list[str]]:
    """Shuffle whole descriptions with `seed` and hold out `val_fraction` of them (at least one)."""
    train, val = split_indices(len(descriptions), val_fraction, seed)
    return [descriptions[i] for i in train], [descriptions[i] for i in val]


@dataclass
class Encoded:
    sequences: list[list[int]]  # `<bos> w1 … wn <eos>` per description with at least one word
    truncated: int = 0  # descriptions cut at the token cap
    dropped_tokens: int = 0  # tokens beyond the cap


def encode_capped(descriptions: list[str], tokenizer: Tokenizer, max_tokens: int | None = None) -> Encoded:
    """Ids of each description with at least one word; one longer than `max_tokens` words and
    punctuation keeps its first `max_tokens` and no `<eos>` (it did not end there)."""
    encoded = Encoded([])
    for text in descriptions:
        ids = tokenizer.encode(text, add_bos=True, add_eos=True).ids
        if len(ids) <= 2:
            continue
        if max_tokens is not None and len(ids) - 2 > max_tokens:
            encoded.truncated += 1
            encoded.dropped_tokens += len(ids) - 2 - max_tokens
            ids = ids[: 1 + max_tokens]
        encoded.sequences.append(ids)
    return encoded


def encode_all(descriptions: list[str], tokenizer: Tokenizer) -> list[list[int]]:
    """`<bos> w1 … wn <eos>` ids for each description that has at least one word."""
    return encode_capped(descriptions, tokenizer).sequences


def collate(sequences: Sequence[Sequence[int] | np.ndarray]) -> Batch:
    """One padded batch of `<bos> … <eos>` id sequences (lists or numpy arrays)."""
    longest = max(len(s) for s in sequences) - 1
    inputs = torch.full((len(sequences), longest), PAD_ID, dtype=torch.long)
    targets = torch.full((len(sequences), longest), PAD_ID, dtype=torch.long)
    for row, sequence in enumerate(sequences):
        ids = torch.as_tensor(np.asarray(sequence, dtype=np.int64))
        inputs[row, : len(ids) - 1] = ids[:-1]
        targets[row, : len(ids) - 1] = ids[1:]
    positions = torch.arange(longest).unsqueeze(0)
    accuracy_mask = (positions >= 1) & (targets != PAD_ID) & (targets != EOS_ID)
    return Batch(inputs, targets, accuracy_mask)


class Batches:
    """One epoch's batches in `order`, each collated when it is read (memory holds one batch, not the epoch).

    With ranks, every batch is the same global batch and rank r takes every `world`-th description of
    it: all ranks together train on exactly what one process would. A rank whose share is empty (the
    last batch, fewer descriptions than ranks) gets `Batch.empty()`, which adds nothing.
    """

    def __init__(
        self, sequences: Sequence[Any], batch_size: int, order: np.ndarray, rank: int = 0, world: int = 1
    ) -> None:
        self.sequences, self.batch_size, self.order = sequences, batch_size, order
        self.rank, self.world = rank, world

    def __len__(self) -> int:
        return -(-len(self.order) // self.batch_size)

    def __iter__(self) -> Iterator[Batch]:
        return self.from_step(0)

    def from_step(self, step: int) -> Iterator[Batch]:
        for start in range(step * self.batch_size, len(self.order), self.batch_size):
            mine = self.order[start : start + self.batch_size][self.rank :: self.world]
            yield collate([self.sequences[i] for i in mine]) if len(mine) else Batch.empty()


def batches(
    sequences: Sequence[Any], batch_size: int, shuffle_seed: int | None = None, rank: int = 0, world: int = 1
) -> Batches:
    """The batches of one epoch; shuffled by `shuffle_seed` (a fresh generator, so resuming repeats it)."""
    order = np.arange(len(sequences))
    if shuffle_seed is not None:
        order = torch.randperm(len(sequences), generator=torch.Generator().manual_seed(shuffle_seed)).numpy()
    return Batches(sequences, batch_size, order, rank, world)

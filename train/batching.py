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

from dataclasses import dataclass

import torch

from lstm_edge.runtime.errors import CorpusError
from lstm_edge.runtime.tokenizer import EOS_ID, PAD_ID, Tokenizer


@dataclass(frozen=True)
class Batch:
    inputs: torch.Tensor  # (B, T) int64
    targets: torch.Tensor  # (B, T) int64, PAD_ID where padded
    accuracy_mask: torch.Tensor  # (B, T) bool: the tutorial's targets (word 2 … n, no <eos>)

    def to(self, device: torch.device) -> Batch:
        return Batch(self.inputs.to(device), self.targets.to(device), self.accuracy_mask.to(device))


def split_by_description(descriptions: list[str], val_fraction: float, seed: int) -> tuple[list[str], list[str]]:
    """Shuffle whole descriptions with `seed` and hold out `val_fraction` of them (at least one)."""
    if len(descriptions) < 2:
        raise CorpusError("need at least 2 descriptions to hold some out for validation")
    order = torch.randperm(len(descriptions), generator=torch.Generator().manual_seed(seed)).tolist()
    n_val = min(len(descriptions) - 1, max(1, round(len(descriptions) * val_fraction)))
    val = [descriptions[i] for i in sorted(order[:n_val])]
    train = [descriptions[i] for i in sorted(order[n_val:])]
    return train, val


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


def collate(sequences: list[list[int]]) -> Batch:
    longest = max(len(s) for s in sequences) - 1
    inputs = torch.full((len(sequences), longest), PAD_ID, dtype=torch.long)
    targets = torch.full((len(sequences), longest), PAD_ID, dtype=torch.long)
    for row, ids in enumerate(sequences):
        inputs[row, : len(ids) - 1] = torch.tensor(ids[:-1])
        targets[row, : len(ids) - 1] = torch.tensor(ids[1:])
    positions = torch.arange(longest).unsqueeze(0)
    accuracy_mask = (positions >= 1) & (targets != PAD_ID) & (targets != EOS_ID)
    return Batch(inputs, targets, accuracy_mask)


def batches(sequences: list[list[int]], batch_size: int, shuffle_seed: int | None = None) -> list[Batch]:
    """All batches of one epoch; shuffled by `shuffle_seed` (a fresh generator, so resuming repeats it)."""
    order = list(range(len(sequences)))
    if shuffle_seed is not None:
        order = torch.randperm(len(sequences), generator=torch.Generator().manual_seed(shuffle_seed)).tolist()
    return [
        collate([sequences[i] for i in order[start : start + batch_size]]) for start in range(0, len(order), batch_size)
    ]

"""The corpus encoded once into a compact token file in the run directory, read through numpy memmaps.

Training and validation read their descriptions from this file, so memory holds the model, a batch
and the vocabulary, never the corpus. It is built in one pass over the CSV (so a pipe works) and
reused on `--resume` when the CSV's sha256 (of its text, decompressed) and the options that shaped it match.

Building, in one read of the CSV:

    CSV chunks ─▶ words ─▶ provisional ids (first appearance) ─▶ spool file (uint32) + lengths
    lengths ─▶ split by description (seeded, as `split_indices`) ─▶ counts over the training side
    ─▶ vocabulary (most frequent first, ties by first appearance: exactly `Tokenizer.build`)
    ─▶ final ids, `<bos> w1 … wn <eos>` per description (cut at max_tokens, then no <eos>)

File layout (little-endian):

    b"LSTMTOK1" | header length: uint64 | header: JSON (see `_header`) | zero padding to 64 bytes
    train offsets: int64 × (train + 1) | validation offsets: int64 × (val + 1) | tokens: uint16 or uint32
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lstm_edge.runtime.errors import CorpusError
from lstm_edge.runtime.files import atomic_path
from lstm_edge.runtime.text_source import DataDigests
from lstm_edge.runtime.tokenizer import BOS_ID, EOS_ID, SPECIAL_TOKENS, UNK_ID, Tokenizer, split_words

from .batching import split_indices
from .config import TrainConfig
from .corpus import DescriptionReader

MAGIC = b"LSTMTOK1"
VERSION = 1
ALIGN = 64
SCAN_DESCRIPTIONS = 20_000  # descriptions handled at once while building (bounds the work arrays)
SHAPING = ("column", "val_fraction", "split_seed", "min_count", "max_vocab", "max_tokens")  # options it depends on


class Sequences:
    """Token sequences in a memmap: `len()`, `[i]` → the ids of sequence i (a numpy array), `lengths`."""

    def __init__(self, offsets: np.ndarray, tokens: np.ndarray) -> None:
        self.offsets = offsets  # (n + 1,) int64, into `tokens`
        self.tokens = tokens

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, index: int) -> np.ndarray:
        return self.tokens[self.offsets[index] : self.offsets[index + 1]]

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)


@dataclass(frozen=True)
class TokenFile:
    path: Path
    header: dict[str, Any]
    tokenizer: Tokenizer
    train: Sequences
    val: Sequences

    @property
    def sha256(self) -> str:
        return str(self.header["corpus"]["sha256"])

    def shaped_like(self, config: TrainConfig) -> bool:
        """Built with these options (data apart, which its sha256 stands for)."""
        return all(self.header["options"].get(name) == getattr(config, name) for name in SHAPING)

    @classmethod
    def open(cls, path: Path) -> TokenFile:
        """Map the file; `CorpusError` when it is not a whole token file of this version."""
        try:
            with open(path, "rb") as handle:
                if handle.read(len(MAGIC)) != MAGIC:
                    raise ValueError("not a token file")
                size = int(np.frombuffer(handle.read(8), dtype="<u8")[0])
                if not 0 < size < 1 << 30:
                    raise ValueError("header size out of range")
                header = json.loads(handle.read(size))
            start = _aligned(len(MAGIC) + 8 + size)
            counts = header["counts"]
            train_n, val_n, total = int(counts["train"]), int(counts["val"]), int(counts["tokens"])
            dtype = np.dtype(header["dtype"])
            expected = start + 8 * (train_n + 1 + val_n + 1) + dtype.itemsize * total
            if header["version"] != VERSION or os.path.getsize(path) != expected or dtype not in (np.uint16, np.uint32):
                raise ValueError("version or size does not match")
            offsets = np.memmap(path, dtype="<i8", mode="r", offset=start, shape=(train_n + 1 + val_n + 1,))
            tokens_at = start + 8 * (train_n + 1 + val_n + 1)
            tokens = np.memmap(path, dtype=dtype.newbyteorder("<"), mode="r", offset=tokens_at, shape=(total,))
            tokenizer = Tokenizer.from_json(header["tokenizer"])
        except (OSError, ValueError, KeyError, TypeError, IndexError) as error:
            raise CorpusError(f"{path}: not a usable token file ({error})") from None
        train = Sequences(offsets[: train_n + 1], tokens)
        val = Sequences(offsets[train_n + 1 :], tokens)
        return cls(path, header, tokenizer, train, val)


def build_token_file(
    path: Path,
    data: str | None,
    config: TrainConfig,
    tokenizer: Tokenizer | None = None,
    progress: Callable[[int], None] = lambda rows: None,
    check_data: Callable[[DataDigests], None] = lambda digests: None,
) -> TokenFile:
    """Read the CSV once and write the token file at `path` (atomically); `tokenizer` (on resume)
    replaces the vocabulary the training side would give. `progress(rows)` is told as rows are read;
    `check_data(digests)` may refuse the data (by raising) before anything is written."""
    with tempfile.TemporaryFile(dir=path.parent) as spool, DescriptionReader(data, config.column) as reader:
        words: dict[str, int] = {}  # word → provisional id, in order of first appearance
        lengths: list[np.ndarray] = []
        for chunk in reader.chunks():
            ids = [[words.setdefault(word, len(words)) for word in split_words(text)] for text in chunk]
            lengths.append(np.fromiter(map(len, ids), dtype=np.int64, count=len(ids)))
            spool.write(np.fromiter((i for row in ids for i in row), dtype=np.uint32).tobytes())
            progress(reader.descriptions + reader.skipped)
        spool.flush()
        check_data(reader.digests)
        lengths_all = np.concatenate(lengths)
        provisional = np.memmap(spool, dtype=np.uint32, mode="r") if lengths_all.sum() else np.zeros(0, np.uint32)
        train_rows, val_rows = split_indices(len(lengths_all), config.val_fraction, config.split_seed)
        starts = np.concatenate([[0], np.cumsum(lengths_all)])
        if tokenizer is None:
            tokenizer = _vocabulary(provisional, starts, train_rows, list(words), config)
        final_ids = np.array([tokenizer.ids.get(word, UNK_ID) for word in words], dtype=np.uint32)
        summary = {"source": reader.source, "column": reader.column, "sha256": reader.sha256}
        summary |= {"descriptions": reader.descriptions, "skipped_rows": reader.skipped}
        _write(path, provisional, starts, (train_rows, val_rows), final_ids, tokenizer, config, summary)
    return TokenFile.open(path)


def _vocabulary(
    provisional: np.ndarray, starts: np.ndarray, train_rows: np.ndarray, words: list[str], config: TrainConfig
) -> Tokenizer:
    """`Tokenizer.build` over the training descriptions, from counts: most frequent first, ties by
    first appearance (on the training side), at least `min_count`, at most `max_vocab` entries."""
    counts = np.zeros(len(words), dtype=np.int64)
    first = np.full(len(words), np.iinfo(np.int64).max, dtype=np.int64)
    seen = 0  # training tokens before this block
    for block in np.array_split(train_rows, max(1, len(train_rows) // SCAN_DESCRIPTIONS)):
        tokens = _gather(provisional, starts, block)
        counts += np.bincount(tokens, minlength=len(words))
        unique, where = np.unique(tokens, return_index=True)
        first[unique] = np.minimum(first[unique], seen + where)
        seen += len(tokens)
    kept = np.flatnonzero(counts >= config.min_count)
    ranked = kept[np.lexsort((first[kept], -counts[kept]))]
    if config.max_vocab is not None:
        ranked = ranked[: config.max_vocab - len(SPECIAL_TOKENS)]
    return Tokenizer([*SPECIAL_TOKENS, *(words[i] for i in ranked)], config.min_count, config.max_vocab)


def _gather(provisional: np.ndarray, starts: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The provisional ids of `rows` (sorted), concatenated in row order."""
    if not len(rows):
        return np.zeros(0, np.uint32)
    pieces = [provisional[starts[r] : starts[r + 1]] for r in rows]
    return np.concatenate(pieces) if pieces else np.zeros(0, np.uint32)


def _write(
    path: Path,
    provisional: np.ndarray,
    starts: np.ndarray,
    splits: tuple[np.ndarray, np.ndarray],
    final_ids: np.ndarray,
    tokenizer: Tokenizer,
    config: TrainConfig,
    summary: dict[str, Any],
) -> None:
    lengths = np.diff(starts)
    kept = [rows[lengths[rows] > 0] for rows in splits]  # descriptions without a single word are left out
    if not all(len(rows) for rows in kept):
        raise CorpusError("the corpus has too few descriptions with words to train and validate on")
    sizes = [np.minimum(lengths[rows], config.max_tokens) + 1 + (lengths[rows] <= config.max_tokens) for rows in kept]
    truncated = sum(int((lengths[rows] > config.max_tokens).sum()) for rows in kept)
    dropped = sum(int(np.maximum(lengths[rows] - config.max_tokens, 0).sum()) for rows in kept)
    dtype = np.dtype(np.uint16 if len(tokenizer) <= np.iinfo(np.uint16).max else np.uint32)
    summary |= {"train_descriptions": len(kept[0]), "val_descriptions": len(kept[1])}
    summary |= {"truncated_descriptions": truncated, "truncated_tokens": dropped}
    header = {
        "format": "lstm-edge-tokens",
        "version": VERSION,
        "corpus": summary,
        "options": {name: getattr(config, name) for name in SHAPING},
        "tokenizer": tokenizer.to_json(),
        "dtype": dtype.str,
        "counts": {"train": len(kept[0]), "val": len(kept[1]), "tokens": int(sum(s.sum() for s in sizes))},
    }
    encoded = json.dumps(header).encode()
    with atomic_path(path) as temporary, open(temporary, "wb") as out:
        out.write(MAGIC + np.array([len(encoded)], dtype="<u8").tobytes() + encoded)
        out.write(b"\0" * (_aligned(out.tell()) - out.tell()))
        base = 0  # offsets are positions in the one token array: validation's follow training's
        for size in sizes:
            out.write((base + np.concatenate([[0], np.cumsum(size)])).astype("<i8").tobytes())
            base += int(size.sum())
        for rows in kept:
            for block in np.array_split(rows, max(1, len(rows) // SCAN_DESCRIPTIONS)):
                out.write(_encode_block(provisional, starts, block, final_ids, config.max_tokens, dtype))


def _encode_block(
    provisional: np.ndarray, starts: np.ndarray, rows: np.ndarray, final_ids: np.ndarray, cap: int, dtype: np.dtype
) -> bytes:
    pieces = []
    for row in rows:
        ids = final_ids[provisional[starts[row] : starts[row + 1]]]
        ending = [EOS_ID] if len(ids) <= cap else []
        pieces.append(np.concatenate([[BOS_ID], ids[:cap], ending]))
    return np.concatenate(pieces).astype(dtype.newbyteorder("<")).tobytes() if pieces else b""


def _aligned(position: int) -> int:
    return -(-position // ALIGN) * ALIGN

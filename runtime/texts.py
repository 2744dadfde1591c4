"""Texts to measure a model on: one column of a CSV, streamed, and the training run's held-out split.

The runtime reads CSV files with the standard library (no pandas on a device), one row at a time,
and keeps exactly the texts the trainer keeps: the stripped, non-empty cells of the column, in file
order. `split_positions` finds the trainer's validation rows again from its recorded fraction and
seed: `train/batching.py` shuffles with `torch.randperm`, whose CPU algorithm (a Fisher–Yates pass
over MT19937 draws) is rebuilt here with numpy; a test holds the two equal.
"""

from __future__ import annotations

import bz2
import contextlib
import csv
import gzip
import hashlib
import io
import lzma
import os
import stat
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from .errors import CorpusError

FIELD_LIMIT = 64 * 1024 * 1024  # one cell; the csv module's default (128 KiB) is below some real reviews
BUILTIN = "built-in"  # how training metadata names the packaged corpus


def builtin_corpus_path() -> Path:
    """The packaged fashion corpus, found without importing the training package (no torch here)."""
    from importlib.util import find_spec

    spec = find_spec("lstm_edge.train")  # where the package lies, without running its __init__
    if spec is None or not spec.submodule_search_locations:
        raise CorpusError("the built-in corpus is not installed; pass --data")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "fashion_descriptions.csv"


def resolve_source(source: str) -> Path:
    return builtin_corpus_path() if source == BUILTIN else Path(source)


def file_sha256(path: Path) -> str:
    """The sha256 of the file's bytes, read in chunks (the trainer ties a model to its data by it).

    A regular file only: the caller reads it again afterwards, which a pipe cannot give."""
    with open_regular_or_pipe(path, str(path)) as stored:
        if not stat.S_ISREG(os.fstat(stored.fileno()).st_mode):
            raise CorpusError(
                f"{path}: a pipe, which can be read only once; this reads the file twice: give the file itself"
            )
        digest = hashlib.sha256()
        for chunk in iter(lambda: stored.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def open_regular_or_pipe(path: str | os.PathLike[str], source: str) -> io.FileIO:
    """`path` opened for reading, unbuffered: a regular file or a pipe (a FIFO, `<(zcat a.csv.gz)`).

    Directories, devices (`/dev/zero` would never end) and sockets are refused before they are opened;
    `source` names the file in messages.
    """
    try:
        kind = os.stat(path).st_mode
    except FileNotFoundError:
        raise CorpusError(f"{source}: no such file") from None
    except NotADirectoryError:
        raise CorpusError(f"{source}: no such file (a part of the path is not a directory)") from None
    except OSError as error:
        raise CorpusError(f"{source}: cannot read ({error.strerror})") from None
    if stat.S_ISDIR(kind):
        raise CorpusError(f"{source}: is a directory, expected a CSV file")
    if not (stat.S_ISREG(kind) or stat.S_ISFIFO(kind)):
        raise CorpusError(f"{source}: not a regular file or a pipe (a device or socket); give a CSV file")
    try:
        return open(path, "rb", buffering=0)
    except OSError as error:
        raise CorpusError(f"{source}: cannot read ({error.strerror})") from None


class StoredBytes(io.RawIOBase):
    """A file's bytes as stored, read once: hashed and counted as they pass; `head(n)` looks ahead
    without losing anything (how compression is recognised on a pipe, which cannot seek back)."""

    def __init__(self, raw: io.FileIO) -> None:
        self._raw = raw
        self._pending = b""
        self.digest = hashlib.sha256()
        self.bytes_read = 0  # from the file, looked-ahead bytes included

    def readable(self) -> bool:
        return True

    def head(self, size: int) -> bytes:
        while len(self._pending) < size:
            more = self._raw.read(size - len(self._pending))
            if not more:
                break
            self._take(more)
            self._pending += more
        return self._pending[:size]

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._pending:
            count = min(len(view), len(self._pending))
            view[:count], self._pending = self._pending[:count], self._pending[count:]
            return count
        count = self._raw.readinto(view) or 0
        self._take(view[:count])
        return count

    def _take(self, data: Any) -> None:
        self.digest.update(data)
        self.bytes_read += len(data)

    def drain(self) -> None:
        """Read to the end, so the digest covers the whole file."""
        while self.read(1 << 20):
            pass

    def close(self) -> None:
        self._raw.close()
        super().close()


def read_column(path: Path, column: str, progress: Callable[[int], None] | None = None) -> Iterator[str]:
    """The stripped, non-empty cells of `column`, in file order, one at a time.

    `progress(bytes_read)` is called now and then (bytes of the file as stored). gzip, bzip2 and xz
    files are read as training reads them. Raises CorpusError for a file that is not UTF-8 CSV text
    or lacks the column.
    """
    stored = StoredBytes(open_regular_or_pipe(path, str(path)))
    with (
        stored,
        _decompressed(stored, path) as binary,
        io.TextIOWrapper(binary, encoding="utf-8-sig", newline="") as text,
    ):
        csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))
        rows = csv.reader(text)
        try:
            header = next(rows, None)
            if header is None:
                raise CorpusError(f"{path}: the file is empty")
            if column not in header:
                available = ", ".join(repr(name) for name in header)
                raise CorpusError(
                    f"{path}: no column {column!r}; the columns are: {available} (choose one with --column)"
                )
            index = header.index(column)
            for number, row in enumerate(rows):
                cell = row[index].strip() if index < len(row) else ""
                if cell:
                    yield cell
                if progress is not None and number % 256 == 0:
                    progress(stored.bytes_read)
        except UnicodeDecodeError as error:
            raise CorpusError(f"{path}: not UTF-8 text ({error.reason}); re-save the file as UTF-8") from None
        except csv.Error as error:
            raise CorpusError(f"{path}: not a readable CSV file ({error})") from None
        except (EOFError, OSError, lzma.LZMAError, zlib.error) as error:  # a damaged compressed stream
            raise CorpusError(f"{path}: a damaged compressed file ({error})") from None
    if progress is not None:
        with contextlib.suppress(OSError):
            progress(os.path.getsize(path))


def _decompressed(stored: StoredBytes, path: Path) -> BinaryIO:
    """The file's text as bytes: gzip, bzip2 and xz recognised by their first bytes, as training does."""
    head = stored.head(6)
    buffered = io.BufferedReader(stored, 1 << 16)
    if head.startswith(b"\x1f\x8b"):
        return gzip.GzipFile(fileobj=buffered)  # type: ignore[return-value]
    if head.startswith(b"BZh"):
        return bz2.BZ2File(buffered)  # type: ignore[return-value]
    if head.startswith(b"\xfd7zXZ\x00"):
        return lzma.LZMAFile(buffered)  # type: ignore[return-value]
    if head.startswith(b"PK\x03\x04"):
        raise CorpusError(f"{path}: a zip archive; lstm-eval reads CSV, gzip, bzip2 or xz (unzip it first)")
    return buffered


def torch_randperm(n: int, seed: int) -> list[int]:
    """`torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()`, without torch.

    torch's CPU kernel swaps position i with i + (draw mod (n − i)) for each 32-bit MT19937 draw of a
    generator seeded with the seed's low 32 bits, which numpy's legacy RandomState reproduces.
    """
    if n >= 2**32 // 20:  # torch switches to 64-bit draws there; no corpus of ours comes near
        raise CorpusError(f"{n:,} rows is more than the split can be rebuilt for")
    order = list(range(n))
    if n < 2:
        return order
    draws = np.random.RandomState(seed & 0xFFFFFFFF).randint(0, 2**32, size=n - 1, dtype=np.uint64).tolist()
    for i, draw in enumerate(draws):
        j = i + draw % (n - i)
        order[i], order[j] = order[j], order[i]
    return order


def split_positions(n: int, val_fraction: float, seed: int) -> np.ndarray:
    """(n,) bool, True for the texts `train.batching.split_by_description` holds out for validation."""
    if n < 2:
        raise CorpusError("need at least 2 texts to find a validation split in them")
    held_out = min(n - 1, max(1, round(n * val_fraction)))
    chosen = np.zeros(n, dtype=bool)
    chosen[torch_randperm(n, seed)[:held_out]] = True
    return chosen

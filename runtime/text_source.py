"""A data file as UTF-8 text, read once from start to end: regular files and pipes, compressed or not.

    open_text(path) ──▶ TextSource: .read(n) → str, lines (iterating)   (what csv_file.py parses)
                                    .digests                              (once read to the end)

Compression is recognised by the first bytes, not the name (a plain CSV called `.gz` is read as
text; a gzip file called `.csv` is decompressed): gzip, bzip2 and xz stream; zip needs a regular file.
Pipes, FIFOs and process substitution (`--data <(zcat a.csv.gz)`) work because nothing is read twice.
Devices (`/dev/zero`), sockets and directories are refused before anything is read.

The data's sha256 is of its text: the decompressed bytes, so `a.csv` and `a.csv.xz` holding the same
rows are the same data (the shipped model names the built-in corpus by the sha256 of the plain CSV it
was trained on, and the package ships it as xz). Models trained on a compressed file before this rule
recorded the sha256 of the compressed bytes, so `DataDigests.matches` accepts either.

Standard library only: the trainer and the runtime's commands (`lstm-eval`, `lstm-gen --input`) read
data through here, and a device has no pandas.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import hashlib
import io
import lzma
import os
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from .errors import CorpusError

MAGIC = {
    b"\x1f\x8b": "gzip",
    b"BZh": "bzip2",
    b"\xfd7zXZ\x00": "xz",
    b"PK\x03\x04": "zip",
    b"(\xb5/\xfd": "zstd",
}
CHUNK = 1 << 16  # characters per read when splitting lines
_DECOMPRESSION_ERRORS = (EOFError, OSError, zlib.error, lzma.LZMAError, zipfile.BadZipFile)


@dataclass(frozen=True)
class DataDigests:
    """What names a data file: the sha256 of its text (decompressed) and of its bytes as stored."""

    sha256: str  # of the text: what training records
    stored_sha256: str  # of the file's bytes; equal to `sha256` for an uncompressed file

    def matches(self, recorded: object) -> bool:
        """True when a model's or checkpoint's recorded sha256 names this data. A model trained on a
        compressed file by an earlier lstm-edge recorded the compressed bytes' sha256: accepted too."""
        return recorded in (self.sha256, self.stored_sha256)


class _HashingReader(io.RawIOBase):
    """Raw bytes of a file, hashed as they pass; `head(n)` looks ahead without losing anything."""

    def __init__(self, raw: io.FileIO) -> None:
        self._raw = raw
        self._pending = b""
        self.digest = hashlib.sha256()
        self.position = 0  # bytes read from the file so far

    def readable(self) -> bool:
        return True

    def head(self, size: int) -> bytes:
        while len(self._pending) < size:
            more = self._raw.read(size - len(self._pending))
            if not more:
                break
            self._count(more)
            self._pending += more
        return self._pending[:size]

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._pending:
            count = min(len(view), len(self._pending))
            view[:count], self._pending = self._pending[:count], self._pending[count:]
            return count
        count = self._raw.readinto(view) or 0
        self._count(view[:count])
        return count

    def _count(self, data: bytes | memoryview) -> None:
        self.digest.update(data)
        self.position += len(data)

    def drain(self) -> None:
        """Read to the end, so the digest covers the whole file."""
        while self.read(1 << 20):
            pass

    def close(self) -> None:
        self._raw.close()
        super().close()


class TextSource:
    """The text of a data file, decoded as UTF-8 (a leading BOM dropped) as it is read.

    Iterating gives its lines with their endings ("\\n", "\\r\\n" or a lone "\\r"), as a file opened with
    `newline=""` does: what the csv module wants.
    """

    def __init__(self, path: Path, source: str) -> None:
        self.source = source  # how messages name the file
        self.compression = "none"
        self.saw_text = False  # anything but whitespace so far
        self._decoded_bytes = 0
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
        self._text_digest = hashlib.sha256()  # of the decompressed bytes (compressed files only)
        self._archive: zipfile.ZipFile | None = None
        self._raw = _open_regular_or_pipe(path, source)
        self._hashing = _HashingReader(self._raw)
        try:
            self._stream: IO[bytes] = self._open_decompressed(path)
        except BaseException:
            self._hashing.close()
            raise

    def _open_decompressed(self, path: Path) -> IO[bytes]:
        head = self._hashing.head(6)
        self.compression = next((name for magic, name in MAGIC.items() if head.startswith(magic)), "none")
        raw: Any = self._hashing  # a readable binary file, as the decompressors want
        if self.compression == "gzip":
            return cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
        if self.compression == "bzip2":
            return cast(IO[bytes], bz2.BZ2File(raw))
        if self.compression == "xz":
            return cast(IO[bytes], lzma.LZMAFile(raw))
        if self.compression == "zip":
            return self._zip_member(path)
        if self.compression == "zstd":
            raise CorpusError(f"{self.source}: zstd-compressed data is not supported; use gzip, bzip2, xz or zip")
        return io.BufferedReader(self._hashing, 1 << 16)

    def _zip_member(self, path: Path) -> IO[bytes]:
        if not stat.S_ISREG(os.fstat(self._raw.fileno()).st_mode):
            raise CorpusError(f"{self.source}: a zip archive must be a regular file (zip needs random access)")
        self._hashing.drain()  # the digest of the archive as stored; the member is read from a second handle
        try:
            archive = self._archive = zipfile.ZipFile(path)
            members = [info for info in archive.infolist() if not info.is_dir()]
            if len(members) != 1:
                raise CorpusError(f"{self.source}: a zip archive must hold exactly one file, it holds {len(members)}")
            return archive.open(members[0])
        except _DECOMPRESSION_ERRORS as error:
            raise CorpusError(f"{self.source}: not a readable zip archive ({_first_line(error)})") from None

    @property
    def bytes_read(self) -> int:
        """Bytes of the file as stored read so far (for progress against its size)."""
        return self._hashing.position

    def _read_bytes(self, size: int) -> bytes:
        """The next bytes of the text, undecoded; hashed as they pass."""
        try:
            data = self._stream.read(size)
        except _DECOMPRESSION_ERRORS as error:
            if isinstance(error, OSError) and error.errno is not None:
                raise  # a real I/O error, reported as one
            raise CorpusError(f"{self.source}: not readable {self.compression} data ({_first_line(error)})") from None
        if self.compression != "none":
            self._text_digest.update(data)
        return data

    def read(self, size: int = -1) -> str:
        """Text from about `size` more bytes; "" only at the end (never for a character cut by the read)."""
        text = ""
        while not text:
            data = self._read_bytes(size if size and size > 0 else 1 << 20)
            try:
                text = self._decoder.decode(data, final=not data)
            except UnicodeDecodeError as error:
                offset = self._decoded_bytes + error.start
                where = " of the decompressed text" if self.compression != "none" else ""
                raise CorpusError(
                    f"{self.source}: not UTF-8 text (byte 0x{error.object[error.start]:02x} at offset {offset}{where});"
                    " re-save the file as UTF-8"
                ) from None
            self._decoded_bytes += len(data)
            if not data:
                break
        self.saw_text = self.saw_text or (bool(text) and not text.isspace())
        return text

    def __iter__(self) -> Iterator[str]:
        pending: list[str] = []  # the pieces of a line not yet ended (one line may span many reads)
        while chunk := self.read(CHUNK):
            while chunk.endswith("\r") and (more := self.read(1)):  # "\r\n" split across two reads?
                chunk += more
            lines = io.StringIO(chunk, newline="").readlines()  # split as a file opened with newline=""
            rest = "" if lines[-1].endswith(("\n", "\r")) else lines.pop()
            if lines:
                lines[0] = "".join([*pending, lines[0]])
                pending = []
                yield from lines
            if rest:
                pending.append(rest)
        if pending:
            yield "".join(pending)

    @property
    def digests(self) -> DataDigests:
        """The data's digests; reads the rest of the file, so call it once the text was read."""
        while self._read_bytes(1 << 20):
            pass
        self._hashing.drain()  # a compressed file may go on after its stream ends
        stored = self._hashing.digest.hexdigest()
        text = self._text_digest.hexdigest() if self.compression != "none" else stored
        return DataDigests(text, stored)

    def close(self) -> None:
        self._stream.close()
        if self._archive is not None:
            self._archive.close()
        self._hashing.close()

    def __enter__(self) -> TextSource:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def open_text(path: str | Path, source: str | None = None) -> TextSource:
    """`path` as a `TextSource` (close it when done); `source` is its name in messages."""
    return TextSource(Path(path), source or str(path))


def data_digests(path: str | Path, source: str | None = None) -> DataDigests:
    """The digests of a data file, read once (decompressing it)."""
    with open_text(path, source) as text:
        return text.digests


def _open_regular_or_pipe(path: Path, source: str) -> io.FileIO:
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


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:120]

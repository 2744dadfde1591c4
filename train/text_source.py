"""A data file as UTF-8 text, read once from start to end: regular files and pipes, compressed or not.

    open_text(path) ──▶ TextSource: .read(n) → str   (what pandas reads)
                                    .sha256           (of the file's bytes as stored, once read to the end)

Compression is recognised by the first bytes, not the name (a plain CSV called `.gz` is read as
text; a gzip file called `.csv` is decompressed): gzip, bzip2 and xz stream; zip needs a regular file.
Pipes, FIFOs and process substitution (`--data <(zcat a.csv.gz)`) work because nothing is read twice.
Devices (`/dev/zero`), sockets and directories are refused before anything is read.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import io
import lzma
import os
import stat
import zipfile
import zlib
from pathlib import Path
from typing import IO, Any, cast

from lstm_edge.runtime.errors import CorpusError
from lstm_edge.runtime.texts import StoredBytes, open_regular_or_pipe

MAGIC = {
    b"\x1f\x8b": "gzip",
    b"BZh": "bzip2",
    b"\xfd7zXZ\x00": "xz",
    b"PK\x03\x04": "zip",
    b"(\xb5/\xfd": "zstd",
}
_DECOMPRESSION_ERRORS = (EOFError, OSError, zlib.error, lzma.LZMAError, zipfile.BadZipFile)


class TextSource:
    """The text of a data file, decoded as UTF-8 (a leading BOM dropped) as it is read."""

    def __init__(self, path: Path, source: str) -> None:
        self.source = source  # how messages name the file
        self.compression = "none"
        self.saw_text = False  # anything but whitespace so far
        self._decoded_bytes = 0
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
        self._archive: zipfile.ZipFile | None = None
        self._raw = open_regular_or_pipe(path, source)
        self._hashing = StoredBytes(self._raw)
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

    def read(self, size: int = -1) -> str:
        try:
            data = self._stream.read(size if size and size > 0 else 1 << 20)
        except _DECOMPRESSION_ERRORS as error:
            if isinstance(error, OSError) and error.errno is not None:
                raise  # a real I/O error, reported as one
            raise CorpusError(f"{self.source}: not readable {self.compression} data ({_first_line(error)})") from None
        try:
            text = self._decoder.decode(data, final=not data)
        except UnicodeDecodeError as error:
            offset = self._decoded_bytes + error.start
            where = " of the decompressed text" if self.compression != "none" else ""
            raise CorpusError(
                f"{self.source}: not UTF-8 text (byte 0x{error.object[error.start]:02x} at offset {offset}{where}); "
                "re-save the file as UTF-8"
            ) from None
        self._decoded_bytes += len(data)
        self.saw_text = self.saw_text or (bool(text) and not text.isspace())
        return text

    def __iter__(self) -> Any:  # pandas asks; reading goes through read()
        return iter(())

    @property
    def sha256(self) -> str:
        """Of every byte of the file; call after reading to the end."""
        self._hashing.drain()
        return self._hashing.digest.hexdigest()

    def close(self) -> None:
        self._stream.close()
        if self._archive is not None:
            self._archive.close()
        self._hashing.close()


def open_text(path: str | Path, source: str | None = None) -> TextSource:
    """`path` as a `TextSource` (close it when done); `source` is its name in messages."""
    return TextSource(Path(path), source or str(path))


def sha256_of(path: str | Path | None) -> str:
    """The sha256 of a data file's bytes as stored (None: the built-in corpus), read once."""
    from .corpus import builtin_corpus_path, source_name

    text = open_text(builtin_corpus_path() if path is None else path, source_name(path))
    try:
        return text.sha256
    finally:
        text.close()


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:120]

"""Reading a corpus of descriptions from a CSV column, chunk by chunk, with errors a user can act on.

The file is read once, from start to end (so pipes work) and never held whole, by the runtime's CSV
reader (`lstm_edge.runtime.csv_file`, the one `lstm-eval` uses): `DescriptionReader` yields the
descriptions `chunk_rows` at a time; `load_corpus` collects them for callers that want a list.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from lstm_edge.runtime.csv_file import ColumnReader
from lstm_edge.runtime.errors import CorpusError
from lstm_edge.runtime.text_source import DataDigests
from lstm_edge.runtime.texts import BUILTIN, builtin_corpus_path

from .config import DEFAULT_COLUMN

__all__ = ["DEFAULT_COLUMN", "Corpus", "DescriptionReader", "builtin_corpus_path", "load_corpus"]

CHUNK_ROWS = 10_000


@dataclass(frozen=True)
class Corpus:
    descriptions: list[str]
    source: str  # the path, or "built-in" for the packaged corpus
    column: str
    digests: DataDigests  # of the file's text: ties checkpoints and models to the data they saw
    skipped: int  # empty or missing rows

    @property
    def sha256(self) -> str:
        return self.digests.sha256


def source_name(path: str | Path | None) -> str:
    return BUILTIN if path is None else str(path)


class DescriptionReader:
    """The non-empty cells of one CSV column, stripped, in file order; counts what it skipped.

    with DescriptionReader(path, column) as reader:
        for chunk in reader.chunks():   # lists of descriptions
            ...
        reader.digests, reader.skipped   # once every chunk was read
    """

    def __init__(self, path: str | Path | None, column: str = DEFAULT_COLUMN, chunk_rows: int = CHUNK_ROWS) -> None:
        self.source = source_name(path)
        self.column = column
        self.chunk_rows = chunk_rows
        self.descriptions = 0
        self._reader = ColumnReader(builtin_corpus_path() if path is None else path, column, self.source)

    @property
    def skipped(self) -> int:
        return self._reader.skipped

    def chunks(self) -> Iterator[list[str]]:
        texts = iter(self._reader)
        while chunk := list(islice(texts, self.chunk_rows)):
            self.descriptions += len(chunk)
            yield chunk
        if not self.descriptions:
            raise CorpusError(f"{self.source}: column {self.column!r} holds no text ({self.skipped} empty rows)")

    @property
    def digests(self) -> DataDigests:
        return self._reader.digests

    @property
    def sha256(self) -> str:
        return self.digests.sha256

    def close(self) -> None:
        self._reader.close()

    def __enter__(self) -> DescriptionReader:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def load_corpus(path: str | Path | None = None, column: str = DEFAULT_COLUMN) -> Corpus:
    """Descriptions from column `column` of the CSV at `path` (the built-in fashion corpus when None).

    Empty and missing cells are skipped and counted; any other problem raises `CorpusError`.
    """
    with DescriptionReader(path, column) as reader:
        descriptions = [text for chunk in reader.chunks() for text in chunk]
        return Corpus(descriptions, reader.source, column, reader.digests, reader.skipped)

"""Reading a corpus of descriptions from a CSV column, chunk by chunk, with errors a user can act on.

The file is read once, from start to end (so pipes work) and never held whole: `DescriptionReader`
yields the descriptions of `chunk_rows` rows at a time; `load_corpus` collects them for callers that
want a list.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from lstm_edge.runtime.errors import CorpusError

from .config import DEFAULT_COLUMN
from .text_source import TextSource, open_text

__all__ = ["DEFAULT_COLUMN", "Corpus", "DescriptionReader", "builtin_corpus_path", "load_corpus"]

CHUNK_ROWS = 10_000


@dataclass(frozen=True)
class Corpus:
    descriptions: list[str]
    source: str  # the path, or "built-in" for the packaged corpus
    column: str
    sha256: str  # of the file's bytes: ties checkpoints and models to the data they saw
    skipped: int  # empty or missing rows


def builtin_corpus_path() -> Path:
    return Path(str(resources.files("lstm_edge.train") / "data" / "fashion_descriptions.csv"))


def source_name(path: str | Path | None) -> str:
    return "built-in" if path is None else str(path)


class DescriptionReader:
    """The non-empty cells of one CSV column, stripped, in file order; counts what it skipped.

    with DescriptionReader(path, column) as reader:
        for chunk in reader.chunks():   # lists of descriptions
            ...
        reader.sha256, reader.skipped    # once every chunk was read
    """

    def __init__(self, path: str | Path | None, column: str = DEFAULT_COLUMN, chunk_rows: int = CHUNK_ROWS) -> None:
        self.source = source_name(path)
        self.column = column
        self.chunk_rows = chunk_rows
        self.descriptions = 0
        self.skipped = 0
        self._text: TextSource = open_text(builtin_corpus_path() if path is None else path, self.source)

    def chunks(self) -> Iterator[list[str]]:
        import pandas as pd

        try:
            frames = pd.read_csv(
                self._text,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                chunksize=self.chunk_rows,
                engine="c",
            )
            for frame in frames:
                if not self._text.saw_text:
                    raise CorpusError(f"{self.source}: the file is empty")
                if self.column not in frame.columns:
                    available = ", ".join(repr(str(c)) for c in frame.columns)
                    raise CorpusError(
                        f"{self.source}: no column {self.column!r}; the columns are: {available} "
                        "(choose one with --column)"
                    )
                cells = frame[self.column].tolist()
                descriptions = [cell.strip() for cell in cells if cell.strip()]
                self.descriptions += len(descriptions)
                self.skipped += len(cells) - len(descriptions)
                yield descriptions
        except (pd.errors.ParserError, csv.Error) as error:
            first_line = str(error).strip().splitlines()[0]
            raise CorpusError(f"{self.source}: not a readable CSV file ({first_line})") from None
        except pd.errors.EmptyDataError:
            if not self._text.saw_text:
                raise CorpusError(f"{self.source}: the file is empty") from None
            raise CorpusError(f"{self.source}: the file has no CSV header") from None
        if not self.descriptions:
            raise CorpusError(f"{self.source}: column {self.column!r} holds no text ({self.skipped} empty rows)")

    @property
    def sha256(self) -> str:
        return self._text.sha256

    def close(self) -> None:
        self._text.close()

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
        return Corpus(descriptions, reader.source, column, reader.sha256, reader.skipped)

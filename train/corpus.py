"""Reading a corpus of descriptions from a CSV file, with errors a user can act on."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from lstm_edge.runtime.errors import CorpusError

from .config import DEFAULT_COLUMN

__all__ = ["DEFAULT_COLUMN", "Corpus", "builtin_corpus_path", "load_corpus"]


@dataclass(frozen=True)
class Corpus:
    descriptions: list[str]
    source: str  # the path, or "built-in" for the packaged corpus
    column: str
    sha256: str  # of the file's bytes: ties checkpoints and models to the data they saw
    skipped: int  # empty or missing rows


def builtin_corpus_path() -> Path:
    return Path(str(resources.files("lstm_edge.train") / "data" / "fashion_descriptions.csv"))


def load_corpus(path: str | Path | None = None, column: str = DEFAULT_COLUMN) -> Corpus:
    """Descriptions from column `column` of the CSV at `path` (the built-in fashion corpus when None).

    Empty and missing cells are skipped and counted; any other problem raises `CorpusError`.
    """
    import pandas as pd

    csv_path = builtin_corpus_path() if path is None else Path(path)
    source = "built-in" if path is None else str(csv_path)
    try:
        raw = csv_path.read_bytes()
    except FileNotFoundError:
        raise CorpusError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise CorpusError(f"{source}: is a directory, expected a CSV file") from None
    except OSError as error:
        raise CorpusError(f"{source}: cannot read ({error.strerror})") from None
    if not raw.strip():
        raise CorpusError(f"{source}: the file is empty")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CorpusError(
            f"{source}: not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start}); "
            "re-save the file as UTF-8"
        ) from None
    try:
        frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False, skip_blank_lines=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, csv.Error) as error:
        first_line = str(error).strip().splitlines()[0]
        raise CorpusError(f"{source}: not a readable CSV file ({first_line})") from None
    except pd.errors.EmptyDataError:
        raise CorpusError(f"{source}: the file has no CSV header") from None
    if column not in frame.columns:
        available = ", ".join(repr(str(c)) for c in frame.columns)
        raise CorpusError(f"{source}: no column {column!r}; the columns are: {available} (choose one with --column)")
    cells = frame[column].tolist()
    descriptions = [cell.strip() for cell in cells if cell.strip()]
    if not descriptions:
        raise CorpusError(f"{source}: column {column!r} holds no text ({len(cells)} empty rows)")
    return Corpus(
        descriptions=descriptions,
        source=source,
        column=column,
        sha256=hashlib.sha256(raw).hexdigest(),
        skipped=len(cells) - len(descriptions),
    )

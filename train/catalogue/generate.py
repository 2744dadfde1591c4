"""The built-in corpus as a list and as a CSV file: `count` distinct descriptions for a seed."""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import os
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

from lstm_edge.runtime.errors import CorpusError
from lstm_edge.runtime.files import atomic_path
from lstm_edge.runtime.texts import BUILTIN_FILE
from lstm_edge.runtime.tokenizer import PUNCTUATION, split_words
from lstm_edge.train.catalogue.grammar import description

DEFAULT_CSV_PATH = Path(__file__).resolve().parents[1] / "data" / BUILTIN_FILE
DEFAULT_ROWS = 60_000  # chosen by measurement: validation loss and coherence vs rows (README, "The built-in corpus")
DEFAULT_SEED = 42
COLUMN = "description"


def generate_descriptions(count: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED) -> list[str]:
    """`count` distinct product descriptions; the same for the same seed on every Python >= 3.10."""
    if count < 0:
        raise CorpusError(f"the number of rows must be 0 or more, not {count}")
    rng = random.Random(seed)
    descriptions: list[str] = []
    seen: set[str] = set()
    attempts_left = 10 * count + 1000
    while len(descriptions) < count:
        attempts_left -= 1
        if attempts_left < 0:
            raise CorpusError(f"could not draw {count} distinct descriptions; ask for fewer rows")
        text = description(rng)
        if text not in seen:
            seen.add(text)
            descriptions.append(text)
    return descriptions


# By the name's ending, each giving the same bytes for the same rows (no names or times in the container).
# xz -6e: the size of -9e (a dictionary beyond the 8.3 MB corpus gains nothing) and 9 MiB to decompress, not 65.
COMPRESSORS: dict[str, Callable[[BinaryIO], BinaryIO]] = {
    ".xz": lambda raw: lzma.LZMAFile(raw, "wb", check=lzma.CHECK_CRC64, preset=6 | lzma.PRESET_EXTREME),  # noqa: SIM115
    ".gz": lambda raw: gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=raw, mtime=0),
    ".bz2": lambda raw: bz2.BZ2File(raw, "wb", compresslevel=9),
}


def write_csv(path: str | os.PathLike[str], descriptions: Sequence[str]) -> None:
    """Write the descriptions as a one-column CSV (header `description`), atomically; compressed when the
    name ends in .xz, .gz or .bz2 (`COMPRESSORS`)."""
    compress = COMPRESSORS.get(Path(path).suffix.lower())
    with atomic_path(path) as temporary, open(temporary, "wb") as raw:
        binary = compress(raw) if compress else raw
        with io.TextIOWrapper(binary, encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow([COLUMN])
            writer.writerows([text] for text in descriptions)


def distinct_words(descriptions: Sequence[str]) -> int:
    """Number of distinct words (punctuation not counted), split as the tokenizer splits them."""
    return len({word for text in descriptions for word in split_words(text) if word not in PUNCTUATION})

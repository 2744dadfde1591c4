"""The built-in corpus as a list and as a CSV file: `count` distinct descriptions for a seed."""

from __future__ import annotations

import csv
import os
import random
from collections.abc import Sequence
from pathlib import Path

from lstm_edge.runtime.errors import CorpusError
from lstm_edge.runtime.files import atomic_path
from lstm_edge.runtime.tokenizer import PUNCTUATION, split_words
from lstm_edge.train.catalogue.grammar import description

DEFAULT_CSV_PATH = Path(__file__).resolve().parents[1] / "data" / "fashion_descriptions.csv"
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


def write_csv(path: str | os.PathLike[str], descriptions: Sequence[str]) -> None:
    """Write the descriptions as a one-column CSV (header `description`), atomically."""
    with atomic_path(path) as temporary, open(temporary, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([COLUMN])
        writer.writerows([text] for text in descriptions)


def distinct_words(descriptions: Sequence[str]) -> int:
    """Number of distinct words (punctuation not counted), split as the tokenizer splits them."""
    return len({word for text in descriptions for word in split_words(text) if word not in PUNCTUATION})

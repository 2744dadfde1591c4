"""The models the speed and size tables measure, found or built once into benchmarks/.cache/.

- fashion: the shipped `models/fashion-lstm.onnx` (and its `.int8.onnx` twin) when installed; otherwise
  a stand-in trained for a few epochs on the built-in corpus (speed depends on the shapes, not on how
  well the weights are trained).
- reviews: trained on ../shared/data/womens_clothing_reviews_1000.csv ("Review Text", about 3,400 words
  of vocabulary); left out, with a note, when that file is absent.

In quick mode both are tiny (one epoch, small layers, the first 300 rows of their corpus), so the
benchmarks prove in seconds that they still run; their numbers mean nothing.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks import common
from benchmarks.common import CACHE, REVIEWS_CSV

# One thread for building: on a busy machine torch's default pool (one thread per core) made a tiny
# model's epoch take from 0.2 s to 58 s here, while --threads 1 stayed at 0.2 s.
FULL_FASHION_ARGS = ["--epochs", "3", "--threads", "1"]
# --min-count 1: every word of the reviews in the vocabulary (3,423), the large-vocabulary case these tables measure
FULL_REVIEWS_ARGS = [
    *("--data", str(REVIEWS_CSV), "--column", "Review Text", "--epochs", "20", "--threads", "1", "--min-count", "1")
]
TINY_SHAPE = ["--embedding-dim", "16", "--hidden-sizes", "32,16", "--dense-size", "16"]
TINY_ARGS = ["--epochs", "1", "--threads", "1", *TINY_SHAPE]
QUICK_ROWS = 300  # quick models train on the first rows of their corpus


@dataclass(frozen=True)
class BenchModel:
    name: str  # short, for table rows
    description: str  # where it comes from
    fp32: Path
    int8: Path | None  # the int8 twin, when there is one

    @property
    def run_dir(self) -> Path | None:
        """The training run beside the model (checkpoints), for cached models; None for the shipped one."""
        return self.fp32.parent if (self.fp32.parent / "best.pt").is_file() else None


def fashion_model(quick: bool = False) -> BenchModel:
    if quick:
        path = cached_model("quick-fashion", ["--data", str(_first_rows(None, "description")), *TINY_ARGS])
        return _with_twin("fashion", f"tiny, 1 epoch on {QUICK_ROWS} built-in descriptions (quick)", path)
    from lstm_edge.runtime.model_file import default_model_path

    shipped = default_model_path()
    if shipped.is_file():
        return _with_twin("fashion", f"shipped {shipped.name}", shipped)
    path = cached_model("fashion-builtin-e3", FULL_FASHION_ARGS)
    return _with_twin("fashion", "built-in corpus, 3 epochs (no shipped model installed)", path)


def reviews_model(quick: bool = False) -> BenchModel | None:
    """None when the reviews CSV is absent (the caller says so)."""
    if not REVIEWS_CSV.is_file():
        return None
    if quick:
        path = cached_model(
            "quick-reviews",
            ["--data", str(_first_rows(REVIEWS_CSV, "Review Text")), "--column", "Review Text", *TINY_ARGS],
        )
        return _with_twin("reviews", f"tiny, 1 epoch on {QUICK_ROWS} reviews (quick)", path)
    return _with_twin("reviews", f"{REVIEWS_CSV.name}, up to 20 epochs", cached_model("reviews-e20", FULL_REVIEWS_ARGS))


def speed_models(quick: bool = False) -> list[BenchModel]:
    """The fashion model, then the reviews model when its data is here (a note is printed when not)."""
    models = [fashion_model(quick)]
    reviews = reviews_model(quick)
    if reviews is None:
        print(f"\n(note: {REVIEWS_CSV} is absent, so the large-vocabulary reviews model is left out)")
    else:
        models.append(reviews)
    return models


def _with_twin(name: str, description: str, fp32: Path) -> BenchModel:
    from lstm_edge.runtime.contract import int8_twin

    twin = int8_twin(fp32)
    return BenchModel(name, description, fp32, twin if twin.is_file() else None)


def cached_model(name: str, train_args: Sequence[str], export_args: Sequence[str] = ()) -> Path:
    """common.cached_model, with lstm-export's torch pinned to one thread as well (see the note above)."""
    with _environment(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1"):
        return common.cached_model(name, train_args, export_args=export_args)


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _first_rows(source: Path | None, column: str) -> Path:
    """The first QUICK_ROWS texts of a corpus (None: the built-in one) as a small CSV, written once."""
    path = CACHE / f"{'fashion' if source is None else source.stem}-first-{QUICK_ROWS}.csv"
    if path.is_file():
        return path
    from lstm_edge.train.corpus import load_corpus

    CACHE.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    with temporary.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([column])
        writer.writerows([text] for text in load_corpus(source, column).descriptions[:QUICK_ROWS])
    temporary.replace(path)
    return path

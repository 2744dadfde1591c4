"""The models the speed and size tables measure, found or built once into benchmarks/.cache/.

- fashion: the shipped `models/fashion-lstm.onnx` (and its `.int8.onnx` twin) when installed; otherwise
  a stand-in trained for a few epochs on the built-in corpus (speed depends on the shapes, not on how
  well the weights are trained).
- reviews: trained on ../shared/data/womens_clothing_reviews_1000.csv ("Review Text", about 3,400 words
  of vocabulary); left out, with a note, when that file is absent.

In quick mode both are tiny (one epoch, small layers, a small slice of the built-in corpus), so the
benchmarks prove they still run in seconds; their numbers mean nothing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import CACHE, REVIEWS_CSV, cached_model

FULL_FASHION_ARGS = ["--epochs", "3"]
FULL_REVIEWS_ARGS = ["--data", str(REVIEWS_CSV), "--column", "Review Text", "--epochs", "5"]
TINY_ARGS = ["--epochs", "1", "--embedding-dim", "16", "--hidden-sizes", "32,16", "--dense-size", "16"]
QUICK_FASHION_ROWS = 300


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
        path = cached_model("quick-fashion", ["--data", str(_quick_fashion_csv()), *TINY_ARGS])
        return _with_twin("fashion", f"tiny, 1 epoch on {QUICK_FASHION_ROWS} built-in descriptions (quick)", path)
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
        path = cached_model("quick-reviews", ["--data", str(REVIEWS_CSV), "--column", "Review Text", *TINY_ARGS])
        return _with_twin("reviews", "tiny, 1 epoch on the reviews CSV (quick)", path)
    return _with_twin("reviews", f"{REVIEWS_CSV.name}, 5 epochs", cached_model("reviews-e5", FULL_REVIEWS_ARGS))


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
    twin = fp32.with_name(fp32.name.removesuffix(".onnx") + ".int8.onnx")
    return BenchModel(name, description, fp32, twin if twin.is_file() else None)


def _quick_fashion_csv() -> Path:
    """The first rows of the built-in corpus as a small CSV (written once)."""
    path = CACHE / f"fashion-first-{QUICK_FASHION_ROWS}.csv"
    if path.is_file():
        return path
    from lstm_edge.train.corpus import load_corpus

    CACHE.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    with temporary.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["description"])
        writer.writerows([text] for text in load_corpus(None).descriptions[:QUICK_FASHION_ROWS])
    temporary.replace(path)
    return path

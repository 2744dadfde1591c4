"""Shared fixtures: small corpora and one tiny trained run that export and runtime tests build on."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

REVIEWS_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "womens_clothing_reviews_1000.csv"
TINY_MODEL_OPTIONS = ["--embedding-dim", "16", "--hidden-sizes", "32,16", "--dense-size", "16"]


def write_csv(path: Path, rows: list[str], column: str = "description") -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([column])
        writer.writerows([row] for row in rows)
    return path


@pytest.fixture(scope="session")
def small_descriptions() -> list[str]:
    from lstm_edge.train.fashion_corpus import generate_descriptions

    return generate_descriptions(300, seed=7)


@pytest.fixture()
def small_csv(tmp_path: Path, small_descriptions: list[str]) -> Path:
    return write_csv(tmp_path / "small.csv", small_descriptions)


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory: pytest.TempPathFactory, small_descriptions: list[str]) -> Path:
    """A run directory trained for a few epochs on 300 descriptions with a tiny network."""
    from click.testing import CliRunner
    from lstm_edge.train.cli import main

    root = tmp_path_factory.mktemp("tiny")
    data = write_csv(root / "data.csv", small_descriptions)
    out = root / "run"
    result = CliRunner().invoke(
        main, ["--data", str(data), "--out", str(out), "--epochs", "4", "--quiet", "--seed", "1", *TINY_MODEL_OPTIONS]
    )
    assert result.exit_code == 0, result.output
    return out

"""The token file: built in one read of the CSV, equal to what the in-memory path gives, reused on resume."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from lstm_edge.runtime.tokenizer import Tokenizer
from lstm_edge.train.batching import encode_capped, split_by_description
from lstm_edge.train.checkpoint import load_checkpoint, save_checkpoint
from lstm_edge.train.cli import main
from lstm_edge.train.config import TrainConfig
from lstm_edge.train.corpus import load_corpus
from lstm_edge.train.token_file import TokenFile, build_token_file
from tests.conftest import REVIEWS_CSV, write_csv

TINY = ["--embedding-dim", "8", "--hidden-sizes", "8", "--dense-size", "8", "--quiet"]

# ties in counts, words only on the validation side, descriptions without a word, one over the cap
AWKWARD = [
    "b a c.",
    "a b c!",
    "— ✓ —",
    "c c d e f g",
    "zeta eta theta",
    "a b, c; d: e? f",
    " ".join(["long"] * 40),
    "d e",
    "…",
    "e f g h i j",
    "only-in-one place",
]


def corpora(tmp_path: Path, small_descriptions: list[str]) -> dict[str, Path]:
    found = {
        "generated": write_csv(tmp_path / "generated.csv", small_descriptions),
        "awkward": write_csv(tmp_path / "awkward.csv", AWKWARD * 3 + ["a a b"]),
    }
    if REVIEWS_CSV.exists():
        found["reviews"] = REVIEWS_CSV
    return found


@pytest.mark.parametrize(
    "options",
    [{}, {"min_count": 2}, {"max_vocab": 12}, {"max_tokens": 5}, {"val_fraction": 0.5, "split_seed": 3}],
    ids=str,
)
def test_the_token_file_holds_what_the_in_memory_path_gives(tmp_path: Path, small_descriptions, options):
    for name, path in corpora(tmp_path, small_descriptions).items():
        column = "Review Text" if name == "reviews" else "description"
        config = TrainConfig(data=str(path), column=column, **options)
        tokens = build_token_file(tmp_path / f"{name}.bin", str(path), config)
        corpus = load_corpus(path, column)
        train_texts, val_texts = split_by_description(corpus.descriptions, config.val_fraction, config.split_seed)
        expected = Tokenizer.build(train_texts, config.min_count, config.max_vocab)
        assert tokens.tokenizer.vocabulary == expected.vocabulary, name
        for sequences, texts in ((tokens.train, train_texts), (tokens.val, val_texts)):
            encoded = encode_capped(texts, expected, config.max_tokens).sequences
            assert len(sequences) == len(encoded), name
            assert all(np.array_equal(sequences[i], row) for i, row in enumerate(encoded)), name
        assert tokens.sha256 == corpus.sha256
        assert tokens.header["corpus"]["skipped_rows"] == corpus.skipped


def test_tokens_are_compact_and_the_file_is_checked_on_open(tmp_path: Path, small_descriptions):
    path = write_csv(tmp_path / "data.csv", small_descriptions)
    tokens = build_token_file(tmp_path / "tokens.bin", str(path), TrainConfig())
    assert tokens.train.tokens.dtype == np.uint16  # the vocabulary fits 16 bits
    assert isinstance(tokens.train.tokens, np.memmap)
    data = (tmp_path / "tokens.bin").read_bytes()
    (tmp_path / "cut.bin").write_bytes(data[:-10])
    with pytest.raises(Exception, match="not a usable token file"):
        TokenFile.open(tmp_path / "cut.bin")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.bin", "data.csv", "tokens.bin"]  # no spool left


def train_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*TINY, *args])
    return result.exit_code, result.output


def test_resume_reuses_the_token_file_checked_by_the_data_hash(tmp_path: Path, small_descriptions):
    data, out = write_csv(tmp_path / "data.csv", small_descriptions[:80]), tmp_path / "run"
    code, output = train_cli("--data", str(data), "--out", str(out), "--epochs", "1")
    assert code == 0, output
    built = (out / "tokens.bin").stat()
    code, output = train_cli("--data", str(data), "--out", str(out), "--resume", "--epochs", "2", "--accept-changes")
    assert code == 0, output
    assert "Reusing" in output and (out / "tokens.bin").stat().st_ino == built.st_ino

    other = write_csv(tmp_path / "other.csv", small_descriptions[80:160])
    before = (out / "tokens.bin").read_bytes()
    code, output = train_cli("--data", str(other), "--out", str(out), "--resume")
    assert code == 1 and "is different data" in output, output
    assert (out / "tokens.bin").read_bytes() == before

    (out / "tokens.bin").write_bytes(before[: len(before) // 2])  # damaged: built again, the same
    code, output = train_cli("--data", str(data), "--out", str(out), "--resume", "--epochs", "3", "--accept-changes")
    assert code == 0, output
    assert "Reusing" not in output and (out / "tokens.bin").read_bytes() == before


def test_a_run_an_earlier_version_made_on_a_compressed_file_resumes_on_it(tmp_path: Path, small_descriptions):
    """Runs on a .csv.gz recorded the sha256 of the compressed bytes before the data's sha256 became that of
    its text: resuming on the same file is still the same data, and the token file is reused."""
    plain = write_csv(tmp_path / "data.csv", small_descriptions[:80])
    packed, out = tmp_path / "data.csv.gz", tmp_path / "run"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    code, output = train_cli("--data", str(packed), "--out", str(out), "--epochs", "1")
    assert code == 0, output
    text_sha, stored_sha = (hashlib.sha256(p.read_bytes()).hexdigest().encode() for p in (plain, packed))
    for checkpoint_path in out.glob("*.pt"):  # made as an earlier lstm-edge made them
        checkpoint = load_checkpoint(checkpoint_path)
        assert checkpoint["corpus"]["sha256"] == text_sha.decode()
        save_checkpoint(
            checkpoint_path, {**checkpoint, "corpus": {**checkpoint["corpus"], "sha256": stored_sha.decode()}}
        )
    tokens = (out / "tokens.bin").read_bytes()
    assert tokens.count(text_sha) == 1
    (out / "tokens.bin").write_bytes(tokens.replace(text_sha, stored_sha))

    resume = ["--data", str(packed), "--out", str(out), "--resume", "--accept-changes"]
    code, output = train_cli(*resume, "--epochs", "2")
    assert code == 0 and "Reusing" in output, output
    (out / "tokens.bin").unlink()  # built again from the file: still the data the checkpoint names
    code, output = train_cli(*resume, "--epochs", "3")
    assert code == 0 and "Reusing" not in output, output
    packed.write_bytes(gzip.compress(plain.read_bytes().replace(b"a", b"o")))
    code, output = train_cli(*resume, "--epochs", "4")
    assert code == 1 and "is different data" in output, output

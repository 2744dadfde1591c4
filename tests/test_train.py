"""lstm-train end to end: the CLI, the data it refuses, determinism, checkpoints and exact resume."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

from lstm_edge.runtime.tokenizer import BOS_ID, EOS_ID, PAD_ID, Tokenizer
from lstm_edge.train.batching import collate, split_by_description
from lstm_edge.train.checkpoint import load_checkpoint, model_from_checkpoint
from lstm_edge.train.cli import main
from tests.conftest import REVIEWS_CSV, TINY_MODEL_OPTIONS, write_csv


def train_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--quiet"])
    return result.exit_code, result.output


def test_collate_masks_padding_and_scores_the_tutorial_targets():
    batch = collate([[BOS_ID, 4, 6, 5, EOS_ID], [BOS_ID, 4, EOS_ID]])
    assert batch.inputs.tolist() == [[BOS_ID, 4, 6, 5], [BOS_ID, 4, PAD_ID, PAD_ID]]
    assert batch.targets.tolist() == [[4, 6, 5, EOS_ID], [4, EOS_ID, PAD_ID, PAD_ID]]
    # the first word (predicted from <bos> alone), <eos> and padding are not scored for accuracy
    assert batch.accuracy_mask.tolist() == [[False, True, True, False], [False, False, False, False]]


def test_validation_split_is_by_description_and_reproducible():
    texts = [f"description number {i}." for i in range(100)]
    train, val = split_by_description(texts, 0.2, seed=42)
    assert len(val) == 20 and len(train) == 80
    assert not set(train) & set(val)
    assert (train, val) == split_by_description(texts, 0.2, seed=42)


def test_train_writes_checkpoints_history_and_curves(tiny_run: Path):
    history = json.loads((tiny_run / "history.json").read_text())
    assert [row["epoch"] for row in history["history"]] == [1, 2, 3, 4]
    first, last = history["history"][0], history["history"][-1]
    assert last["train_loss"] < first["train_loss"]
    for row in history["history"]:
        assert 0.0 <= row["val_accuracy"] <= 1.0
        assert row["val_perplexity"] == pytest.approx(2.718281828 ** row["val_loss"], rel=1e-6)
    assert history["stop_reason"] == "epoch limit"
    assert (tiny_run / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    checkpoint = load_checkpoint(tiny_run / "best.pt")
    model, tokenizer = model_from_checkpoint(checkpoint)
    assert model.config.hidden_sizes == (32, 16)
    assert model.config.vocab_size == len(tokenizer)
    assert checkpoint["progress"]["best_epoch"] == history["best_epoch"]


def test_checkpoint_loads_without_pickle_code(tiny_run: Path):
    # weights_only=True refuses anything but tensors and plain containers
    torch.load(tiny_run / "last.pt", weights_only=True)


def test_same_seed_gives_identical_weights(small_csv: Path, tmp_path: Path):
    runs = []
    for name in ("a", "b"):
        code, output = train_cli(
            "--data",
            str(small_csv),
            "--out",
            str(tmp_path / name),
            "--epochs",
            "1",
            "--threads",
            "1",
            *TINY_MODEL_OPTIONS,
        )
        assert code == 0, output
        runs.append(load_checkpoint(tmp_path / name / "last.pt")["model_state"])
    assert all(torch.equal(runs[0][key], runs[1][key]) for key in runs[0])


def test_refuses_to_overwrite_a_run_without_resume(tiny_run: Path, small_csv: Path):
    code, output = train_cli("--data", str(small_csv), "--out", str(tiny_run))
    assert code == 1
    assert "already holds a training run" in output and "--resume" in output


def test_resume_refuses_different_data(tiny_run: Path, tmp_path: Path):
    other = write_csv(tmp_path / "other.csv", ["A red coat.", "A blue dress."] * 10)
    code, output = train_cli("--data", str(other), "--out", str(tiny_run), "--resume")
    assert code == 1
    assert "different data" in output


def test_resume_without_a_checkpoint_is_a_clear_error(small_csv: Path, tmp_path: Path):
    code, output = train_cli("--data", str(small_csv), "--out", str(tmp_path / "none"), "--resume")
    assert code == 1
    assert output.strip().splitlines()[-1].startswith("Error: ") and "nothing to resume" in output


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, [], "no such file"),
        (b"", [], "the file is empty"),
        (b"description\n\n\n", [], "holds no text"),
        (b"title,body\nx,y\n", [], "no column 'description'; the columns are: 'title', 'body'"),
        (b"description\ncaf\xe9 cr\xe8me\n", [], "not UTF-8"),
        (b"description\nA coat.\n", ["--column", "Review Text"], "no column 'Review Text'"),
    ],
)
def test_bad_data_gets_a_one_line_error(tmp_path: Path, content: bytes | None, args: list[str], message: str):
    path = tmp_path / "data.csv"
    if content is not None:
        path.write_bytes(content)
    code, output = train_cli("--data", str(path), "--out", str(tmp_path / "run"), *args)
    assert code == 1
    assert output.count("\n") == 1 and output.startswith("Error: "), output
    assert message in output
    assert not (tmp_path / "run" / "last.pt").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--epochs", "0"],
        ["--batch-size", "0"],
        ["--hidden-sizes", "128,x"],
        ["--lr", "-1"],
        ["--val-fraction", "1.5"],
        ["--dropout", "1"],
    ],
)
def test_out_of_range_options_are_refused(args: list[str], tmp_path: Path):
    code, output = train_cli("--out", str(tmp_path / "run"), *args)
    assert code == 2
    assert "Invalid value" in output
    assert "Traceback" not in output


def test_empty_rows_are_skipped_and_counted(tmp_path: Path, small_descriptions: list[str]):
    data = write_csv(tmp_path / "gaps.csv", [*small_descriptions[:60], "", "  ", *small_descriptions[60:120]])
    code, output = train_cli("--data", str(data), "--out", str(tmp_path / "run"), "--epochs", "1", *TINY_MODEL_OPTIONS)
    assert code == 0, output
    assert "Skipped 2 empty rows" in output  # CliRunner's output holds stderr too


def test_real_reviews_train_for_a_few_steps(tmp_path: Path):
    if not REVIEWS_CSV.exists():
        pytest.skip(f"real-text corpus not found at {REVIEWS_CSV}")
    code, output = train_cli(
        "--data",
        str(REVIEWS_CSV),
        "--column",
        "Review Text",
        "--out",
        str(tmp_path / "run"),
        "--epochs",
        "1",
        "--batch-size",
        "64",
        *TINY_MODEL_OPTIONS,
    )
    assert code == 0, output
    checkpoint = load_checkpoint(tmp_path / "run" / "last.pt")
    tokenizer = Tokenizer.from_json(checkpoint["tokenizer"])
    assert len(tokenizer) > 1500  # real text has a real vocabulary (words seen at least twice: 1,786)
    assert "it's" in tokenizer.ids  # apostrophes inside words survive
    assert checkpoint["corpus"]["skipped_rows"] > 0  # the file has empty reviews


# --- exact resume after a hard kill or Ctrl-C (subprocesses, like a user would run it) ---


def _train_process(data: Path, out: Path, *extra: str) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "lstm_edge.train",
        "--data",
        str(data),
        "--out",
        str(out),
        "--epochs",
        "6",
        "--patience",
        "6",
        "--threads",
        "1",
        "--quiet",
        "--batch-size",
        "8",
        *TINY_MODEL_OPTIONS,
        *extra,
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(condition, process: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f"training ended too early: {process.communicate()}"
        assert time.monotonic() < deadline, "timed out waiting for training"
        time.sleep(0.01)


def _epochs_done(out: Path) -> int:
    try:
        return len(json.loads((out / "history.json").read_text())["history"])
    except (FileNotFoundError, json.JSONDecodeError):
        return 0


def _metrics(out: Path) -> list[dict[str, float]]:
    """Per-epoch metrics without the timings."""
    rows = json.loads((out / "history.json").read_text())["history"]
    return [{key: value for key, value in row.items() if key != "seconds"} for row in rows]


def _final_weights(out: Path) -> dict[str, torch.Tensor]:
    return load_checkpoint(out / "last.pt")["model_state"]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory, small_descriptions: list[str]) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("resume")
    data = write_csv(root / "data.csv", small_descriptions)
    process = _train_process(data, root / "full")
    assert process.wait(timeout=300) == 0, process.communicate()
    return data, root / "full"


@pytest.mark.slow
def test_sigkill_then_resume_gives_the_weights_of_an_uninterrupted_run(uninterrupted, tmp_path: Path):
    data, full = uninterrupted
    out = tmp_path / "killed"
    process = _train_process(data, out)
    _wait_for(lambda: _epochs_done(out) >= 2, process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert load_checkpoint(out / "last.pt")["progress"]["epoch"] < 6  # it really was cut short
    resumed = _train_process(data, out, "--resume")
    assert resumed.wait(timeout=300) == 0, resumed.communicate()
    expected, actual = _final_weights(full), _final_weights(out)
    assert all(torch.equal(expected[key], actual[key]) for key in expected)
    assert _metrics(out) == _metrics(full)


@pytest.mark.slow
def test_ctrl_c_saves_mid_epoch_and_resume_is_exact(uninterrupted, tmp_path: Path):
    data, full = uninterrupted
    out = tmp_path / "interrupted"
    process = _train_process(data, out)
    _wait_for(lambda: _epochs_done(out) >= 1, process)
    time.sleep(0.05)  # somewhere inside the next epoch
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "checkpoint saved" in stderr and "Traceback" not in stderr
    resumed = _train_process(data, out, "--resume")
    assert resumed.wait(timeout=300) == 0, resumed.communicate()
    expected, actual = _final_weights(full), _final_weights(out)
    assert all(torch.equal(expected[key], actual[key]) for key in expected)
    assert _metrics(out) == _metrics(full)

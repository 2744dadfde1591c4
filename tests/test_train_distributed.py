"""lstm-train under torchrun: two gloo ranks on CPU (the NCCL path is the same code with another backend,
and is not tested here: no GPU).

Each test starts real `torchrun` processes on a tiny network and a few dozen descriptions, with timeouts,
so a hang fails instead of blocking the suite.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
import torch.distributed as dist

from lstm_edge.train.checkpoint import load_checkpoint
from tests.conftest import write_csv

if not (dist.is_available() and dist.is_gloo_available()):
    pytest.skip("this torch build has no torch.distributed with gloo: DDP is not tested", allow_module_level=True)

TINY = ["--embedding-dim", "8", "--hidden-sizes", "16,8", "--dense-size", "8", "--quiet", "--threads", "1"]
# no dropout: two ranks draw other dropout masks than one process, so only then can their runs agree
RECIPE = ["--batch-size", "8", "--lr", "0.01", "--patience", "1000", "--dropout", "0"]
# Two ranks compute the gradient of the same global batch as one process, summed in another order:
# held-out loss within 1e-4 relative, accuracy within 1e-3 (observed: the same to about 1e-7).
LOSS_RTOL, ACCURACY_ATOL = 1e-4, 1e-3
TIMEOUT = 180  # seconds for a whole torchrun; far above the few seconds each takes


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, small_descriptions: list[str]) -> Path:
    return write_csv(tmp_path_factory.mktemp("ddp") / "data.csv", small_descriptions[:64])


def torchrun(ranks: int, *args: str, entry: str = "module") -> list[str]:
    """The command line of `torchrun --nproc-per-node RANKS` running lstm-train (as a module, or its console script)."""
    launcher = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", str(ranks)]
    if entry == "module":
        return [*launcher, "-m", "lstm_edge.train", *args]
    script = shutil.which("lstm-train", path=str(Path(sys.executable).parent))
    assert script is not None, "the lstm-train console script is not installed beside this Python"
    return [*launcher, "--no-python", script, *args]


def run(command: list[str]) -> subprocess.CompletedProcess:
    environment = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, env=environment)


def history(out: Path) -> list[dict[str, float]]:
    return json.loads((out / "history.json").read_text())["history"]


def test_two_gloo_ranks_match_one_process_with_the_same_global_batch(tmp_path: Path, data: Path):
    args = ["--data", str(data), "--epochs", "2", *TINY, *RECIPE]
    single = run([sys.executable, "-m", "lstm_edge.train", *args, "--out", str(tmp_path / "one")])
    assert single.returncode == 0, single.stderr
    double = run(torchrun(2, *args, "--out", str(tmp_path / "two")))
    assert double.returncode == 0, double.stderr
    assert "2 ranks, cpu" in double.stdout and double.stdout.count("epoch   1/2") == 1  # rank 0 alone reports
    for one, two in zip(history(tmp_path / "one"), history(tmp_path / "two"), strict=True):
        assert two["val_loss"] == pytest.approx(one["val_loss"], rel=LOSS_RTOL)
        assert two["train_loss"] == pytest.approx(one["train_loss"], rel=LOSS_RTOL)
        assert abs(two["val_accuracy"] - one["val_accuracy"]) <= ACCURACY_ATOL
    assert history(tmp_path / "one")[-1]["val_loss"] < history(tmp_path / "one")[0]["val_loss"]  # it learned
    weights = [load_checkpoint(tmp_path / name / "last.pt")["model_state"] for name in ("one", "two")]
    assert all(torch.allclose(weights[0][key], weights[1][key], atol=1e-4) for key in weights[0])
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == [
        "best.pt",
        "curves.png",
        "history.json",
        "last.pt",
        "tokens.bin",
    ]


def _children(pid: int) -> dict[int, int]:
    """rank → pid of the lstm-train processes torchrun started."""
    ranks = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            environment = (entry / "environ").read_bytes().split(b"\0")
        except (OSError, ValueError, IndexError):
            continue
        if parent == pid:
            for variable in environment:
                if variable.startswith(b"RANK="):
                    ranks[int(variable[5:])] = int(entry.name)
    return ranks


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="finds the ranks' processes through /proc")
def test_killing_one_rank_ends_the_run_with_a_clear_error_and_a_resumable_checkpoint(tmp_path: Path, data: Path):
    out = tmp_path / "run"
    args = ["--data", str(data), "--out", str(out), "--epochs", "1000", *TINY, *RECIPE]
    launcher = subprocess.Popen(torchrun(2, *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + TIMEOUT
    while not (out / "history.json").exists():
        assert launcher.poll() is None, launcher.communicate()
        assert time.monotonic() < deadline, "no epoch finished in time"
        time.sleep(0.05)
    worker = launcher.pid  # torchrun's agent starts the ranks itself
    os.kill(_children(worker)[1], signal.SIGKILL)
    try:
        _, stderr = launcher.communicate(timeout=90)  # no hang: gloo sees the closed connection
    finally:
        launcher.kill()
    assert launcher.returncode != 0
    assert "Error: rank 0 of 2: another rank stopped while" in stderr, stderr
    assert "continue with --resume" in stderr
    saved = load_checkpoint(out / "last.pt")["progress"]
    # resumable with one process (another N): the global batch is the same, so the run goes on
    resumed = run(
        [
            sys.executable,
            "-m",
            "lstm_edge.train",
            "--resume",
            "--epochs",
            str(saved["epoch"] + 1),
            "--accept-changes",
            *args[:4],
            *TINY,
            *RECIPE,
        ]
    )
    assert resumed.returncode == 0, resumed.stderr
    assert len(history(out)) == saved["epoch"] + 1


def test_resume_under_torchrun_from_a_one_process_checkpoint_and_export_it(tmp_path: Path, data: Path):
    out = tmp_path / "run"
    args = ["--data", str(data), "--out", str(out), *TINY, *RECIPE]
    first = run([sys.executable, "-m", "lstm_edge.train", "--epochs", "1", *args])
    assert first.returncode == 0, first.stderr
    resumed = run(torchrun(2, "--resume", "--epochs", "2", "--accept-changes", *args, entry="console script"))
    assert resumed.returncode == 0, resumed.stderr
    assert "Resuming" in resumed.stdout and [row["epoch"] for row in history(out)] == [1, 2]
    exported = subprocess.run(
        [sys.executable, "-m", "lstm_edge.export", str(out)], capture_output=True, text=True, timeout=TIMEOUT
    )
    assert exported.returncode == 0, exported.stderr
    generated = subprocess.run(
        [sys.executable, "-m", "lstm_edge.runtime", "--model", str(out / "model.onnx"), "A soft coat"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert generated.returncode == 0 and generated.stdout.startswith("A soft coat"), generated.stderr


def test_more_ranks_than_descriptions_per_batch_is_a_clear_error(tmp_path: Path, data: Path):
    result = run(torchrun(2, "--data", str(data), "--out", str(tmp_path / "run"), "--batch-size", "1", *TINY))
    assert result.returncode != 0
    assert "Error: --batch-size 1 is smaller than the 2 ranks" in result.stderr

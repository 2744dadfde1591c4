"""lstm-train under hostile input and faults: one-line errors, exclusive runs, honest resumes, bounded data.

Everything runs the real CLI (in-process with CliRunner, or as a subprocess where a second process,
a pipe or a signal is the point). Faults that need root (a read-only mount, a full disk) mount a small
tmpfs and are skipped, with the reason, where that is not allowed.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import json
import lzma
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

from benchmarks.hostile import Sentinel
from lstm_edge.train.checkpoint import load_checkpoint, save_checkpoint
from lstm_edge.train.cli import main
from lstm_edge.train.run_lock import LOCK_NAME
from tests.conftest import write_csv

TINY = ["--embedding-dim", "8", "--hidden-sizes", "8", "--dense-size", "8", "--quiet"]


def train_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*TINY, *args])  # later options win: `args` may override TINY
    return result.exit_code, result.output


def assert_one_line_error(code: int, output: str, message: str) -> None:
    assert code == 1, output
    lines = output.strip().splitlines()
    assert lines[-1].startswith("Error: ") and message in lines[-1], output
    assert "Traceback" not in output


def leftovers(directory: Path) -> list[str]:
    """Temporary or lock files a run must not leave behind."""
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp") or p.name == LOCK_NAME)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, small_descriptions: list[str]) -> Path:
    return write_csv(tmp_path_factory.mktemp("data") / "data.csv", small_descriptions[:120])


@pytest.fixture()
def one_epoch_run(tmp_path: Path, data: Path) -> Path:
    out = tmp_path / "run"
    code, output = train_cli("--data", str(data), "--out", str(out), "--epochs", "1")
    assert code == 0, output
    return out


# --- one run per directory ---


def _background_training(data: Path, out: Path, *extra: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "lstm_edge.train", "--data", str(data), "--out", str(out), *TINY, *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(condition, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f"training ended too early: {process.communicate()}"
        assert time.monotonic() < deadline, "timed out waiting for training"
        time.sleep(0.02)


def test_a_second_training_on_the_same_out_is_refused_naming_the_holder(tmp_path: Path, data: Path):
    out = tmp_path / "run"
    first = _background_training(data, out, "--epochs", "1000", "--patience", "1000")
    try:
        _wait_for(lambda: (out / "history.json").exists(), first)
        code, output = train_cli("--data", str(data), "--out", str(out), "--resume")
        assert_one_line_error(code, output, f"is in use by another lstm-train (pid {first.pid} on host ")
        assert socket.gethostname() in output
        code, output = train_cli("--data", str(data), "--out", str(out), "--overwrite")
        assert_one_line_error(code, output, "is in use by another lstm-train")
    finally:
        first.kill()
        first.wait()
    # the dead run's lock file is still there, naming it; the next run takes it over
    assert json.loads((out / LOCK_NAME).read_text())["pid"] == first.pid
    code, output = train_cli("--data", str(data), "--out", str(out), "--resume", "--epochs", "3", "--accept-changes")
    assert code == 0, output
    assert leftovers(out) == []


# --- --resume never ignores an option ---


def test_resume_refuses_changed_options_and_lists_them(one_epoch_run: Path, data: Path):
    before = (one_epoch_run / "last.pt").read_bytes()
    code, output = train_cli(
        "--data", str(data), "--out", str(one_epoch_run), "--resume", "--lr", "0.01", "-b", "16", "--hidden-sizes", "4"
    )
    assert_one_line_error(code, output, "--resume with options that differ from the saved run")
    for change in ("--lr 0.001 → 0.01", "--batch-size 8 → 16", "--hidden-sizes 8 → 4"):
        assert change in output
    code, output = train_cli("--data", str(data), "--out", str(one_epoch_run), "--resume", "--lr", "0.01")
    assert_one_line_error(code, output, "--lr would make it another run")
    assert (one_epoch_run / "last.pt").read_bytes() == before


def test_resume_accepts_safe_changes_only_when_told(one_epoch_run: Path, data: Path):
    args = ["--data", str(data), "--out", str(one_epoch_run), "--resume", "--epochs", "3", "--patience", "9"]
    code, output = train_cli(*args)
    assert_one_line_error(code, output, "--epochs 1 → 3, --patience 5 → 9; pass --accept-changes")
    code, output = train_cli(*args, "-b", "8", "--accept-changes")  # an option equal to the saved one is no change
    assert code == 0, output
    history = json.loads((one_epoch_run / "history.json").read_text())
    assert len(history["history"]) == 3
    assert history["train_config"]["epochs"] == 3 and history["train_config"]["patience"] == 9


# --- bounded memory: the token cap ---


def test_long_descriptions_are_cut_at_the_token_cap_and_counted(tmp_path: Path, small_descriptions: list[str]):
    long = " ".join(["a long coat in soft wool ."] * 2000)  # 14,000 tokens
    path = write_csv(tmp_path / "long.csv", [*small_descriptions[:60], long])
    out = tmp_path / "run"
    code, output = train_cli("--data", str(path), "--out", str(out), "--epochs", "1", "--max-tokens", "100")
    assert code == 0, output
    assert "Cut 1 description longer than --max-tokens 100 (13,900 tokens left out)" in output
    corpus = json.loads((out / "history.json").read_text())["corpus"]
    assert (corpus["truncated_descriptions"], corpus["truncated_tokens"]) == (1, 13_900)


# --- --data: compressed by content, pipes read once, devices refused ---


def _variants(plain: bytes, root: Path) -> dict[str, Path]:
    files = {
        "gzip": (root / "data.csv.gz", gzip.compress(plain)),
        "plain text named .gz": (root / "plain.csv.gz", plain),
        "gzip named .csv": (root / "zipped.csv", gzip.compress(plain)),
        "bzip2": (root / "data.csv.bz2", bz2.compress(plain)),
        "xz": (root / "data.csv.xz", lzma.compress(plain)),
    }
    for path, content in files.values():
        path.write_bytes(content)
    with zipfile.ZipFile(root / "data.zip", "w") as archive:
        archive.writestr("data.csv", plain)
    return {name: path for name, (path, _) in files.items()} | {"zip": root / "data.zip"}


def test_compressed_data_is_recognised_by_content(tmp_path: Path, data: Path):
    code, output = train_cli("--data", str(data), "--out", str(tmp_path / "plain"), "--epochs", "1")
    assert code == 0, output
    expected = load_checkpoint(tmp_path / "plain" / "last.pt")
    assert expected["corpus"]["sha256"] == hashlib.sha256(data.read_bytes()).hexdigest()
    for name, path in _variants(data.read_bytes(), tmp_path).items():
        out = tmp_path / name.replace(" ", "-")
        code, output = train_cli("--data", str(path), "--out", str(out), "--epochs", "1")
        assert code == 0, f"{name}: {output}"
        checkpoint = load_checkpoint(out / "last.pt")
        assert checkpoint["corpus"]["sha256"] == expected["corpus"]["sha256"], name  # the text's, decompressed
        assert checkpoint["tokenizer"] == expected["tokenizer"], name
        assert all(torch.equal(checkpoint["model_state"][k], v) for k, v in expected["model_state"].items()), name


def test_process_substitution_and_fifos_are_read_once(tmp_path: Path, data: Path):
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed: no process substitution to test")
    out = tmp_path / "substituted"
    command = f'"{sys.executable}" -m lstm_edge.train --data <(gzip -c "{data}") --out "{out}" --epochs 1 ' + " ".join(
        TINY
    )
    result = subprocess.run([bash, "-c", command], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(data.read_bytes()))
    writer.start()
    code, output = train_cli("--data", str(fifo), "--out", str(tmp_path / "fifo"), "--epochs", "1")
    writer.join(timeout=60)
    assert code == 0, output
    assert (
        load_checkpoint(tmp_path / "fifo" / "last.pt")["corpus"]["sha256"]
        == hashlib.sha256(data.read_bytes()).hexdigest()
    )


BAD_DATA = {  # name → (file content, or a path to use as is; the one-line error says)
    "a device": (Path("/dev/zero"), "not a regular file or a pipe"),
    "cut gzip": (gzip.compress(random.Random(0).randbytes(5000))[:2000], "not readable gzip data"),
    "broken bzip2": (b"BZh9" + b"\x00" * 100, "not readable bzip2 data"),
    "zip of two": (None, "a zip archive must hold exactly one file"),
    "latin-1 in gzip": (gzip.compress(b"description\ncaf\xe9\n"), "byte 0xe9 at offset 15 of the decompressed text"),
    "blank": (b"  \n\n", "the file is empty"),
}


@pytest.mark.parametrize("name", BAD_DATA)
def test_unreadable_data_gets_a_one_line_error(tmp_path: Path, name: str):
    content, message = BAD_DATA[name]
    path = content if isinstance(content, Path) else tmp_path / "data"
    if not isinstance(content, Path):
        path.write_bytes(_zip_of(2) if content is None else content)
    code, output = train_cli("--data", str(path), "--out", str(tmp_path / "run"))
    assert_one_line_error(code, output, message)
    assert not (tmp_path / "run" / "last.pt").exists()


def _zip_of(members: int) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(members):
            archive.writestr(f"part{i}.csv", "description\nA coat.\n")
    return buffer.getvalue()


# --- options, devices and run directories ---


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--device", "garbage"], "--device 'garbage' is not a device"),
        (["--device", "meta"], "--device 'meta' is not supported"),
        (["--device", "mps"], "--device 'mps' is not supported"),
        (["--device", "cuda:7"], "--device 'cuda:7'"),
    ],
)
def test_unusable_devices_get_a_one_line_error(tmp_path: Path, data: Path, args: list[str], message: str):
    if args[1].startswith("cuda") and torch.cuda.device_count() > 7:
        pytest.skip("this machine has a cuda:7")
    code, output = train_cli("--data", str(data), "--out", str(tmp_path / "run"), *args)
    assert_one_line_error(code, output, message)


@pytest.mark.parametrize(
    "args",
    [["--lr", "nan"], ["--lr", "inf"], ["--dropout", "nan"], ["--val-fraction", "nan"], ["--max-tokens", "0"]],
)
def test_non_finite_and_out_of_range_options_are_usage_errors(tmp_path: Path, args: list[str]):
    code, output = train_cli("--out", str(tmp_path / "run"), *args)
    assert code == 2 and "Invalid value" in output and "Traceback" not in output


def test_out_under_a_file_is_a_one_line_error(tmp_path: Path, data: Path):
    (tmp_path / "file").write_text("mine")
    code, output = train_cli("--data", str(data), "--out", str(tmp_path / "file" / "run"))
    assert_one_line_error(code, output, "file is a file, not a directory")
    assert (tmp_path / "file").read_text() == "mine"


@pytest.mark.parametrize("flag", ["--overwrite", "--resume"])
def test_special_files_where_outputs_go_are_never_replaced(tmp_path: Path, data: Path, flag: str):
    out = tmp_path / "run"
    (out / "last.pt").mkdir(parents=True)
    (out / "last.pt" / "mine.txt").write_text("mine")
    os.mkfifo(out / "history.json")
    code, output = train_cli("--data", str(data), "--out", str(out), flag)
    assert_one_line_error(code, output, "last.pt exists and is not a regular file")
    assert (out / "last.pt" / "mine.txt").read_text() == "mine"
    assert (out / "history.json").is_fifo()
    assert leftovers(out) == []


# --- outputs that cannot be written: refused before the data is read (the data is a sentinel FIFO) ---


@pytest.mark.parametrize("kind", ["device", "fifo", "dangling link", "under a device", "link to a device"])
def test_an_out_that_cannot_be_a_run_directory_is_refused_before_the_data_is_read(tmp_path: Path, kind: str):
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "dangling").symlink_to(tmp_path / "nothing")
    (tmp_path / "null").symlink_to(os.devnull)
    out, named, what = {
        "device": (Path(os.devnull), Path(os.devnull), "a character device"),
        "fifo": (tmp_path / "fifo", tmp_path / "fifo", "a FIFO"),
        "dangling link": (tmp_path / "dangling", tmp_path / "dangling", "a link to nothing"),
        "under a device": (Path(os.devnull) / "run", Path(os.devnull), "a character device"),
        "link to a device": (tmp_path / "null" / "run", tmp_path / "null", "a character device"),
    }[kind]
    sentinel = Sentinel(tmp_path / "data.csv")
    code, output = train_cli("--data", str(sentinel.path), "--out", str(out))
    assert_one_line_error(code, output, f"cannot use {out} as the run directory: {named} is {what}, not a directory")
    assert not sentinel.opened()
    assert (tmp_path / "fifo").is_fifo() and (tmp_path / "dangling").is_symlink()
    assert not (tmp_path / "nothing").exists()


@pytest.mark.parametrize("kind", ["lock file is a link", "lock file is a FIFO", "data is an output"])
def test_names_of_the_run_directory_that_would_lose_user_files_are_refused_first(tmp_path: Path, kind: str):
    """lstm-train writes its lock file, checkpoints, history, token file and curves in --out: a link there is
    never written through, a FIFO never opened, and --data that is one of those names is never replaced."""
    out = tmp_path / "run"
    out.mkdir()
    precious = tmp_path / "precious.txt"
    precious.write_text("the user's\n")
    sentinel = Sentinel(tmp_path / "data.csv")
    data, left = str(sentinel.path), LOCK_NAME
    if kind == "lock file is a link":
        (out / LOCK_NAME).symlink_to(precious)
        message = f"cannot write the lock file {out / LOCK_NAME}: it is a symbolic link"
    elif kind == "lock file is a FIFO":
        os.mkfifo(out / LOCK_NAME)
        message = f"cannot use {out / LOCK_NAME} as the lock file: it is a FIFO"
    else:
        data, left = str(shutil.copyfile(precious, out / "history.json")), "history.json"
        message = f"--data {data} is this run's history.json, which lstm-train writes"
    code, output = train_cli("--data", data, "--out", str(out), "--overwrite")
    assert_one_line_error(code, output, message)
    assert not sentinel.opened()
    assert [p.name for p in out.iterdir()] == [left]  # no token file, checkpoint or history written
    assert precious.read_text() == "the user's\n"
    assert kind != "data is an output" or (out / "history.json").read_text() == "the user's\n"


def test_outputs_this_user_may_not_replace_are_refused_before_the_data_is_read():
    """As an ordinary user (root ignores permissions): a run directory it may not write in, and, in a sticky
    directory like /tmp, another user's checkpoint, are refused before any work, not at the first save."""
    root = os.geteuid() == 0
    if root and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv(1): permissions cannot be tested")
    as_user = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"] if root else []
    shared = Path(tempfile.mkdtemp(prefix="lstm-edge-train-permissions-"))  # pytest's tmp_path is private
    try:
        shared.chmod(0o755)
        locked = shared / "locked"
        locked.mkdir(mode=0o555)
        sticky = shared / "sticky"
        sticky.mkdir()
        sticky.chmod(0o1777)
        (sticky / "last.pt").write_bytes(b"someone else's checkpoint")
        cases = [
            (locked, [], f"cannot use {locked} as the run directory: it is not writable"),
            (locked / "run", [], f"cannot write {locked / 'run'}: Permission denied"),
        ]
        if root:  # only then is last.pt someone else's
            message = f"cannot write {sticky / 'last.pt'}: it belongs to another user, in {sticky}: a sticky directory"
            cases.append((sticky, ["--overwrite"], message))
        for out, extra, message in cases:
            sentinel = Sentinel(shared / "data.csv")
            sentinel.path.chmod(0o666)
            command = [*as_user, sys.executable, "-m", "lstm_edge.train", "--data", str(sentinel.path), *TINY]
            done = subprocess.run([*command, "--out", str(out), *extra], capture_output=True, text=True, timeout=120)
            if "setpriv" in done.stderr:
                pytest.skip(f"setpriv cannot drop privileges here: {done.stderr.strip()}")
            assert_one_line_error(done.returncode, done.stderr, message)
            assert not sentinel.opened()
            sentinel.path.unlink()
        assert os.listdir(locked) == [] and os.listdir(sticky) == ["last.pt"]
        assert (sticky / "last.pt").read_bytes() == b"someone else's checkpoint"
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def test_leftovers_of_a_killed_run_are_cleaned(one_epoch_run: Path, data: Path):
    (one_epoch_run / ".last.pt.k1ll3d.tmp").write_bytes(b"half a checkpoint")
    (one_epoch_run / "notes.tmp").write_text("the user's")
    code, output = train_cli("--data", str(data), "--out", str(one_epoch_run), "--resume")
    assert code == 0, output
    assert not (one_epoch_run / ".last.pt.k1ll3d.tmp").exists()
    assert (one_epoch_run / "notes.tmp").read_text() == "the user's"


# --- forged or damaged checkpoints ---


def _forge(checkpoint: dict, change: str) -> dict:
    forged = {**checkpoint}
    if change == "epochs is text":
        forged["train_config"] = {**checkpoint["train_config"], "epochs": "80"}
    elif change == "learning rate is nan":
        forged["train_config"] = {**checkpoint["train_config"], "learning_rate": float("nan")}
    elif change == "hidden sizes is text":
        forged["model_config"] = {**checkpoint["model_config"], "hidden_sizes": "8"}
    elif change == "progress is a list":
        forged["progress"] = [1, 2]
    elif change == "history row is text":
        forged["progress"] = {**checkpoint["progress"], "history": ["epoch 1"]}
    elif change == "rng state is float":
        forged["rng_state"] = torch.zeros(10)
    elif change == "optimizer lr is text":
        state = checkpoint["optimizer_state"]
        forged["optimizer_state"] = {**state, "param_groups": [{**state["param_groups"][0], "lr": "0.001"}]}
    elif change == "optimizer moment misshapen":
        state = checkpoint["optimizer_state"]
        moments = {**state["state"][0], "exp_avg": torch.zeros(3)}
        forged["optimizer_state"] = {**state, "state": {**state["state"], 0: moments}}
    elif change == "weights misshapen":
        forged["model_state"] = {**checkpoint["model_state"], "hidden.weight": torch.zeros(2, 2)}
    elif change == "tokenizer is a number":
        forged["tokenizer"] = 5
    elif change == "corpus is text":
        forged["corpus"] = "built-in"
    return forged


FORGERIES = [
    "epochs is text",
    "learning rate is nan",
    "hidden sizes is text",
    "progress is a list",
    "history row is text",
    "rng state is float",
    "optimizer lr is text",
    "optimizer moment misshapen",
    "weights misshapen",
    "tokenizer is a number",
    "corpus is text",
]


@pytest.mark.parametrize("change", FORGERIES)
def test_forged_checkpoint_fields_get_a_one_line_error(one_epoch_run: Path, data: Path, change: str):
    checkpoint = load_checkpoint(one_epoch_run / "last.pt")
    save_checkpoint(one_epoch_run / "last.pt", _forge(checkpoint, change))
    forged = (one_epoch_run / "last.pt").read_bytes()
    code, output = train_cli("--data", str(data), "--out", str(one_epoch_run), "--resume")
    assert code == 1, output
    assert output.strip().splitlines()[-1].startswith("Error: ") and "Traceback" not in output, output
    assert (one_epoch_run / "last.pt").read_bytes() == forged  # untouched


# --- faults: read-only and full disks (root only: they mount a small tmpfs) ---


@pytest.fixture()
def tmpfs(tmp_path: Path):
    """Mount a tmpfs at a fresh directory: `mount(options) -> Path`; unmounted afterwards."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root and mount(8); the disk-full and read-only faults are not tested")
    mounted: list[Path] = []

    def mount(options: str) -> Path:
        point = tmp_path / f"mount{len(mounted)}"
        point.mkdir()
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], capture_output=True)
        if result.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here ({result.stderr.decode().strip()}); faults not tested")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False)


def test_read_only_out_is_a_one_line_error(tmpfs, data: Path):
    read_only = tmpfs("ro,size=64k")
    code, output = train_cli("--data", str(data), "--out", str(read_only / "run"))
    assert_one_line_error(code, output, "Read-only file system")


def test_a_full_disk_is_a_one_line_error_and_leaves_nothing_half_written(tmpfs, data: Path):
    disk = tmpfs("size=256k")
    (disk / "filler").write_bytes(b"\0" * (160 * 1024))  # room for one tiny checkpoint, not two
    out = disk / "run"
    code, output = train_cli("--data", str(data), "--out", str(out), "--epochs", "3")
    assert_one_line_error(code, output, "No space left on device")
    assert leftovers(out) == []
    for name in ("best.pt", "last.pt"):
        if (out / name).exists():
            load_checkpoint(out / name)  # whatever was written is whole


# --- signals ---


def test_sigterm_saves_and_leaves_no_temporary_files(tmp_path: Path, data: Path):
    out = tmp_path / "run"
    process = _background_training(data, out, "--epochs", "1000", "--patience", "1000")
    _wait_for(lambda: (out / "history.json").exists(), process)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130 and "checkpoint saved" in stderr and "Traceback" not in stderr
    assert leftovers(out) == []
    assert load_checkpoint(out / "last.pt")["progress"]["epoch"] >= 1

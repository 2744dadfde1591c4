"""Faults: full disks, read-only and forbidden directories, special files at the output path, signals and
kill -9 during an export, closed or full standard streams. Each ends in a one-line error (or a quiet exit)
with the user's files byte-identical and no temporary file left behind.

A full disk and a read-only file system are real: small tmpfs mounts (root only; skipped otherwise).
Permission errors run the command as `nobody` when the suite runs as root (root ignores permissions).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import pytest
import torch
from click.testing import CliRunner

from lstm_edge.export.cli import main as export_main
from lstm_edge.runtime import files
from lstm_edge.runtime.cli import main as gen_main
from lstm_edge.runtime.files import NotARegularFile, atomic_path, atomic_write_bytes, private_directory
from lstm_edge.runtime.model_file import load_model
from lstm_edge.train.cli import main as train_main

BIN = Path(sys.executable).parent
ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


def script(name: str) -> list[str]:
    """The installed console script (what a user runs), or its module when it is not installed."""
    module = {"lstm-gen": "lstm_edge.runtime", "lstm-export": "lstm_edge.export", "lstm-train": "lstm_edge.train"}
    return [str(BIN / name)] if (BIN / name).is_file() else [sys.executable, "-m", module[name]]


def digest(directory: Path) -> dict[str, str]:
    """Every entry under `directory` (hidden ones included) → its kind and content hash."""
    entries = {}
    for path in sorted(directory.rglob("*")):
        mode = path.lstat().st_mode
        content = hashlib.sha256(path.read_bytes()).hexdigest() if stat.S_ISREG(mode) else ""
        entries[str(path.relative_to(directory))] = f"{stat.filemode(mode)} {content}"
    return entries


def assert_one_line_error(code: int, stderr: str, *parts: str) -> None:
    assert code == 1, stderr
    assert stderr.startswith("Error: ") and stderr.count("\n") == 1, stderr
    for part in parts:
        assert part in stderr, stderr


def export(*args: str) -> click.testing.Result:
    return CliRunner().invoke(export_main, list(args))


@contextmanager
def tmpfs(path: Path, size: int) -> Iterator[Path]:
    """A real small file system at `path` (root only); `remount_read_only(path)` turns it read-only."""
    if not ROOT or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def remount_read_only(path: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True, capture_output=True)


def fill(directory: Path, leave: int) -> None:
    """Fill the file system of `directory` until about `leave` bytes are free."""
    free = shutil.disk_usage(directory).free
    with open(directory / "filler.bin", "wb") as handle:
        handle.write(b"\0" * max(0, free - leave))


# --- atomic_path: the shared writer -----------------------------------------------------------------


def test_a_failed_write_leaves_the_old_file_and_nothing_else(tmp_path: Path):
    target = tmp_path / "model.onnx"
    target.write_bytes(b"old")
    target.chmod(0o640)
    with pytest.raises(RuntimeError), atomic_path(target) as temporary:
        assert temporary.parent.parent == tmp_path and temporary.parent.name.startswith(".model.onnx.lstm-edge-")
        assert stat.S_IMODE(temporary.parent.stat().st_mode) == 0o700  # private
        temporary.write_bytes(b"half")
        raise RuntimeError("disk on fire")
    assert os.listdir(tmp_path) == ["model.onnx"] and target.read_bytes() == b"old"
    atomic_write_bytes(target, b"new")
    assert os.listdir(tmp_path) == ["model.onnx"] and target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # a replaced file keeps its permissions


def test_an_os_error_inside_names_the_target_not_the_temporary_file(tmp_path: Path):
    target = tmp_path / "model.onnx"
    with pytest.raises(OSError) as raised, atomic_path(target) as temporary:
        raise OSError(28, "No space left on device", str(temporary))
    assert raised.value.filename == str(target)


def special_files(directory: Path) -> dict[str, Path]:
    made = {"directory": directory / "a-directory", "FIFO": directory / "a-fifo", "socket": directory / "a-socket"}
    made["directory"].mkdir()
    os.mkfifo(made["FIFO"])
    socket.socket(socket.AF_UNIX).bind(str(made["socket"]))
    made["link to /dev/null"] = directory / "null-link"
    made["link to /dev/null"].symlink_to(os.devnull)
    if ROOT:
        made["character device"] = directory / "null-device"
        os.mknod(made["character device"], 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    return made


def test_special_files_are_never_replaced(tmp_path: Path):
    made = special_files(tmp_path)
    before = digest(tmp_path)
    for kind, path in made.items():
        with pytest.raises(NotARegularFile) as raised, atomic_path(path) as temporary:
            temporary.write_bytes(b"model")
        assert raised.value.filename == str(path), kind
        assert "replaces only regular files" in str(raised.value), kind
    assert digest(tmp_path) == before
    assert os.stat(os.devnull).st_mode & stat.S_IFCHR


def test_leftovers_of_killed_writers_are_removed_and_live_ones_kept(tmp_path: Path):
    code = (
        "import sys, time\n"
        "from lstm_edge.runtime.files import atomic_path\n"
        "with atomic_path(sys.argv[1]) as temporary:\n"
        "    temporary.write_bytes(b'half')\n"
        "    print(temporary, flush=True)\n"
        "    time.sleep(600)\n"
    )
    writers = [
        subprocess.Popen([sys.executable, "-c", code, str(tmp_path / name)], stdout=subprocess.PIPE, text=True)
        for name in ("killed.onnx", "alive.onnx")
    ]
    try:
        killed_dir, alive_dir = (Path(writer.stdout.readline().strip()).parent for writer in writers)
        writers[0].kill()
        writers[0].wait()
        (tmp_path / ".notes.lstm-edge-mine").mkdir()  # named like ours, but no lock file: not ours
        (tmp_path / ".notes.lstm-edge-abcd1234" / "x").mkdir(parents=True)  # no lock file, not empty: not ours
        killed_early = tmp_path / ".model.onnx.lstm-edge-k3x9_q7z"  # killed before it made its lock file
        killed_early.mkdir()
        (tmp_path / "user.onnx").write_bytes(b"user")
        assert sorted(files.remove_leftovers(tmp_path)) == sorted([killed_dir, killed_early])
        assert alive_dir.is_dir() and (tmp_path / ".notes.lstm-edge-mine").is_dir()
        atomic_write_bytes(tmp_path / "other.onnx", b"x")  # every write cleans up first
    finally:
        writers[1].kill()
        writers[1].wait()
    assert files.remove_leftovers(tmp_path) == [alive_dir]
    assert sorted(os.listdir(tmp_path)) == [
        ".notes.lstm-edge-abcd1234",
        ".notes.lstm-edge-mine",
        "other.onnx",
        "user.onnx",
    ]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=["SIGTERM", "SIGINT", "SIGHUP"])
def test_a_signal_removes_the_private_directory(signum: int, tmp_path: Path):
    code = (
        "import sys, time, click\n"
        "from lstm_edge.runtime.console import run_command\n"
        "from lstm_edge.runtime.files import atomic_path\n"
        "target = sys.argv.pop(1)\n"
        "@click.command()\n"
        "def main():\n"
        "    with atomic_path(target) as temporary:\n"
        "        temporary.write_bytes(b'half')\n"
        "        print('writing', flush=True)\n"
        "        time.sleep(600)\n"
        "run_command(main, 'writer')\n"
    )
    writer = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path / "model.onnx")], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert writer.stdout.readline() == b"writing\n"
    writer.send_signal(signum)
    if signum == signal.SIGINT:  # Ctrl-C: click's "Aborted!" and status 1
        assert writer.wait(30) == 1 and writer.stderr.read().strip() == b"Aborted!"
    else:
        assert writer.wait(30) == 128 + signum and writer.stderr.read() == b""
    assert os.listdir(tmp_path) == []


# --- lstm-export: what is next to the output survives ------------------------------------------------


def test_quantize_touches_nothing_but_its_two_outputs(tiny_run: Path, tmp_path: Path):
    """onnxruntime's quantizer writes NAME-inferred.onnx beside its input: a user's file of that name stays."""
    mine = {"model-inferred.onnx": b"the user's own file", ".model.onnx.tmp": b"hidden", "notes.txt": b"notes"}
    for name, content in mine.items():
        (tmp_path / name).write_bytes(content)
    before = digest(tmp_path)
    result = export(str(tiny_run), "-o", str(tmp_path / "model.onnx"), "--quantize", "int8", "--force")
    assert result.exit_code == 0, result.output
    after = digest(tmp_path)
    assert {name: after[name] for name in before} == before
    assert sorted(set(after) - set(before)) == ["model.int8.onnx", "model.onnx"]


def test_special_files_at_the_output_are_refused_before_any_work(tiny_run: Path, tmp_path: Path):
    made = special_files(tmp_path)
    twin_fifo = tmp_path / "model.int8.onnx"
    os.mkfifo(twin_fifo)
    before = digest(tmp_path)
    for kind, path in made.items():
        result = export(str(tiny_run), "-o", str(path))
        what = "it is a directory" if kind == "directory" else "lstm-export replaces only regular files"
        assert_one_line_error(result.exit_code, result.stderr, f"cannot write {path}: ", what)
    result = export(str(tiny_run), "-o", str(tmp_path / "model.onnx"), "--quantize", "int8")
    assert_one_line_error(result.exit_code, result.stderr, f"{twin_fifo}: it is a FIFO")
    assert digest(tmp_path) == before


def test_a_fifo_or_device_as_checkpoint_or_data_is_refused_without_reading(tiny_run: Path, tmp_path: Path):
    fifo = tmp_path / "checkpoint.pt"
    os.mkfifo(fifo)
    result = export(str(fifo), "-o", str(tmp_path / "model.onnx"))
    assert_one_line_error(result.exit_code, result.stderr, f"{fifo}: is a FIFO, not a checkpoint file")
    result = export(str(tiny_run), "-o", str(tmp_path / "model.onnx"), "--quantize", "int8", "--data", "/dev/zero")
    assert_one_line_error(result.exit_code, result.stderr, "/dev/zero: is a character device, not a --data file")


@pytest.mark.parametrize("how", ["kill -9", "SIGTERM"])
def test_an_export_stopped_midway_leaves_the_previous_model_and_a_rerun_cleans_up(
    how: str, tiny_run: Path, tiny_model: Path, tmp_path: Path
):
    out = tmp_path / "model.onnx"
    out.write_bytes(b"the previous model")
    exporting = subprocess.Popen(
        [*script("lstm-export"), str(tiny_run), "-o", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    while not any(name.startswith(".model.onnx.lstm-edge-") for name in os.listdir(tmp_path)):
        assert exporting.poll() is None and time.monotonic() < deadline, exporting.communicate()
        time.sleep(0.005)
    exporting.send_signal(signal.SIGKILL if how == "kill -9" else signal.SIGTERM)
    _, stderr = exporting.communicate(timeout=60)
    assert out.read_bytes() == b"the previous model"
    leftovers = [name for name in os.listdir(tmp_path) if name != "model.onnx"]
    if how == "SIGTERM":
        assert exporting.returncode == 128 + signal.SIGTERM and stderr == b"", stderr
        assert leftovers == []
        return
    assert exporting.returncode == -signal.SIGKILL and len(leftovers) == 1  # nothing could clean up
    result = export(str(tiny_run), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert os.listdir(tmp_path) == ["model.onnx"]
    load_model(out)


# --- full, read-only and forbidden places -----------------------------------------------------------


def test_a_full_disk_is_one_line_and_keeps_the_previous_model(tiny_run: Path, tiny_model: Path, tmp_path: Path):
    size = tiny_model.stat().st_size
    with tmpfs(tmp_path / "small", 4 * size) as disk:
        out = disk / "model.onnx"
        out.write_bytes(b"the previous model")
        fill(disk, size // 2)
        before = digest(disk)
        result = export(str(tiny_run), "-o", str(out))
        assert_one_line_error(result.exit_code, result.stderr, f"{out}: No space left on device")
        assert digest(disk) == before


def test_a_full_disk_during_quantization_keeps_the_float32_model_and_the_users_files(
    tiny_run: Path, tiny_model: Path, tmp_path: Path
):
    size = tiny_model.stat().st_size
    with tmpfs(tmp_path / "small", 4 * size) as disk:
        (disk / "model-inferred.onnx").write_bytes(b"the user's own file")
        fill(disk, int(1.5 * size))  # room for the float32 model, not for the quantizer's copies
        before = digest(disk)
        result = export(str(tiny_run), "-o", str(disk / "model.onnx"), "--quantize", "int8", "--force")
        message = f"{disk / 'model.int8.onnx'}: No space left on device"
        assert_one_line_error(
            result.exit_code, result.stderr, message, f"{disk / 'model.onnx'} is written and verified"
        )
        after = digest(disk)
        assert {name: after[name] for name in before} == before
        assert sorted(set(after) - set(before)) == ["model.onnx"]
        load_model(disk / "model.onnx")


def test_a_read_only_file_system_is_one_line(tiny_run: Path, tmp_path: Path):
    with tmpfs(tmp_path / "ro", 2**20) as disk:
        (disk / "model.onnx").write_bytes(b"the previous model")
        remount_read_only(disk)
        result = export(str(tiny_run), "-o", str(disk / "model.onnx"))
        assert_one_line_error(result.exit_code, result.stderr, f"directory {disk} is not writable")
        with pytest.raises(OSError) as raised:
            atomic_write_bytes(disk / "model.onnx", b"new")
        assert raised.value.filename == str(disk / "model.onnx") and "Read-only file system" in str(raised.value)
        assert os.listdir(disk) == ["model.onnx"] and (disk / "model.onnx").read_bytes() == b"the previous model"


@pytest.fixture()
def as_nobody() -> list[str]:
    """A command prefix that drops root (root ignores file permissions); empty when not root."""
    if not ROOT:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv(1): permissions cannot be tested")
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]


def test_permission_denied_is_one_line(as_nobody: list[str], tiny_model: Path):
    shared = Path(tempfile.mkdtemp(prefix="lstm-edge-permissions-"))
    try:
        shared.chmod(0o755)
        secret = shared / "secret.onnx"
        shutil.copyfile(tiny_model, secret)
        secret.chmod(0o000)
        locked = shared / "locked"
        locked.mkdir(mode=0o555)
        done = subprocess.run(
            [*as_nobody, *script("lstm-gen"), "--model", str(secret), "A coat"], capture_output=True, text=True
        )
        if as_nobody and "setpriv" in done.stderr:
            pytest.skip(f"setpriv cannot drop privileges here: {done.stderr.strip()}")
        assert done.returncode == 2, done.stderr  # click checks readability first
        assert done.stderr.endswith(f"Error: Invalid value for '-m' / '--model': Path '{secret}' is not readable.\n")
        writer = (
            "from lstm_edge.runtime.files import atomic_write_bytes; import sys; atomic_write_bytes(sys.argv[1], b'x')"
        )
        loader = "from lstm_edge.runtime.model_file import load_model; import sys; load_model(sys.argv[1])"
        for code, path, message in (
            (
                writer,
                locked / "model.onnx",
                f"PermissionError: [Errno 13] Permission denied: '{locked / 'model.onnx'}'",
            ),
            (loader, secret, f"ModelFileError: {secret}: cannot read (Permission denied)"),
        ):
            done = subprocess.run([*as_nobody, sys.executable, "-c", code, str(path)], capture_output=True, text=True)
            assert done.returncode == 1 and done.stderr.splitlines()[-1].endswith(message), done.stderr
        assert os.listdir(locked) == []
    finally:
        shutil.rmtree(shared, ignore_errors=True)


# --- standard streams: closed, full, or a reader that leaves ------------------------------------------


def test_lstm_gen_with_closed_or_full_standard_streams(tiny_model: Path):
    command = [*script("lstm-gen"), "--model", str(tiny_model)]
    closed = subprocess.run([*command, "A coat"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert closed.returncode == 0
    closed = subprocess.run(
        ["sh", "-c", '"$@" >&-', "sh", *command, "A coat"], stderr=subprocess.PIPE, text=True, timeout=60
    )
    assert_one_line_error(closed.returncode, closed.stderr, "lstm-gen: standard output is closed")
    with open("/dev/full", "w") as full:
        done = subprocess.run([*command, "A coat"], stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert_one_line_error(done.returncode, done.stderr, "cannot write to standard output: No space left on device")
    no_stdin = subprocess.run(["sh", "-c", '"$@" <&-', "sh", *command], capture_output=True, text=True, timeout=60)
    assert_one_line_error(no_stdin.returncode, no_stdin.stderr, "no prompts: give PROMPT arguments (stdin is closed)")
    with_stdin_closed = subprocess.run(
        ["sh", "-c", '"$@" <&-', "sh", *command, "A coat"], capture_output=True, text=True, timeout=60
    )
    assert with_stdin_closed.returncode == 0 and with_stdin_closed.stdout.startswith("A coat")
    no_stderr = subprocess.run(["sh", "-c", '"$@" 2>&-', "sh", *command, "A coat"], capture_output=True, timeout=60)
    assert no_stderr.returncode == 1 and no_stderr.stdout == b""


def test_lstm_gen_into_a_reader_that_leaves(tiny_model: Path):
    """`lstm-gen … | head -c1`: the reader takes one byte and leaves; no traceback, no second message."""
    command = [*script("lstm-gen"), "--model", str(tiny_model), "-n", "50", *(["A cream coat"] * 2000)]
    generating = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert generating.stdout.read(1) == b"A"
    generating.stdout.close()
    assert generating.wait(120) in (0, 1)
    assert generating.stderr.read() == b""


@pytest.mark.parametrize("name", ["lstm-export", "lstm-train", "lstm-gen"])
def test_help_into_a_full_or_closed_stdout_is_one_line(name: str):
    with open("/dev/full", "w") as full:
        done = subprocess.run([*script(name), "--help"], stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert_one_line_error(done.returncode, done.stderr, "cannot write to standard output")
    closed = subprocess.run(["sh", "-c", '"$@" >&-', "sh", *script(name), "--version"], capture_output=True, text=True)
    assert_one_line_error(closed.returncode, closed.stderr, "standard output is closed")


# --- non-finite numbers: in options, in weights ------------------------------------------------------


def float_options(command: click.Command) -> list[str]:
    return [
        parameter.opts[-1]
        for parameter in command.params
        if isinstance(parameter, click.Option) and isinstance(parameter.type, (click.FloatRange, type(click.FLOAT)))
    ]


@pytest.mark.parametrize("command", [gen_main, export_main, train_main], ids=["lstm-gen", "lstm-export", "lstm-train"])
def test_every_float_option_refuses_non_finite_values(command: click.Command, tmp_path: Path):
    options = float_options(command)
    assert options, "no float options found: has the option type changed?"
    for option in options:
        for value in ("nan", "NaN", "inf", "-inf", "1e309", "-1e999"):
            result = CliRunner().invoke(command, [option, value, "x"] if command is gen_main else [option, value])
            assert result.exit_code == 2, (option, value, result.output)
            assert "is not a finite number" in result.stderr or "is not in the range" in result.stderr, result.stderr


def test_the_console_script_refuses_nan_temperature_and_top_p(tiny_model: Path):
    for option in ("-t", "--temperature", "--top-p"):
        done = subprocess.run(
            [*script("lstm-gen"), "--model", str(tiny_model), option, "nan", "A coat"], capture_output=True, text=True
        )
        assert done.returncode == 2 and "is not a finite number" in done.stderr, done.stderr


@pytest.mark.parametrize(
    "poison, message",
    [
        ("nan", "the checkpoint's weights hold NaN or infinity"),
        ("inf", "the checkpoint's weights hold NaN or infinity"),
        ("huge", "computes NaN or infinite logits"),
    ],
)
def test_export_refuses_a_checkpoint_that_is_not_finite(poison: str, message: str, tiny_run: Path, tmp_path: Path):
    checkpoint = torch.load(tiny_run / "best.pt", weights_only=True)
    state = checkpoint["model_state"]
    name = next(key for key in state if key.endswith("output.weight"))
    if poison == "huge":
        state[name] = state[name] * 3e38  # finite weights, infinite logits
    else:
        state[name][0, 0] = float(poison)
    poisoned = tmp_path / "poisoned.pt"
    torch.save(checkpoint, poisoned)
    result = export(str(poisoned), "-o", str(tmp_path / "out" / "model.onnx"))
    assert_one_line_error(result.exit_code, result.stderr, message)
    assert not (tmp_path / "out").exists() or os.listdir(tmp_path / "out") == []


def test_quantizer_scratch_lives_inside_the_private_directory(tmp_path: Path):
    """Python's temporary directory points into our private one while the quantizer runs (and is restored)."""
    from lstm_edge.export.quantize import _temporary_files_in

    with private_directory(tmp_path / "model.int8.onnx") as scratch, _temporary_files_in(scratch):
        assert tempfile.gettempdir() == str(scratch)
        Path(tempfile.mkdtemp()).rmdir()
    assert tempfile.gettempdir() != str(scratch) and os.listdir(tmp_path) == []


def test_concurrent_writers_in_one_directory_never_remove_each_others_files(tmp_path: Path):
    """Every write first removes leftovers beside it; a live writer's directory must never count as one."""
    code = (
        "import sys\n"
        "from lstm_edge.runtime.files import atomic_write_bytes\n"
        "for n in range(150):\n"
        "    atomic_write_bytes(f'{sys.argv[1]}-{n % 3}.bin', b'x' * 1000)\n"
    )
    writers = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path / f"w{i}")]) for i in range(6)]
    assert [writer.wait(timeout=300) for writer in writers] == [0] * 6
    assert sorted(os.listdir(tmp_path)) == sorted(f"w{i}-{n}.bin" for i in range(6) for n in range(3))

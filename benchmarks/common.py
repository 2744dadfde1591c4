"""Shared pieces of the benchmarks: the machine header, medians over repeats, tables, cached models.

Every benchmark prints a table with `print_table`, headed by `machine_header()`, and says how to
reproduce it. Numbers are medians over repeats; claims are ratios measured in the same run.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "benchmarks" / ".cache"  # trained/exported models the benchmarks reuse (git-ignored)
REVIEWS_CSV = ROOT.parent / "shared" / "data" / "womens_clothing_reviews_1000.csv"


def machine_header() -> str:
    """One line naming the CPU, core count, Python and library versions."""
    import numpy
    import onnxruntime

    try:
        import torch

        torch_version = str(torch.__version__)
    except ImportError:
        torch_version = "not installed"
    return (
        f"machine: {_cpu_name()}, {os.cpu_count()} cores, {platform.system()} {platform.machine()} | "
        f"Python {platform.python_version()}, numpy {numpy.__version__}, onnxruntime {onnxruntime.__version__}, "
        f"torch {torch_version}"
    )


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def median_time(function: Callable[[], object], repeats: int = 7, number: int = 1, warmup: int = 1) -> float:
    """Median seconds per call of `function` over `repeats` timings of `number` calls each."""
    for _ in range(warmup):
        function()
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(number):
            function()
        timings.append((time.perf_counter() - started) / number)
    return statistics.median(timings)


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]], reproduce: str) -> None:
    """A Markdown table (it pastes into the README as is), with a title and the command to reproduce it."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max(len(str(h)), *(len(row[i]) for row in cells)) for i, h in enumerate(headers)]
    print(f"\n### {title}\n")
    print("| " + " | ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells:
        print("| " + " | ".join(value.ljust(w) for value, w in zip(row, widths, strict=True)) + " |")
    print(f"\nReproduce: `{reproduce}`")
    sys.stdout.flush()


def _cell(value: object) -> str:
    if isinstance(value, float):
        if value == 0 or 0.01 <= abs(value) < 100_000:
            return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"
        return f"{value:.2e}"
    return str(value)


def run(command: Sequence[str], **kwargs: object) -> subprocess.CompletedProcess:
    """Run a command from the repository root and fail loudly (benchmarks must not hide errors)."""
    return subprocess.run(list(command), cwd=ROOT, check=True, text=True, capture_output=True, **kwargs)


def cached_model(name: str, train_args: Sequence[str], quantize: bool = True, export_args: Sequence[str] = ()) -> Path:
    """Train (lstm-train) and export (lstm-export) a model into .cache/NAME once; later calls reuse it.

    Returns the float32 .onnx path; with `quantize`, its int8 twin sits beside it.
    """
    from lstm_edge.runtime.contract import int8_twin

    run_dir = CACHE / name
    model = run_dir / "model.onnx"
    if model.exists() and (not quantize or int8_twin(model).exists()):
        return model
    run([sys.executable, "-m", "lstm_edge.train", "--out", str(run_dir), "--overwrite", "--quiet", *train_args])
    run(
        [
            sys.executable,
            "-m",
            "lstm_edge.export",
            str(run_dir),
            "-o",
            str(model),
            *(["--quantize", "int8", "--force"] if quantize else []),
            *export_args,
        ]
    )
    return model


# --- appended: measuring whole processes, thread settings, onnxruntime sessions ---

import tempfile  # noqa: E402
from dataclasses import dataclass  # noqa: E402


@dataclass(frozen=True)
class ProcessRun:
    seconds: float  # wall time from start to exit
    peak_rss_bytes: int  # the process's own peak resident set (os.wait4, so children of ours do not mix)
    stdout: str
    cpu_seconds: float = 0.0  # user + system time of the process


def run_measured(command: Sequence[str], env: dict[str, str] | None = None, cpu: int | None = None) -> ProcessRun:
    """Run a command from the repository root; its wall time, CPU time and its own peak RSS. Fails loudly.

    With `cpu`, the command runs pinned to that CPU (Linux).

    Linux counts the memory a process had before `exec` in its peak RSS, and a child forked from this
    (large) process starts as a copy of it; so the command is started by a small launcher process
    (about 8 MB), and peaks below the launcher's own cannot be told apart.
    """
    with tempfile.TemporaryDirectory() as scratch:
        report, out, err = (Path(scratch) / name for name in ("report", "stdout", "stderr"))
        launcher = [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(report), "" if cpu is None else str(cpu)]
        with out.open("w") as stdout, err.open("w") as stderr:
            launched = subprocess.run(
                [*launcher, *command], cwd=ROOT, env=env, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL
            )
        if not report.is_file():  # the launcher itself failed (no such command, …)
            raise subprocess.CalledProcessError(launched.returncode, list(command), out.read_text(), err.read_text())
        returncode, seconds, maxrss, cpu_seconds = report.read_text().split()
        if int(returncode) != 0:
            raise subprocess.CalledProcessError(int(returncode), list(command), out.read_text(), err.read_text())
        return ProcessRun(float(seconds), _rss_bytes(int(maxrss)), out.read_text(), float(cpu_seconds))


# Pins itself to CPU argv[2] (if given), spawns argv[3:], waits for it with wait4, and writes
# "exit-code seconds ru_maxrss cpu-seconds" to argv[1].
_LAUNCHER = """
import os, sys, time
if sys.argv[2]:
    os.sched_setaffinity(0, {int(sys.argv[2])})
started = time.perf_counter()
pid = os.posix_spawnp(sys.argv[3], sys.argv[3:], os.environ)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
with open(sys.argv[1], "w") as report:
    report.write(f"{os.waitstatus_to_exitcode(status)} {seconds} {usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}")
"""


def own_peak_rss() -> int:
    """This process's peak RSS so far, in bytes."""
    import resource

    return _rss_bytes(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _rss_bytes(maxrss: int) -> int:
    return maxrss if sys.platform == "darwin" else maxrss * 1024  # Linux reports KiB, macOS bytes


def thread_env(threads: int = 1, base: dict[str, str] | None = None) -> dict[str, str]:
    """An environment whose BLAS/OpenMP pools have `threads` threads (it must be set before numpy loads)."""
    env = dict(os.environ if base is None else base)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
        env[name] = str(threads)
    return env


def megabytes(size_bytes: float) -> float:
    return size_bytes / 1e6


def ort_session(model: object, threads: int = 1) -> object:
    """An onnxruntime session set up as the runtime sets up its own: `threads` intra-op threads, no spinning."""
    import onnxruntime

    from lstm_edge.runtime.ort_backend import session_options

    source = str(model) if isinstance(model, Path) else model
    return onnxruntime.InferenceSession(source, session_options(threads), providers=["CPUExecutionProvider"])

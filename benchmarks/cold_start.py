"""Cold start: `lstm-gen "A cream coat"` on each backend as a whole process, next to its floors.

The floors: `python -c "import onnxruntime"` for the onnxruntime backend (most of a start is that import),
and `python -c "import numpy, click"` for the numpy backend (the least any numpy program with our CLI
can import). `python -c pass` is the interpreter's own start. Goals: lstm-gen ≤ 1.0× import onnxruntime
on onnxruntime, ≤ 1.05× import numpy, click on numpy. Where the model has an int8 twin, lstm-gen on the
twin is measured too (beside the goals, which are of the default fp32 file): a quarter of the bytes to read.

Each command runs as a fresh process pinned to one CPU, alternating round by round (so drift hits all
alike); wall time from spawn to exit, CPU time (user + system) and the process's peak RSS (os.wait4) are
medians over the rounds. Every ratio is of medians from the same run. On a shared machine wall time
waits on other processes too; CPU time does not, so it is shown beside it.

The full run measures what a device has: a virtualenv (cached in .cache/device-venv) where a copy of
this tree was `pip install`ed without extras — compiled bytecode, no editable-install finder, no torch;
every command uses its Python, and lstm-gen is its console script, greedy, 10 words, with the shipped
model (or `--model` pointing at the stand-in when none is installed). Quick mode uses this interpreter
and its `lstm-gen` instead.

Reproduce: `python -m benchmarks cold-start [--quick]`
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.common import CACHE, ROOT, ProcessRun, megabytes, print_table, run, run_measured
from benchmarks.models import fashion_model

FULL_ROUNDS = 31
QUICK_ROUNDS = 3
PROMPT = "A cream coat"
IMPORT_ORT = 'python -c "import onnxruntime"'
IMPORT_NUMPY = 'python -c "import numpy, click"'
GOALS = {"onnxruntime": (IMPORT_ORT, 1.0), "numpy": (IMPORT_NUMPY, 1.05)}


def main(quick: bool = False) -> None:
    rounds = QUICK_ROUNDS if quick else FULL_ROUNDS
    model = fashion_model(quick)
    python = Path(sys.executable) if quick else _device_python()
    generate = [*_lstm_gen(python), PROMPT]
    if not model.description.startswith("shipped"):
        generate += ["--model", str(model.fp32)]
    commands = {
        "python -c pass": [str(python), "-c", "pass"],
        IMPORT_NUMPY: [str(python), "-c", "import numpy, click"],
        IMPORT_ORT: [str(python), "-c", "import onnxruntime"],
        **{_generate_name(backend): [*generate, "--backend", backend] for backend in GOALS},
    }
    if model.int8 is not None:  # beside the goals: what a device gains from the int8 twin's smaller file
        twin = [*_lstm_gen(python), PROMPT, "--model", str(model.int8)]
        commands |= {f"{_generate_name(backend)} (int8 twin)": [*twin, "--backend", backend] for backend in GOALS}
    cpu = _one_cpu()
    measured = measure(commands, rounds, cpu)
    print_table(
        f"Cold start, median of {rounds} alternating runs pinned to CPU {cpu} ({model.name}: {model.description}; "
        f"{' '.join(_shown(part) for part in generate)} --backend …; goals: onnxruntime ≤ 1.0× {IMPORT_ORT}, "
        f"numpy ≤ 1.05× {IMPORT_NUMPY})",
        ["command", "wall (ms)", "CPU (ms)", "× import onnxruntime", "× import numpy, click", "peak RSS (MB)"],
        rows(measured),
        f"python -m benchmarks cold-start{' --quick' if quick else ''}",
    )
    for backend, (floor, goal) in GOALS.items():
        ratio = _median(measured[_generate_name(backend)]) / _median(measured[floor])
        print(f"{backend}: {ratio:.2f}× {floor} (goal ≤ {goal:.2f}×): {'met' if ratio <= goal else 'NOT met'}")


def measure(commands: dict[str, list[str]], rounds: int, cpu: int | None) -> dict[str, list[ProcessRun]]:
    """Every command once per round, in order, `rounds` times."""
    runs: dict[str, list[ProcessRun]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            runs[name].append(run_measured(command, cpu=cpu))
    return runs


def rows(measured: dict[str, list[ProcessRun]]) -> list[list[object]]:
    ort_floor, numpy_floor = _median(measured[IMPORT_ORT]), _median(measured[IMPORT_NUMPY])
    return [
        [
            name,
            _median(runs) * 1000,
            statistics.median(run.cpu_seconds for run in runs) * 1000,
            f"{_median(runs) / ort_floor:.2f}×",
            f"{_median(runs) / numpy_floor:.2f}×",
            megabytes(statistics.median(run.peak_rss_bytes for run in runs)),
        ]
        for name, runs in measured.items()
    ]


def _generate_name(backend: str) -> str:
    return f'lstm-gen "{PROMPT}" --backend {backend}'


def _median(runs: list[ProcessRun]) -> float:
    return statistics.median(run.seconds for run in runs)


def _one_cpu() -> int | None:
    """The last CPU this process may run on (the first tends to take the interrupts); None off Linux."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    return max(os.sched_getaffinity(0))


def _lstm_gen(python: Path) -> list[str]:
    script = python.parent / "lstm-gen"
    return [str(script)] if script.is_file() else [str(python), "-m", "lstm_edge.runtime"]


def _device_python() -> Path:
    """The Python of a device-like virtualenv holding a fresh, non-editable install of this tree."""
    venv = CACHE / "device-venv"
    python = venv / "bin" / "python"
    if not python.is_file():
        run([sys.executable, "-m", "venv", str(venv)])
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "lstm-edge"  # building in place would leave build/ in the working tree
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*_NOT_SHIPPED))
        run([str(python), "-m", "pip", "install", "--quiet", "--force-reinstall", "--no-deps", str(copy)])
        run([str(python), "-m", "pip", "install", "--quiet", str(copy)])  # dependencies, where missing
    return python


_NOT_SHIPPED = (
    ".git",
    ".venv",
    "runs",
    ".cache",
    "__pycache__",
    "build",
    "*.egg-info",
    ".pytest_cache",
    ".ruff_cache",
    "node_modules",
)


def _shown(part: str) -> str:
    return f'"{part}"' if " " in part else part

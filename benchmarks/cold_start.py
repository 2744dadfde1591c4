"""Cold start: `lstm-gen "A cream coat"` as a whole process, next to `python -c "import onnxruntime"`.

Each command runs as a fresh process, alternating round by round (so drift hits all alike); wall time
from spawn to exit and the process's peak RSS (os.wait4) are medians over the rounds. The full run
measures what a device has: a virtualenv (cached in .cache/device-venv) where a copy of this tree was
`pip install`ed without extras — compiled bytecode, no editable-install finder, no torch; all three
commands use its Python, and lstm-gen is its console script, greedy, 10 words, with the shipped model
(or `--model` pointing at the stand-in when none is installed). Quick mode uses this interpreter and
its `lstm-gen` instead. `python -c pass` is the interpreter's own floor. Goal: lstm-gen ≤ 1.15× the import.

Reproduce: `python -m benchmarks cold-start [--quick]`
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.common import CACHE, ROOT, megabytes, print_table, run, run_measured
from benchmarks.models import fashion_model

FULL_ROUNDS = 21
QUICK_ROUNDS = 3
PROMPT = "A cream coat"


def main(quick: bool = False) -> None:
    rounds = QUICK_ROUNDS if quick else FULL_ROUNDS
    model = fashion_model(quick)
    python = Path(sys.executable) if quick else _device_python()
    generate = [*_lstm_gen(python), PROMPT]
    if not model.description.startswith("shipped"):
        generate += ["--model", str(model.fp32)]
    commands = {
        "python -c pass": [str(python), "-c", "pass"],
        'python -c "import onnxruntime"': [str(python), "-c", "import onnxruntime"],
        f'lstm-gen "{PROMPT}"': generate,
    }
    runs: dict[str, list] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            runs[name].append(run_measured(command))
    seconds = {name: statistics.median(run.seconds for run in measured) for name, measured in runs.items()}
    reference = seconds['python -c "import onnxruntime"']
    rows = [
        [
            name,
            seconds[name] * 1000,
            f"{seconds[name] / reference:.2f}×",
            megabytes(statistics.median(run.peak_rss_bytes for run in measured)),
        ]
        for name, measured in runs.items()
    ]
    print_table(
        f"Cold start, median of {rounds} alternating runs ({model.name}: {model.description}; "
        f"{' '.join(_shown(part) for part in generate)})",
        ["command", "wall (ms)", "× import onnxruntime", "peak RSS (MB)"],
        rows,
        f"python -m benchmarks cold-start{' --quick' if quick else ''}",
    )


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
        run([str(python), "-m", "pip", "install", "--quiet", "--force-reinstall", str(copy)])
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

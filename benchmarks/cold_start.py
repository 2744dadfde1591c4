"""Cold start: `lstm-gen "A cream coat"` as a whole process, next to `python -c "import onnxruntime"`.

Each command runs as a fresh process, alternating round by round (so drift hits all alike); wall time
from spawn to exit and the process's peak RSS (os.wait4) are medians over the rounds. lstm-gen is the
virtualenv's console script (`lstm-gen` beside this Python; `python -m lstm_edge.runtime` where there is
none), greedy, 10 words, with the shipped model (or `--model` pointing at the stand-in when none is
installed). `python -c pass` is shown as the interpreter's own floor. Goal: lstm-gen ≤ 1.15× the import.

Reproduce: `python -m benchmarks cold-start [--quick]`
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

from benchmarks.common import megabytes, print_table, run_measured
from benchmarks.models import fashion_model

FULL_ROUNDS = 21
QUICK_ROUNDS = 3
PROMPT = "A cream coat"


def main(quick: bool = False) -> None:
    rounds = QUICK_ROUNDS if quick else FULL_ROUNDS
    model = fashion_model(quick)
    generate = [*_lstm_gen(), PROMPT]
    if not model.description.startswith("shipped"):
        generate += ["--model", str(model.fp32)]
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        'python -c "import onnxruntime"': [sys.executable, "-c", "import onnxruntime"],
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


def _lstm_gen() -> list[str]:
    script = Path(sys.executable).parent / "lstm-gen"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "lstm_edge.runtime"]


def _shown(part: str) -> str:
    return f'"{part}"' if " " in part else part

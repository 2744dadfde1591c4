"""Where does lstm-gen's start go, and how low can a process that imports onnxruntime start?

Two measurements in the device-like virtualenv of `benchmarks/cold_start.py` (a non-editable install):

1. Whole processes, alternating round by round, pinned to one CPU (medians): the interpreter, numpy,
   numpy + click, `import onnxruntime`, onnxruntime's native module loaded by its file path without
   its Python package (the least any onnxruntime program loads; it imports numpy itself), the same
   plus click, and lstm-gen on each backend.
2. The marginal import time of each module lstm-gen's generation path imports beyond numpy and click,
   in dependency order (each in a fresh process after its predecessors, median of the rounds).

    python -m dev.cold_start [--rounds 21]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile

from benchmarks.cold_start import _device_python, _lstm_gen, _one_cpu, measure
from benchmarks.common import megabytes, print_table

# the generation path's imports beyond numpy and click, in the order lstm-gen imports them
GENERATION_PATH = [
    "json",
    "signal",
    "lstm_edge",
    "lstm_edge.runtime.errors",
    "lstm_edge.runtime.tokenizer",
    "lstm_edge.runtime.contract",
    "lstm_edge.runtime.console",
    "lstm_edge.runtime.cli",
    "lstm_edge.runtime.decoding",
    "lstm_edge.runtime.backend",
    "lstm_edge.runtime.onnx_proto",
    "lstm_edge.runtime.model_file",
    "lstm_edge.runtime.generator",
    "lstm_edge.models",
    "lstm_edge.runtime.graph_weights",
    "lstm_edge.runtime.numpy_backend",
]

NATIVE_ONLY = """
import importlib.util, os
(folder,) = importlib.util.find_spec("onnxruntime").submodule_search_locations  # finds, does not import
folder = os.path.join(folder, "capi")
(name,) = [n for n in os.listdir(folder) if n.startswith("onnxruntime_pybind11_state")]
spec = importlib.util.spec_from_file_location("onnxruntime.capi.onnxruntime_pybind11_state", os.path.join(folder, name))
spec.loader.exec_module(importlib.util.module_from_spec(spec))
"""

MARGINAL = """
import importlib, time, numpy, click
for name in {before!r}:
    importlib.import_module(name)
started = time.perf_counter()
importlib.import_module({name!r})
print(time.perf_counter() - started)
"""


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m dev.cold_start")
    parser.add_argument("--rounds", type=int, default=21)
    rounds = parser.parse_args().rounds
    python_path = _device_python()
    os.chdir(tempfile.gettempdir())  # `python -c` puts the working directory first on sys.path: not the repository
    python, cpu = str(python_path), _one_cpu()
    generate = [*_lstm_gen(python_path), "A cream coat", "--backend"]
    commands = {
        "python -c pass": [python, "-c", "pass"],
        "import numpy": [python, "-c", "import numpy"],
        "import numpy, click": [python, "-c", "import numpy, click"],
        "import onnxruntime": [python, "-c", "import onnxruntime"],
        "onnxruntime's native module alone": [python, "-c", NATIVE_ONLY],
        "native module alone + import click": [python, "-c", NATIVE_ONLY + "import click\n"],
        "lstm-gen --backend onnxruntime": [*generate, "onnxruntime"],
        "lstm-gen --backend numpy": [*generate, "numpy"],
    }
    measured = measure(commands, rounds, cpu)
    floor = statistics.median(run.seconds for run in measured["import onnxruntime"])
    print_table(
        f"Whole processes, median of {rounds} alternating runs pinned to CPU {cpu}",
        ["command", "wall (ms)", "CPU (ms)", "× import onnxruntime", "peak RSS (MB)"],
        [
            [
                name,
                statistics.median(run.seconds for run in runs) * 1000,
                statistics.median(run.cpu_seconds for run in runs) * 1000,
                f"{statistics.median(run.seconds for run in runs) / floor:.2f}×",
                megabytes(statistics.median(run.peak_rss_bytes for run in runs)),
            ]
            for name, runs in measured.items()
        ],
        "python -m dev.cold_start",
    )
    rows, total = [], 0.0
    for index, name in enumerate(GENERATION_PATH):
        code = MARGINAL.format(before=GENERATION_PATH[:index], name=name)
        pinned = ["taskset", "-c", str(cpu)] if cpu is not None else []
        times = [
            float(subprocess.run([*pinned, python, "-c", code], capture_output=True, text=True, check=True).stdout)
            for _ in range(rounds)
        ]
        total += statistics.median(times)
        rows.append([name, statistics.median(times) * 1000])
    rows.append(["total", total * 1000])
    print_table(
        f"Marginal import time after numpy and click, median of {rounds} fresh processes",
        ["module", "ms"],
        rows,
        "python -m dev.cold_start",
    )


if __name__ == "__main__":
    main()

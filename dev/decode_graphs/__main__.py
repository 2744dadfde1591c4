"""Decode-graph variants, graph step only: why the shipped file keeps onnxruntime's LSTM node.

For the fashion model, one decode step (batch 1, sequence length 1, state fed back through I/O
bindings, one intra-op thread, spinning off) of:

- the shipped graph (one native LSTM node per layer, the lstm-edge contract);
- the step-only graph of Gemm and gate ops (dev/decode_graphs/build.py; cannot read prompts);
- the complete If(sequence == 1) graph: step-only branch for decoding, LSTM-node branch for prompts;
- the int8 twin (onnxruntime's DynamicQuantizeLSTM and quantized MatMul);

next to the floor (numpy products, benchmarks/floor.py), in one run, rounds alternating.

Reproduce: `python -m dev.decode_graphs [--quick]`
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from benchmarks import floor
from benchmarks.common import ort_session, print_table
from benchmarks.models import fashion_model


def main(quick: bool = False) -> None:
    import onnx

    from dev.decode_graphs.build import add_step_branch, step_only
    from lstm_edge.runtime.model_file import load_model

    model = fashion_model(quick)
    architecture = load_model(model.fp32).spec
    shipped = onnx.load(model.fp32)
    rounds, calls = (3, 50) if quick else (21, 500)
    with tempfile.TemporaryDirectory() as scratch:
        variants = {"shipped graph: one LSTM node per layer": model.fp32}
        for name, builder in (
            ("step-only Gemm + gate ops (no prompt path)", step_only),
            ("If(sequence == 1): Gemm step / LSTM prompt", add_step_branch),
        ):
            path = Path(scratch) / f"{builder.__name__}.onnx"
            onnx.save(builder(shipped, architecture.hidden_sizes), path)
            variants[name] = path
        if model.int8 is not None:
            variants["int8 twin (DynamicQuantizeLSTM)"] = model.int8
        steps = {name: _step(path) for name, path in variants.items()}
        timings: dict[str, list[float]] = {name: [] for name in steps}
        for _ in range(rounds):
            for name, step in steps.items():
                started = time.perf_counter()
                for _ in range(calls):
                    step()
                timings[name].append((time.perf_counter() - started) / calls)
    floor_seconds = floor.measure(floor.step_shapes(architecture), rounds, calls * 4)["step_seconds"]
    rows = [
        [name, statistics.median(t) * 1e6, f"{statistics.median(t) / floor_seconds:.2f}×"]
        for name, t in timings.items()
    ]
    rows.append(["floor: numpy matrix products", floor_seconds * 1e6, "1.00×"])
    print_table(
        f"Decode graph variants, one step at batch 1 ({model.name}, V={architecture.vocab_size:,}; graph only, "
        "no Python loop)",
        ["graph", "µs per step", "× floor"],
        rows,
        f"python -m dev.decode_graphs{' --quick' if quick else ''}",
    )


def _step(path: Path) -> Callable[[], None]:
    """One bound decode step of the graph at `path` (inputs zero; outputs written in place)."""
    from onnxruntime import OrtValue

    session = ort_session(path)
    binding = session.io_binding()
    keep = []  # the numpy buffers must outlive the binding
    for value in session.get_inputs():
        shape = [1 if isinstance(d, str) else d for d in value.shape]
        array = np.full(shape, 5, np.int64) if value.type == "tensor(int64)" else np.zeros(shape, np.float32)
        keep.append(array)
        binding.bind_ortvalue_input(value.name, OrtValue.ortvalue_from_numpy(array))
    for value in session.get_outputs():
        array = np.zeros([1 if isinstance(d, str) else d for d in value.shape], np.float32)
        keep.append(array)
        binding.bind_ortvalue_output(value.name, OrtValue.ortvalue_from_numpy(array))
    for _ in range(100):
        session.run_with_iobinding(binding)
    return lambda: (session.run_with_iobinding(binding), keep)[0]


if __name__ == "__main__":
    import sys

    from benchmarks.common import machine_header

    print(machine_header())
    main(quick="--quick" in sys.argv[1:])

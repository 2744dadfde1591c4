"""The hardware floor, in numpy on one core: one word's matrix products, and the large-matmul peak.

One decode step of the network is, per LSTM layer, [x, h] @ W with W of shape (in + hidden, 4·hidden),
then Dense hidden→dense and dense→vocab: streaming every weight once. Timing those products alone, with
the model's shapes, at batch 1, is the floor a step cannot beat (the gate arithmetic is left out). The
peak is a float32 1024×1024 matmul, in GFLOP/s.

The measurement runs in a subprocess whose BLAS/OpenMP pools are set to one thread before numpy loads
(`measure` starts it); `python -m benchmarks.floor` is that subprocess and prints one JSON line.

Reproduce: `python -m benchmarks latency` or `python -m benchmarks throughput` (they call this).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from benchmarks.common import median_time, run_measured, thread_env

PEAK_SIZE = 1024


def step_shapes(architecture: Any) -> list[tuple[int, int]]:
    """The (rows, columns) of each weight matrix one decode step multiplies by."""
    sizes = (architecture.embedding_dim, *architecture.hidden_sizes)
    shapes = [(sizes[i] + sizes[i + 1], 4 * sizes[i + 1]) for i in range(len(architecture.hidden_sizes))]
    return [*shapes, (sizes[-1], architecture.dense_size), (architecture.dense_size, architecture.vocab_size)]


def flops_per_word(architecture: Any) -> int:
    """Multiply-adds of one step's matrix products, counted as 2 FLOPs each."""
    return sum(2 * rows * columns for rows, columns in step_shapes(architecture))


def measure(shapes: list[tuple[int, int]], repeats: int, number: int, batch: int = 1) -> dict[str, float]:
    """{"step_seconds": one step's products for `batch` rows, "peak_gflops": the 1024² matmul}, on one core."""
    command = [sys.executable, "-m", "benchmarks.floor", "--shapes", json.dumps(shapes)]
    command += ["--repeats", str(repeats), "--number", str(number), "--batch", str(batch)]
    run = run_measured(command, env=thread_env(1))
    return json.loads(run.stdout.strip().splitlines()[-1])


def _step_seconds(shapes: list[tuple[int, int]], repeats: int, number: int, batch: int = 1) -> float:
    """The faster of two layouts: (B, K) @ (K, N), or (N, K) @ (K, B) (at batch 1: gemv, either way round)."""
    import numpy as np

    rng = np.random.default_rng(0)
    weights = [rng.standard_normal((rows, columns), dtype=np.float32) for rows, columns in shapes]
    row_major = [
        (rng.standard_normal((batch, rows), dtype=np.float32), w, np.empty((batch, w.shape[1]), dtype=np.float32))
        for (rows, _), w in zip(shapes, weights, strict=True)
    ]
    transposed = [
        (np.ascontiguousarray(w.T), np.ascontiguousarray(x.T), np.ascontiguousarray(out.T)) for (x, w, out) in row_major
    ]
    if batch == 1:  # plain vectors: numpy's gemv path
        transposed = [(w, x[:, 0].copy(), out[:, 0].copy()) for (w, x, out) in transposed]

    def gemm() -> None:
        for vector, matrix, out in row_major:
            np.matmul(vector, matrix, out=out)

    def gemv() -> None:
        for matrix, vector, out in transposed:
            np.matmul(matrix, vector, out=out)

    return min(median_time(gemm, repeats, number), median_time(gemv, repeats, number))


def _peak_gflops(repeats: int) -> float:
    import numpy as np

    rng = np.random.default_rng(0)
    a = rng.standard_normal((PEAK_SIZE, PEAK_SIZE), dtype=np.float32)
    b = rng.standard_normal((PEAK_SIZE, PEAK_SIZE), dtype=np.float32)
    out = np.empty_like(a)
    seconds = median_time(lambda: np.matmul(a, b, out=out), repeats)
    return 2 * PEAK_SIZE**3 / seconds / 1e9


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Time the numpy floor on one core; prints one JSON line.")
    parser.add_argument("--shapes", required=True, help="JSON list of [rows, columns] weight shapes")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--number", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=1)
    arguments = parser.parse_args()
    shapes = [tuple(shape) for shape in json.loads(arguments.shapes)]
    result = {
        "step_seconds": _step_seconds(shapes, arguments.repeats, arguments.number, arguments.batch),
        "peak_gflops": _peak_gflops(max(3, arguments.repeats)),
    }
    print(json.dumps(result))

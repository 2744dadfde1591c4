"""`python -m benchmarks [TABLE …] [--quick] [--threads N]`: print the benchmark tables.

Tables, in this order: training, training-memory, training-scaling, latency, throughput, bulk, cold-start,
parity, size, corpus, coherence, browser, quality (all of them by default), and fuzz (the reliability
catalogue: hostile files and fuzzers; only when named, as `make fuzz` does).
`--quick` runs tiny models and few repeats, to prove in seconds that the scripts still work (CI); its
numbers mean nothing. The full mode produces the published numbers.
"""

from __future__ import annotations

import argparse
import importlib
import os
import time

# One thread for numpy's BLAS too (the numpy backend, the floor), as for onnxruntime and torch: set
# before anything imports numpy. A value given in the environment wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from benchmarks.common import machine_header

TABLES = {
    "training": "benchmarks.training",
    "training-memory": "benchmarks.training_memory",
    "training-scaling": "benchmarks.training_scaling",
    "latency": "benchmarks.latency",
    "throughput": "benchmarks.throughput",
    "bulk": "benchmarks.bulk",
    "cold-start": "benchmarks.cold_start",
    "parity": "benchmarks.parity",
    "size": "benchmarks.size",
    "corpus": "benchmarks.corpus",
    "coherence": "benchmarks.coherence",
    "browser": "benchmarks.browser",
    "fuzz": "benchmarks.fuzz",
    "quality": "benchmarks.quality",
}
ON_REQUEST = {"fuzz"}  # not part of "all tables": it proves, rather than measures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="Print lstm-edge's benchmark tables.")
    parser.add_argument("tables", nargs="*", metavar="TABLE", help=f"any of {', '.join(TABLES)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="tiny models and repeats: proves the scripts run")
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads for both ways of the training table (default 1)"
    )
    arguments = parser.parse_args(argv)
    if arguments.threads < 1:
        parser.error("--threads must be at least 1")
    unknown = [name for name in arguments.tables if name not in TABLES]
    if unknown:
        parser.error(f"no table {unknown[0]!r}; choose from {', '.join(TABLES)}")
    chosen = [name for name in TABLES if name in arguments.tables] or [t for t in TABLES if t not in ON_REQUEST]

    print(machine_header())
    if arguments.quick:
        print("(quick mode: tiny models, few repeats; it proves the scripts run, its numbers mean nothing)")
    started = time.perf_counter()
    for name in chosen:
        module = importlib.import_module(TABLES[name])
        if name == "training":
            module.main(quick=arguments.quick, threads=arguments.threads)
        else:
            module.main(quick=arguments.quick)
    print(
        f"\n({', '.join(chosen)}: {time.perf_counter() - started:.0f} s{' in quick mode' if arguments.quick else ''})"
    )


main()

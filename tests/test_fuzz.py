"""The seeded fuzzers of benchmarks/fuzz.py in their quick form: zero tracebacks, hangs, messages of more
than one line or "out of memory"; exit status 0, 1 or 2 only; --json output valid; what lstm-export writes
loads; no input file changed. Each fuzzer runs in its own process (a crash counts as a failure); the six
run side by side.

The large run (7,000 model mutants; lstm-gen 1,000, --bench 100, lstm-eval 500, lstm-export 150 and
lstm-train 300 argument vectors) is `make fuzz`.
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from benchmarks.fuzz import QUICK, Tally, classify, mutate, run_worker

SEED = 0
TIMEOUT = 600  # seconds for one fuzzer's process, far above its usual few seconds


@pytest.fixture(scope="module")
def quick_fuzz(tiny_run: Path) -> dict[str, Tally]:
    with ThreadPoolExecutor(max_workers=len(QUICK)) as pool:
        futures = {
            name: pool.submit(run_worker, name, SEED, count, TIMEOUT, tiny_run if name == "lstm-export" else None)
            for name, count in QUICK.items()
        }
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("name", list(QUICK))
def test_the_quick_fuzz_finds_no_bug(name: str, quick_fuzz: dict[str, Tally]):
    tally = quick_fuzz[name]
    assert tally.bugs == [], "\n\n".join(tally.bugs[:5])
    assert tally.tried == QUICK[name]
    if name != "lstm-train":  # they reach both sides: runs that work, and refusals
        assert tally.counts["ran"] > 0 and tally.counts["refused"] + tally.counts["usage"] > 0, tally.counts


def test_mutations_are_seeded_and_change_the_file():
    data = bytes(range(256)) * 64
    structure = list(range(0, len(data), 3))
    first = [mutate(data, random.Random(f"model:0:{i}"), structure) for i in range(50)]
    assert first == [mutate(data, random.Random(f"model:0:{i}"), structure) for i in range(50)]
    assert all(mutant != data for mutant in first)


@pytest.mark.parametrize(
    "outcome, kind",
    [
        ((0, "text\n", ""), "ran"),
        ((1, "", "Error: x: no such model file\n"), "refused"),
        ((1, "progress\n", "Warning\nError: out of space\n"), "refused"),
        ((2, "", "Usage: lstm-gen [OPTIONS]\nTry 'lstm-gen -h' for help.\n\nError: Invalid value\n"), "usage"),
        ((1, "", "Traceback (most recent call last):\n  File …\nValueError: x\n"), "bug"),
        ((1, "", "Error: one\nError: two\n"), "bug"),
        ((3, "", ""), "bug"),
        ((1, "", "Error: no newline"), "bug"),
        ((1, "", "Error: out of memory; try a smaller batch or model\n"), "bug"),
    ],
)
def test_the_classifier_tells_bugs_from_refusals(outcome: tuple[int, str, str], kind: str):
    assert classify(*outcome)[0] == kind

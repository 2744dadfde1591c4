"""Decode throughput: words per second at batch 1, 8, 64 and 256, greedy, one thread, against the matmul peak.

`Generator.generate_many` over B prefilled prompts (prefill is not timed), cycling over the prompts
with the longest greedy continuations. The time of one batched step is the slope
(T(n words) − T(1 word)) / (n − 1) of benchmarks/decoding.py, with n (at most 32) no longer than any
used prompt's continuation, so every row yields a real word at every timed step; words per second =
B / step time. Achieved GFLOP/s counts each word's matrix products (benchmarks/floor.py:
2 × Σ rows × columns of the step's weights), as a share of the single-threaded numpy float32 1024×1024
matmul peak measured in the same run.

Reproduce: `python -m benchmarks throughput [--quick]`
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from benchmarks import decoding, floor
from benchmarks.common import print_table
from benchmarks.models import BenchModel, speed_models

MAX_STEPS = 32
CANDIDATE_PROMPTS = 64  # prompts: the first two words of this many training texts
LONG_PROMPTS = 8  # batches cycle over (at least) this many of the longest


@dataclass(frozen=True)
class Effort:
    batches: tuple[int, ...]
    repeats: int


FULL = Effort(batches=(1, 8, 64, 256), repeats=9)
QUICK = Effort(batches=(1, 8, 64, 256), repeats=2)


def main(quick: bool = False) -> None:
    effort = QUICK if quick else FULL
    models = speed_models(quick)
    peak = floor.measure([(1, 1)], repeats=3 if quick else 9, number=1)["peak_gflops"]
    rows = []
    for model in models:
        rows += _model_rows(model, effort, peak)
    print_table(
        f"Decode throughput, greedy, one thread; matmul peak {peak:.1f} GFLOP/s (numpy float32 "
        f"{floor.PEAK_SIZE}×{floor.PEAK_SIZE}, same run; goal: batch 256 ≥ 80% of it)",
        ["model", "batch", "words/s", "µs per step", "GFLOP/s", "% of peak"],
        rows,
        f"python -m benchmarks throughput{' --quick' if quick else ''}",
    )


def _model_rows(model: BenchModel, effort: Effort, peak: float) -> list[list[Any]]:
    from lstm_edge.runtime.decoding import PLAIN
    from lstm_edge.runtime.generator import Generator
    from lstm_edge.runtime.model_file import load_model

    generator = Generator(load_model(model.fp32), decoding=PLAIN)  # greedy, whatever the file recommends
    architecture = generator.spec
    flops = floor.flops_per_word(architecture)
    ranked = decoding.longest_prompts(generator, decoding.training_texts(generator.model), CANDIDATE_PROMPTS, MAX_STEPS)
    words = ranked[min(LONG_PROMPTS, len(ranked)) - 1][1]  # every prompt used continues at least this far
    prompts = [state for state, length in ranked if length >= words]
    label = f"{model.name} (V={architecture.vocab_size:,}, {flops / 1e6:.2f} MFLOP/word, {words} words timed)"
    rows = []
    for batch in effort.batches:
        states = [prompts[i % len(prompts)] for i in range(batch)]
        step = decoding.step_seconds(generator, states, words, effort.repeats)
        gflops = batch * flops / step / 1e9
        rows.append([label, batch, f"{batch / step:,.0f}", step * 1e6, gflops, f"{100 * gflops / peak:.1f}%"])
    return rows

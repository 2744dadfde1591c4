"""Per-word latency at batch 1, greedy, one thread: five ways to produce the next word, against the floor.

For the fashion model (shipped, or its stand-in) and the reviews model (large vocabulary):

(a) the tutorial's way: a window model in onnxruntime (Embedding → LSTM → LSTM → Dense → Dense on the
    pre-padded window [1, W], zero state, last position's logits; W = the longest training text in
    tokens minus one, as the tutorial's `max_sequence_len - 1`), re-run over the whole window for every
    word. Timed per word: building the padded window, the run, the argmax (the tutorial's re-tokenizing
    and its linear search of the word index are left out, in its favour).
(b) PyTorch eager with the state carried: one `model(ids[:, -1:], state)` per word, inference mode,
    `torch.set_num_threads(1)`.
(c) lstm-edge float32, through the public API: `Generator.generate_many` from a prefilled `PromptState`.
    Greedy stops at <eos>, so per-word time is the slope (T(n words) − T(1 word)) / (n − 1) (see
    benchmarks/decoding.py) for the candidate prompt with the longest greedy continuation (n ≤ 200): every
    step of the decode loop, none of the per-call setup or the prefill.
(d) lstm-edge int8: the same, on the model's `.int8.onnx` twin.
(e) the floor: the same step's matrix products in numpy on one core (see benchmarks/floor.py).

A second table sets the two backends side by side, float32 and int8, at batch 1 and batch 256 (the
slope again, over 256 prefilled prompts cycled from those with the longest greedy continuations),
each beside the floor at that batch, and says what `--backend auto` should pick by these numbers.

onnxruntime sessions use one intra-op thread with spinning off, as the runtime does. Times for (a), (b)
and (e) depend on the shapes only; (b) loads the trained weights when the run's checkpoint is at hand,
and same-shape fresh weights otherwise (the shipped model has no checkpoint beside it).

Reproduce: `python -m benchmarks latency [--quick]`
"""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import decoding, floor
from benchmarks.common import median_time, ort_session, print_table
from benchmarks.models import BenchModel, speed_models

MAX_WORDS = 200
CANDIDATE_PROMPTS = 40  # prompts: the first two words of this many training texts


@dataclass(frozen=True)
class Effort:
    repeats: int
    window_words: int  # words per timing for (a) and (b)
    decode_calls: int  # generate() calls per timing for (c) and (d)
    floor_number: int


FULL = Effort(repeats=21, window_words=20, decode_calls=10, floor_number=2000)
QUICK = Effort(repeats=3, window_words=3, decode_calls=2, floor_number=50)


BACKENDS = ("onnxruntime", "numpy")
BATCHES = (1, 256)


def main(quick: bool = False) -> None:
    effort = QUICK if quick else FULL
    rows, backend_rows = [], []
    for model in speed_models(quick):
        rows += _model_rows(model, effort)
        backend_rows += _backend_rows(model, effort)
    print_table(
        "Per-word latency, batch 1, greedy, one thread (goals: fp32 ≤ 1.5× floor, int8 < floor, "
        "(a) ≥ 7× and (b) ≥ 8× fp32's time)",
        ["model", "way", "µs per word", "× floor", "× lstm-edge fp32"],
        rows,
        f"python -m benchmarks latency{' --quick' if quick else ''}",
    )
    headers = ["model", "backend", *(f"{h}, batch {b}" for b in BATCHES for h in ("µs per word", "× floor"))]
    print_table(
        "Per word by backend, greedy, one thread (the floor: the step's matrix products in numpy at that batch)",
        [*headers, "numpy ÷ onnxruntime (batch 1, 256)"],
        [row[:-1] for row in backend_rows],
        f"python -m benchmarks latency{' --quick' if quick else ''}",
    )
    ratios = [row[-1] for row in backend_rows if row[-1] is not None]
    print(_auto_advice(ratios))


def _model_rows(model: BenchModel, effort: Effort) -> list[list[Any]]:
    from lstm_edge.runtime.model_file import load_model

    fp32 = load_model(model.fp32)
    architecture = fp32.spec
    texts = decoding.training_texts(fp32)
    window = max(len(fp32.tokenizer.encode(text).ids) for text in texts) - 1
    torch_model = _torch_model(model, architecture)
    prompt_ids = fp32.tokenizer.encode("A cream coat", add_bos=True).ids

    seconds = {
        "(a) tutorial's window re-run, onnxruntime": _window_seconds(torch_model, window, prompt_ids, effort),
        "(b) PyTorch eager, state carried": _eager_seconds(torch_model, prompt_ids, effort),
    }
    fp32_seconds, fp32_words = _decode_seconds(fp32, texts, effort)
    seconds["(c) lstm-edge fp32"] = fp32_seconds
    if model.int8 is not None:
        int8_seconds, _ = _decode_seconds(load_model(model.int8), texts, effort)
        seconds["(d) lstm-edge int8"] = int8_seconds
    measured = floor.measure(floor.step_shapes(architecture), effort.repeats, effort.floor_number)
    seconds["(e) floor: numpy matrix products"] = measured["step_seconds"]

    label = (
        f"{model.name} (V={architecture.vocab_size:,}, W={window}; {model.description}; "
        f"decode slope over {fp32_words} words)"
    )
    floor_seconds = measured["step_seconds"]
    rows = [
        [label, way, s * 1e6, f"{s / floor_seconds:.2f}×", f"{s / fp32_seconds:.2f}×"] for way, s in seconds.items()
    ]
    if model.int8 is None:
        rows.insert(3, [label, "(d) lstm-edge int8", "no int8 twin", "—", "—"])
    return rows


def _backend_rows(model: BenchModel, effort: Effort) -> list[list[Any]]:
    """Both backends, fp32 and int8, at batch 1 and 256, beside the floor; the last cell is the two
    numpy ÷ onnxruntime ratios (batch 1, batch 256) of the fp32 model, else None.

    Every timing alternates over all of them, repeat by repeat, so drift on a shared machine hits all alike."""
    from lstm_edge.runtime.generator import Generator
    from lstm_edge.runtime.model_file import load_model

    fp32 = load_model(model.fp32)
    texts = decoding.training_texts(fp32)
    shapes = floor.step_shapes(fp32.spec)
    floors = {
        b: floor.measure(shapes, effort.repeats, max(3, effort.floor_number // b), b)["step_seconds"] / b
        for b in BATCHES
    }
    files = [("fp32", model.fp32)] + ([("int8", model.int8)] if model.int8 is not None else [])
    samplers = {}
    for kind, path in files:
        for backend in BACKENDS:
            generator = Generator(load_model(path, backend=backend))
            ranked = decoding.longest_prompts(generator, texts, CANDIDATE_PROMPTS, MAX_WORDS)
            for batch in BATCHES:
                samplers[kind, backend, batch] = _per_word_sampler(generator, ranked, batch, effort)
    samples: dict[tuple[str, str, int], list[float]] = {key: [] for key in samplers}
    for _ in range(effort.repeats):
        for key, sample in samplers.items():
            samples[key].append(sample())
    per_word = {key: statistics.median(values) for key, values in samples.items()}
    label = f"{model.name} (V={fp32.spec.vocab_size:,})"
    rows: list[list[Any]] = []
    for kind, _ in files:
        ratio = [per_word[kind, "numpy", b] / per_word[kind, "onnxruntime", b] for b in BATCHES]
        for backend in BACKENDS:
            cells = [
                c
                for b in BATCHES
                for c in (per_word[kind, backend, b] * 1e6, f"{per_word[kind, backend, b] / floors[b]:.2f}×")
            ]
            shown = ", ".join(f"{r:.2f}×" for r in ratio) if backend == "numpy" else ""
            rows.append(
                [label, f"{backend} {kind}", *cells, shown, ratio if (backend, kind) == ("numpy", "fp32") else None]
            )
    rows.append([label, "floor", *(c for b in BATCHES for c in (floors[b] * 1e6, "1.00×")), "", None])
    return rows


def _per_word_sampler(generator: Any, ranked: list[tuple[Any, int]], batch: int, effort: Effort) -> Any:
    """A function timing one sample of seconds per word at `batch` rows: the decode-step slope
    (benchmarks/decoding.py) over prompts that all continue long enough, divided by the rows."""
    usable = ranked[: max(1, min(8, len(ranked)))]
    words = min(length for _, length in usable)
    if words < 2:
        raise RuntimeError(f"{generator.model.path}: every candidate prompt ends at once; no decode steps to time")
    states = [usable[i % len(usable)][0] for i in range(batch)]
    calls = effort.decode_calls if batch == 1 else 1

    def timed(budget: int) -> float:
        started = time.perf_counter()
        for _ in range(calls):
            generator.generate_many(states, budget)
        return (time.perf_counter() - started) / calls

    timed(words)  # warm: decoders built, caches filled
    return lambda: (timed(words) - timed(1)) / (words - 1) / batch


def _auto_advice(ratios: list[list[float]]) -> str:
    """What `auto` should do, from each model's fp32 ratio of numpy's time to onnxruntime's (batch 1, 256)."""
    if not ratios:
        return ""
    batch_1, batch_256 = ([r[i] for r in ratios] for i in (0, 1))
    shown = f"numpy ÷ onnxruntime per word, fp32: batch 1 {_list(batch_1)}, batch 256 {_list(batch_256)}"
    if max(batch_1) < 0.95 and max(batch_256) < 0.95:
        return f"auto: {shown}. numpy wins at both: auto could prefer numpy even where onnxruntime imports."
    if max(batch_1) < 0.95:
        return (
            f"auto: {shown}. numpy wins at batch 1 only: auto keeps onnxruntime (it wins in batches); "
            "one prompt at a time runs faster with --backend numpy."
        )
    return (
        f"auto: {shown}. No backend wins at batch 1 on every model by more than 5%: auto keeps onnxruntime "
        "where it imports; numpy's edge is its start (no onnxruntime import)."
    )


def _list(values: list[float]) -> str:
    return "/".join(f"{v:.2f}×" for v in values)


def _torch_model(model: BenchModel, architecture: Any) -> Any:
    import torch

    from lstm_edge.train.config import LSTMConfig
    from lstm_edge.train.model import LSTMLanguageModel

    torch.set_num_threads(1)
    if model.run_dir is not None:
        from lstm_edge.train.checkpoint import load_checkpoint, model_from_checkpoint

        network, _ = model_from_checkpoint(load_checkpoint(model.run_dir))
        return network.eval()
    torch.manual_seed(0)
    config = LSTMConfig(
        vocab_size=architecture.vocab_size,
        embedding_dim=architecture.embedding_dim,
        hidden_sizes=architecture.hidden_sizes,
        dense_size=architecture.dense_size,
    )
    return LSTMLanguageModel(config).eval()


def _window_seconds(torch_model: Any, window: int, prompt_ids: list[int], effort: Effort) -> float:
    """(a): per word, pad the last `window` ids at the front, run the window graph, take the argmax."""
    with tempfile.TemporaryDirectory() as scratch:
        path = _export_window_model(torch_model, window, Path(scratch) / "window.onnx")
        session = ort_session(path)
    ids = prompt_ids[1:]  # the tutorial has no <bos>

    def generate() -> None:
        words = list(ids)
        for _ in range(effort.window_words):
            padded = np.zeros((1, window), dtype=np.int64)
            tail = words[-window:]
            padded[0, window - len(tail) :] = tail
            (logits,) = session.run(None, {"window": padded})
            words.append(int(logits[0].argmax()))

    return median_time(generate, effort.repeats) / effort.window_words


def _export_window_model(torch_model: Any, window: int, path: Path) -> Path:
    import warnings

    import torch
    from torch import nn

    class WindowModel(nn.Module):
        """(1, W) pre-padded ids → (1, V) logits of the last position, from zero state: the tutorial's model."""

        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, padded: torch.Tensor) -> torch.Tensor:
            features, _ = self.model.encode(padded)  # (1, W, H_last)
            return self.model.head(features[:, -1])  # (1, V)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            WindowModel(torch_model),
            (torch.zeros((1, window), dtype=torch.long),),
            str(path),
            input_names=["window"],
            output_names=["logits"],
            opset_version=17,
            dynamo=False,
        )
    return path


def _eager_seconds(torch_model: Any, prompt_ids: list[int], effort: Effort) -> float:
    """(b): prefill once (not timed), then one step of the model per word with the state fed back."""
    import torch

    with torch.inference_mode():
        logits, state = torch_model(torch.tensor([prompt_ids]))
        first = logits[:, -1].argmax(-1, keepdim=True)  # (1, 1)

        def generate() -> None:
            ids, carried = first, state
            for _ in range(effort.window_words):
                step_logits, carried = torch_model(ids, carried)
                ids = step_logits[:, -1].argmax(-1, keepdim=True)

        return median_time(generate, effort.repeats) / effort.window_words


def _decode_seconds(model: Any, texts: list[str], effort: Effort) -> tuple[float, int]:
    """(c)/(d): seconds per decoded word at batch 1 (benchmarks/decoding.py), and the words it spans."""
    from lstm_edge.runtime.decoding import PLAIN
    from lstm_edge.runtime.generator import Generator

    generator = Generator(model, decoding=PLAIN)  # greedy, whatever the file recommends
    state, words = decoding.longest_prompts(generator, texts, CANDIDATE_PROMPTS, MAX_WORDS)[0]
    if words < 2:
        raise RuntimeError(f"{model.path}: every candidate prompt ends at once; no decode steps to time")
    return decoding.step_seconds(generator, [state], words, effort.repeats, effort.decode_calls), words

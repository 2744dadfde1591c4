"""Backend parity: how closely the numpy backend computes what onnxruntime computes.

For each model (float32 and its int8 twin), on texts the model was trained on:

- greedy text: prompts (the first one to four words of the first texts) continued by 20 words on each
  backend; how many continuations are identical;
- logits: the largest absolute difference between the backends' next-word logits after each prompt;
- next word, teacher-forced: every position of held-out texts read step by step on both backends, all
  texts in one batch (as lstm-export measures an int8 twin's agreement); the share of steps where both
  pick the same next word (and, for int8, where each picks float32's).

For float32 the two compute the same function (differences are float rounding); for int8 they differ
on purpose: onnxruntime quantizes the activations on every step, the numpy backend computes in float32
with the dequantized weights.

Reproduce: `python -m benchmarks parity [--quick]`
"""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks import decoding
from benchmarks.common import print_table
from benchmarks.models import speed_models

FULL_PROMPTS, QUICK_PROMPTS = 200, 20
FULL_TEXTS, QUICK_TEXTS = 300, 20
WORDS = 20


def main(quick: bool = False) -> None:
    rows = []
    for model in speed_models(quick):
        files = [("fp32", model.fp32)] + ([("int8", model.int8)] if model.int8 is not None else [])
        for kind, path in files:
            rows.append([model.name, kind, *_compare(path, model.fp32, quick)])
    print_table(
        "Backend parity: numpy backend vs onnxruntime (greedy, 20 words; teacher-forced next words on training texts)",
        [
            "model",
            "file",
            "identical greedy texts",
            "largest logit difference after the prompt",
            "same next word",
            "vs fp32",
        ],
        rows,
        f"python -m benchmarks parity{' --quick' if quick else ''}",
    )


def _compare(path: Any, fp32_path: Any, quick: bool) -> list[Any]:
    from lstm_edge.runtime.generator import Generator
    from lstm_edge.runtime.model_file import load_model

    numpy_model, ort_model = (load_model(path, backend=name) for name in ("numpy", "onnxruntime"))
    texts = decoding.training_texts(ort_model)
    count = QUICK_PROMPTS if quick else FULL_PROMPTS
    prompts = [" ".join(text.split()[: 1 + i % 4]) for i, text in enumerate(texts[:count])]
    ours, theirs = Generator(numpy_model), Generator(ort_model)
    same_text = sum(
        a.text == b.text
        for a, b in zip(ours.generate_many(prompts, WORDS), theirs.generate_many(prompts, WORDS), strict=True)
    )
    largest = max(
        float(np.abs(a.logits - b.logits).max())
        for a, b in zip(ours.prefill(prompts), theirs.prefill(prompts), strict=True)
    )
    held_out = texts[-(QUICK_TEXTS if quick else FULL_TEXTS) :]
    sequences = [ort_model.tokenizer.encode(text, add_bos=True).ids for text in held_out]
    numpy_choice, ort_choice = (_choices(model, sequences) for model in (numpy_model, ort_model))
    agreement = float((numpy_choice == ort_choice).mean())
    versus_fp32 = "—"
    if path != fp32_path:
        fp32_choice = _choices(load_model(fp32_path, backend="onnxruntime"), sequences)
        numpy_share, ort_share = ((c == fp32_choice).mean() for c in (numpy_choice, ort_choice))
        versus_fp32 = f"numpy {numpy_share:.2%}, onnxruntime {ort_share:.2%}"
    return [f"{same_text}/{len(prompts)}", f"{largest:.2e}", f"{agreement:.2%} of {len(numpy_choice):,}", versus_fp32]


def _choices(model: Any, sequences: list[list[int]]) -> np.ndarray:
    """The greedy next word at every position of every sequence, read one step at a time in one batch."""
    from lstm_edge.runtime.contract import mask_never_emitted

    longest = max(len(s) for s in sequences)
    ids = np.zeros((len(sequences), longest), dtype=np.int64)
    for row, sequence in enumerate(sequences):
        ids[row, : len(sequence)] = sequence
    state = model.spec.zero_state(len(sequences))
    chosen = []
    for position in range(longest):
        logits, state = model.backend.run(ids[:, position : position + 1], state)
        picked = mask_never_emitted(logits).argmax(axis=1)
        chosen += [int(picked[row]) for row, s in enumerate(sequences) if position < len(s)]
    return np.array(chosen)

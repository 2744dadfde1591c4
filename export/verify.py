"""Proof that an exported file computes what the PyTorch model computes; export fails without it.

Checks, in order: onnx.checker; the runtime's own loader (metadata, signature); onnxruntime vs
PyTorch logits and states on random prompts (batch 1 and 2, sequence 1 and longer, zero and random
state); step-by-step decoding vs one pass over the whole sequence; greedy continuations of the
runtime's Generator vs a PyTorch greedy loop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import torch

from lstm_edge.runtime import contract
from lstm_edge.runtime.contract import ModelSpec
from lstm_edge.runtime.decoding import PLAIN
from lstm_edge.runtime.errors import VerificationError
from lstm_edge.runtime.generator import Generator
from lstm_edge.runtime.model_file import load_model
from lstm_edge.runtime.tokenizer import PUNCTUATION, SPECIAL_TOKENS, Tokenizer
from lstm_edge.train.model import LSTMLanguageModel

TOLERANCE = 1e-4  # absolute, on logits and states ...
RELATIVE_TOLERANCE = 1e-5  # ... or relative to the largest |logit|, for models whose logits run above 10
GREEDY_WORDS = 20


@dataclass
class VerificationReport:
    file_size: int
    max_logit_difference: float
    max_state_difference: float
    max_step_difference: float
    greedy_identical: int
    greedy_prompts: int
    tolerance: float = TOLERANCE  # what was allowed: max(TOLERANCE, RELATIVE_TOLERANCE × largest |logit|)

    def lines(self) -> list[str]:
        return [
            f"file size            {self.file_size / 1e6:.3f} MB",
            f"max |logits| diff    {self.max_logit_difference:.2e} "
            f"(onnxruntime vs PyTorch, tolerance {self.tolerance:.1e})",
            f"max |state| diff     {self.max_state_difference:.2e}",
            f"step vs one pass     {self.max_step_difference:.2e}",
            f"greedy agreement     {self.greedy_identical}/{self.greedy_prompts} continuations identical",
        ]


def verify(
    path: Path, model: LSTMLanguageModel, tokenizer: Tokenizer, prompts: int = 24, seed: int = 0
) -> VerificationReport:
    """Run every check against the file at `path`; raise VerificationError on the first failure.

    Every comparison fails on NaN: a difference is accepted only when it is a number within the tolerance,
    and every weight, logit and state must be finite.
    """
    check_finite_weights(model)
    try:
        # the model, not its path: onnx's C++ side cannot take a file name that is not UTF-8
        onnx.checker.check_model(onnx.load_model_from_string(path.read_bytes()), full_check=True)
    except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError) as error:
        raise VerificationError(f"onnx.checker rejects the graph: {str(error).splitlines()[0]}") from None
    model_file = load_model(path)  # the exact loader a device uses
    backend, spec = model_file.backend, model_file.spec
    model = model.eval()
    rng = np.random.default_rng(seed)

    logit_diff = state_diff = scale = 0.0
    for batch in (1, 2):
        for length in (1, 2, 7, 23):
            for random_state in (False, True):
                ids = rng.integers(len(SPECIAL_TOKENS), len(tokenizer), size=(batch, length), dtype=np.int64)
                state = _state(spec, batch, rng if random_state else None)
                expected = _torch_step(model, ids, state)
                logits, new_state = backend.run(ids, state)
                actual = [logits, *new_state]
                _check_finite(expected, "PyTorch")
                _check_finite(actual, "onnxruntime")
                logit_diff = max(logit_diff, float(np.abs(actual[0] - expected[0]).max()))
                scale = max(scale, float(np.abs(expected[0]).max()))
                state_diff = max(
                    state_diff, max(float(np.abs(a - e).max()) for a, e in zip(actual[1:], expected[1:], strict=True))
                )
    tolerance = max(TOLERANCE, RELATIVE_TOLERANCE * scale)
    if not (logit_diff <= tolerance and state_diff <= tolerance):
        raise VerificationError(
            f"onnxruntime and PyTorch differ: logits by {logit_diff:.2e}, state by {state_diff:.2e} "
            f"(tolerance {tolerance:.1e})"
        )

    step_diff = _step_vs_one_pass(backend, spec, rng)
    if not step_diff <= tolerance:
        raise VerificationError(f"step-by-step decoding differs from one pass by {step_diff:.2e}")

    texts = sample_prompts(tokenizer, prompts, seed)
    generated = Generator(model_file, decoding=PLAIN).generate_many(texts, GREEDY_WORDS)  # not the file's defaults
    identical = sum(
        g.words == tokenizer.words(torch_greedy(model, tokenizer, text, GREEDY_WORDS))
        for g, text in zip(generated, texts, strict=True)
    )
    if identical < len(texts):
        raise VerificationError(
            f"greedy continuations differ from PyTorch for {len(texts) - identical} of {len(texts)} prompts"
        )
    return VerificationReport(
        path.stat().st_size, logit_diff, state_diff, step_diff, identical, len(texts), tolerance=tolerance
    )


def check_finite_weights(model: torch.nn.Module) -> None:
    """Refuse a model with a NaN or infinite weight: it would export, and then emit nonsense."""
    for name, parameter in model.named_parameters():
        if not bool(torch.isfinite(parameter).all()):
            bad = int((~torch.isfinite(parameter)).sum())
            raise VerificationError(
                f"the checkpoint's weights hold NaN or infinity ({bad:,} values of {name}); "
                "the training diverged: train again, e.g. with a smaller --lr"
            )


def _check_finite(outputs: list[np.ndarray], where: str) -> None:
    names = ["logits", "state"]
    for index, output in enumerate(outputs):
        if not np.isfinite(output).all():
            raise VerificationError(f"{where} computes NaN or infinite {names[min(index, 1)]} on random prompts")


def sample_prompts(tokenizer: Tokenizer, count: int, seed: int = 0) -> list[str]:
    """`count` seeded prompts of 0–4 vocabulary words, the likelier words more often."""
    words = [w for w in tokenizer.vocabulary[len(SPECIAL_TOKENS) :] if w not in PUNCTUATION]
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, len(words) + 1)  # Zipf-like: frequent words first in the vocabulary
    weights /= weights.sum()
    prompts = [""]
    while len(prompts) < count:
        length = int(rng.integers(1, 5))
        prompts.append(" ".join(words[i] for i in rng.choice(len(words), size=length, p=weights)))
    return prompts


@torch.no_grad()
def torch_greedy(model: LSTMLanguageModel, tokenizer: Tokenizer, prompt: str, max_words: int) -> list[int]:
    """The reference greedy loop in PyTorch: the runtime must produce exactly these ids."""
    ids = torch.tensor([tokenizer.encode(prompt, add_bos=True).ids])
    logits, state = model(ids)
    generated: list[int] = []
    for _ in range(max_words):
        scores = contract.mask_never_emitted(logits[0, -1].numpy().copy())
        token = int(scores.argmax())
        if token == contract.STOP_ID:
            break
        generated.append(token)
        logits, state = model(torch.tensor([[token]]), state)
    return generated


@torch.no_grad()
def _torch_step(model: LSTMLanguageModel, ids: np.ndarray, state: list[np.ndarray]) -> list[np.ndarray]:
    from .graph import StepModel

    outputs = StepModel(model)(torch.from_numpy(ids), *(torch.from_numpy(s) for s in state))
    return [tensor.numpy() for tensor in outputs]


def _step_vs_one_pass(backend: Any, spec: ModelSpec, rng: np.random.Generator) -> float:
    ids = rng.integers(len(SPECIAL_TOKENS), spec.vocab_size, size=(2, 12), dtype=np.int64)
    whole_logits, whole_state = backend.run(ids, spec.zero_state(2))
    logits, state = None, spec.zero_state(2)
    for position in range(ids.shape[1]):
        logits, state = backend.run(ids[:, position : position + 1], state)
    pairs = zip([whole_logits, *whole_state], [logits, *state], strict=True)
    differences = [float(np.abs(a - b).max()) for a, b in pairs]
    return math.nan if any(math.isnan(d) for d in differences) else max(differences)


def _state(spec: ModelSpec, batch: int, rng: np.random.Generator | None) -> list[np.ndarray]:
    if rng is None:
        return spec.zero_state(batch)
    return [rng.uniform(-0.9, 0.9, size=(batch, size)).astype(np.float32) for size in spec.state_sizes]

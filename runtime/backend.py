"""Backends: what runs the contract's step graph for the generator.

A backend is opened from a vetted model file and offers two ways to run the step graph:

- `run(input_ids, state)`: one call, any batch and sequence length (prompts, evaluation);
- `decoder(batch)`: a `Decoder` for word-by-word generation, which owns its buffers so a step copies
  nothing: the caller writes the next ids into `decoder.ids`, calls `step()`, and reads `decoder.logits`.

Every backend computes the same function; which one runs is a deployment choice.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .errors import GenerationError

if TYPE_CHECKING:
    import numpy as np

    from .contract import ModelSpec
    from .onnx_proto import OnnxModel

BACKENDS = ("onnxruntime",)


class Decoder(Protocol):
    """Buffers for one decode batch: `ids` (B, 1) int64 in, `logits` (B, V) float32 out, the state between."""

    ids: np.ndarray
    logits: np.ndarray

    @property
    def state(self) -> list[np.ndarray]:
        """The state the next `step()` reads, [h_0, c_0, …] each (B, H); writable in place."""
        ...

    def step(self) -> None:
        """Read `ids` and the state, write `logits` and the next state."""
        ...


class StepBackend(Protocol):
    name: str
    spec: ModelSpec

    def run(self, input_ids: np.ndarray, state: Sequence[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
        """One call of the step graph: ids (B, T) and state → logits of the last position (B, V) and new state."""
        ...

    def decoder(self, batch: int) -> Decoder:
        """Fresh buffers for decoding `batch` rows (not thread-safe: one decoder per thread at a time)."""
        ...


def open_backend(
    name: str, path: str | os.PathLike[str], data: bytes, model: OnnxModel, spec: ModelSpec, threads: int
) -> StepBackend:
    """The backend called `name` for a model already vetted by `model_file.vet`."""
    if name == "onnxruntime":
        from .ort_backend import OnnxRuntimeBackend

        return OnnxRuntimeBackend(Path(path), data, spec, threads)
    raise GenerationError(f"unknown backend {name!r}; choose from {', '.join(BACKENDS)}")

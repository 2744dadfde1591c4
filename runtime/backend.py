"""Backends: what runs the contract's step graph for the generator.

A backend is opened from a vetted model file and offers two ways to run the step graph:

- `run(input_ids, state)`: one call, any batch and sequence length (prompts, evaluation);
- `decoder(batch)`: a `Decoder` for word-by-word generation, which owns its buffers so a step copies
  nothing: the caller writes the next ids into `decoder.ids`, calls `step()`, and reads `decoder.logits`.

Every backend computes the same function; which one runs is a deployment choice:

- `onnxruntime` (`ort_backend.py`): onnxruntime's CPU kernels; the int8 twin runs on its int8 kernels;
- `numpy` (`numpy_backend.py`): numpy alone, for machines without an onnxruntime wheel, and the
  fastest start (no onnxruntime import); the int8 twin runs in float32 with its weights dequantized;
- `auto`: onnxruntime when it imports, numpy otherwise.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Protocol

from .errors import BackendUnavailable, GenerationError

if TYPE_CHECKING:
    import numpy as np

    from .contract import ModelSpec
    from .onnx_proto import OnnxModel

BACKENDS = ("onnxruntime", "numpy")
CHOICES = ("auto", *BACKENDS)


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
    """The backend called `name` (or the one `auto` picks) for a model already vetted by `model_file.vet`."""
    name = resolve(name)
    if name == "onnxruntime":
        from .ort_backend import OnnxRuntimeBackend

        return OnnxRuntimeBackend(path, data, spec, threads)
    from .numpy_backend import NumpyBackend

    return NumpyBackend(path, model, spec)


def resolve(name: str) -> str:
    """The backend that runs for the choice `name`: `auto` is onnxruntime where it imports, numpy otherwise.

    Asking for onnxruntime where it does not import raises `BackendUnavailable`.
    """
    if name not in CHOICES:
        raise GenerationError(f"unknown backend {name!r}; choose from {', '.join(CHOICES)}")
    if name == "numpy":
        return name
    try:
        import_onnxruntime()
    except ImportError as error:
        if name == "auto":
            return "numpy"
        raise BackendUnavailable(
            f"onnxruntime does not import here ({str(error).strip()[:200] or type(error).__name__}); "
            "install it (pip install onnxruntime, where it has a wheel) or use the numpy backend"
        ) from None
    return "onnxruntime"


def available() -> list[str]:
    """The backends that can run on this machine, in the order of `BACKENDS`."""
    try:
        import_onnxruntime()
    except ImportError:
        return ["numpy"]
    return list(BACKENDS)


# What onnxruntime prints to the process's stderr that is no user's business: Debian's
# python3-onnxruntime registers ONNX operator schemas its shared libonnx registered already, one line and
# a blank one per schema (about 570) when the first session is created; on CPUs whose vendor it does not
# know (qemu's, some ARM boards) it says so on import.
ONNXRUNTIME_NOISE = (b"Schema error: ", b"onnxruntime cpuid_info warning: ")


def import_onnxruntime() -> ModuleType:
    """`import onnxruntime`, with the noise some builds print on import kept off stderr."""
    module = sys.modules.get("onnxruntime")
    if module is not None:
        return module
    with filtered_stderr(ONNXRUNTIME_NOISE):
        import onnxruntime  # noqa: F401
    return sys.modules["onnxruntime"]


@contextlib.contextmanager
def filtered_stderr(noise: tuple[bytes, ...]) -> Iterator[None]:
    """Hold back what is written to file descriptor 2 (by C++ code too) and pass on afterwards the lines
    that do not start with `noise` (nor are blank lines right after such a line). An in-memory file holds
    them (Linux), so no pipe can fill up."""
    memfd_create = getattr(os, "memfd_create", None)
    try:
        capture = memfd_create("lstm-edge-stderr") if memfd_create is not None else -1
        saved = os.dup(2) if capture >= 0 else -1
    except OSError:
        capture = saved = -1
    if saved < 0:  # no memfd (not Linux) or no free descriptor: leave stderr alone
        if capture >= 0:
            os.close(capture)
        yield
        return
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    os.dup2(capture, 2)
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.lseek(capture, 0, os.SEEK_SET)
        with os.fdopen(capture, "rb") as held:
            kept = _without_noise(held.read(), noise)
        with contextlib.suppress(OSError):
            while kept:
                kept = kept[os.write(2, kept) :]


def _without_noise(text: bytes, noise: tuple[bytes, ...]) -> bytes:
    kept, dropped = [], False
    for line in text.splitlines(keepends=True):
        dropped = line.startswith(noise) or (dropped and not line.strip())
        if not dropped:
            kept.append(line)
    return b"".join(kept)

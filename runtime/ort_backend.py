"""The onnxruntime backend: one InferenceSession per model, I/O bindings for decoding."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import contract
from .backend import ONNXRUNTIME_NOISE, filtered_stderr, import_onnxruntime
from .contract import ModelSpec
from .errors import ModelFileError


def session_options(threads: int = 1) -> Any:
    """The session settings every lstm-edge session uses (the generator's and the benchmarks')."""
    onnxruntime = import_onnxruntime()

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # small devices: don't burn a core
    options.log_severity_level = 4  # its errors reach the user as our one-line error; its own log would add lines
    return options


class OnnxRuntimeBackend:
    """Runs the step graph with onnxruntime's CPU provider."""

    name = "onnxruntime"

    def __init__(self, path: str | os.PathLike[str], data: bytes, spec: ModelSpec, threads: int = 1) -> None:
        onnxruntime = import_onnxruntime()

        self.path, self.spec = path, spec
        try:
            with filtered_stderr(ONNXRUNTIME_NOISE):  # Debian's build registers its schemas again here
                self.session = onnxruntime.InferenceSession(
                    data, session_options(threads), providers=["CPUExecutionProvider"]
                )
        except Exception as error:  # onnxruntime raises its own Fail/InvalidGraph/… types
            raise ModelFileError(f"{path}: onnxruntime cannot load it ({_first_line(error)})") from None

    def run(self, input_ids: np.ndarray, state: Sequence[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
        try:
            logits, *new_state = self.session.run(self.spec.graph_outputs, self.spec.feed(input_ids, state))
        except Exception as error:
            raise ModelFileError(f"{self.path}: onnxruntime failed to run it ({_first_line(error)})") from None
        return logits, new_state

    def decoder(self, batch: int) -> BoundDecoder:
        return BoundDecoder(self, batch)


class BoundDecoder:
    """Numpy buffers for one decode batch and two I/O bindings over them (ping → pong, pong → ping):
    onnxruntime reads and writes them in place, so a step copies nothing."""

    def __init__(self, backend: OnnxRuntimeBackend, batch: int) -> None:
        from onnxruntime import OrtValue

        spec = backend.spec
        self.ids = np.zeros((batch, 1), dtype=contract.IDS_DTYPE)
        self.logits = np.empty((batch, spec.vocab_size), dtype=contract.FLOAT_DTYPE)
        ping = [np.empty((batch, size), dtype=contract.FLOAT_DTYPE) for size in spec.state_sizes]
        pong = [np.empty_like(tensor) for tensor in ping]
        self._states = (ping, pong)
        self._bindings = []
        for state_in, state_out in ((ping, pong), (pong, ping)):
            binding = backend.session.io_binding()
            binding.bind_ortvalue_input(contract.INPUT_IDS, OrtValue.ortvalue_from_numpy(self.ids))
            for name, tensor in zip(spec.state_inputs, state_in, strict=True):
                binding.bind_ortvalue_input(name, OrtValue.ortvalue_from_numpy(tensor))
            binding.bind_ortvalue_output(contract.LOGITS, OrtValue.ortvalue_from_numpy(self.logits))
            for name, tensor in zip(spec.state_outputs, state_out, strict=True):
                binding.bind_ortvalue_output(name, OrtValue.ortvalue_from_numpy(tensor))
            self._bindings.append(binding)
        self._run = backend.session.run_with_iobinding
        self._path = backend.path
        self._next = 0  # which binding the next step runs: its inputs are the current state

    @property
    def state(self) -> list[np.ndarray]:
        return self._states[self._next]

    def step(self) -> None:
        try:
            self._run(self._bindings[self._next])
        except Exception as error:
            raise ModelFileError(f"{self._path}: onnxruntime failed to run it ({_first_line(error)})") from None
        self._next ^= 1


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return (text.splitlines()[0] if text else type(error).__name__)[:300]

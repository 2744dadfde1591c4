"""The numpy backend: the contract's step graph computed with numpy alone — no onnxruntime.

It runs where onnxruntime has no wheel (32-bit ARM, RISC-V, …) and starts without onnxruntime's import.
The weights come from the vetted model file (`graph_weights.read_step_weights`, which maps the graph
onto the network by its structure); the step is laid out so that a decode step allocates nothing and
makes about ten numpy calls per layer:

    one row per batch entry:  [ embedding | h_0 | h_1 | … | h_n ]
    layer i reads the window  [ x_i | h_i ]   (x_0 = the embedding, x_i = h_(i-1), just updated)
    gates_i = window @ fused_i + bias_i          fused_i = [W_i; R_i] (in + H, 4H), one product
    per layer a buffer        [ o | i | f | c~ | c ]  (gate columns reordered at load; c is the state)

Layer i overwrites h_i in place after reading it, so layer i + 1's window holds the new h_i next to its
own old h. The three sigmoid gates are computed as 0.5 + 0.5·tanh(x/2), with the halving folded into
their weight columns at load (exact: a power of two), so one tanh covers all four gates.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from . import contract
from .contract import ModelSpec
from .errors import GenerationError, ModelFileError
from .graph_weights import StepWeights, UnmappableGraph, read_step_weights
from .onnx_proto import OnnxModel

# ONNX gate blocks are i, o, f, c; the buffers want o, i, f, c (so [i, f] · [c~, c] is one product)
_GATE_ORDER = (1, 0, 2, 3)
_HALF = np.float32(0.5)


class _Layer(NamedTuple):
    """One layer's fused weights and where it sits in the row buffer."""

    fused: np.ndarray  # (in + H, 4H): gate columns o, i, f, c~, sigmoid columns halved
    bias: np.ndarray  # (4H,), the same order and halving
    window: slice  # columns of the row buffer this layer reads: [x | h]
    hidden: slice  # columns of the row buffer holding its h

    @property
    def size(self) -> int:
        return self.hidden.stop - self.hidden.start


class FusedNetwork:
    """The network's weights, rearranged for the step (read-only; shared by every decoder)."""

    def __init__(self, weights: StepWeights) -> None:
        self.embedding = weights.embedding  # (V, E)
        self.vocab_size, self.embedding_dim = weights.embedding.shape
        self.layers: list[_Layer] = []
        start, width = 0, self.embedding_dim  # the window of layer 0 starts at the embedding
        for layer in weights.layers:
            size, inputs = layer.hidden_size, len(layer.input_weights)
            fused = np.empty((inputs + size, 4 * size), np.float32)
            bias = np.empty(4 * size, np.float32)
            for target, source in enumerate(_GATE_ORDER):
                into, out_of = slice(target * size, (target + 1) * size), slice(source * size, (source + 1) * size)
                factor = _HALF if target < 3 else np.float32(1)  # o, i, f: sigmoid(x) = 0.5 + 0.5 * tanh(x / 2)
                np.multiply(layer.input_weights[:, out_of], factor, out=fused[:inputs, into])
                np.multiply(layer.recurrent_weights[:, out_of], factor, out=fused[inputs:, into])
                np.multiply(layer.bias[out_of], factor, out=bias[into])
            self.layers.append(
                _Layer(
                    fused,
                    bias,
                    window=slice(start, start + width + size),
                    hidden=slice(start + width, start + width + size),
                )
            )
            start, width = start + width, size
        self.row_width = start + width
        self.dense_weights, self.dense_bias = weights.dense_weights, weights.dense_bias
        self.output_weights, self.output_bias = weights.output_weights, weights.output_bias


class NumpyBackend:
    """Runs the step graph with numpy: float32 weights (the int8 twin's dequantized at load)."""

    name = "numpy"

    def __init__(self, path: Path, model: OnnxModel, spec: ModelSpec) -> None:
        self.path, self.spec = path, spec
        if model.graph is None:
            raise ModelFileError(f"{path}: not an ONNX model (no graph)")
        try:
            self.network = FusedNetwork(read_step_weights(model.graph, spec))
        except UnmappableGraph as error:
            raise ModelFileError(
                f"{path}: the numpy backend cannot map this graph onto the lstm-edge network ({error}); "
                "re-export it with lstm-export"
            ) from None

    def run(self, input_ids: np.ndarray, state: Sequence[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
        ids = np.asarray(input_ids)
        if ids.ndim != 2 or ids.shape[1] == 0 or ids.dtype.kind not in "iu":
            raise GenerationError(f"input ids must be integers of shape (batch, sequence ≥ 1), got {ids.shape}")
        vocabulary = self.network.vocab_size
        if ids.size and not -vocabulary <= int(ids.min()) <= int(ids.max()) < vocabulary:
            raise GenerationError(f"a token id is outside the vocabulary of {vocabulary:,}")
        buffers = StepBuffers(self.network, len(ids))
        for target, value in zip(buffers.state, state, strict=True):
            target[...] = value
        for position in range(ids.shape[1]):
            buffers.advance(ids[:, position])
        buffers.head()
        return buffers.logits, [tensor.copy() for tensor in buffers.state]

    def decoder(self, batch: int) -> StepBuffers:
        return StepBuffers(self.network, batch)


class StepBuffers:
    """Every array one step touches, for `batch` rows: a `Decoder` (write `ids`, `step()`, read `logits`)."""

    def __init__(self, network: FusedNetwork, batch: int) -> None:
        self.network = network
        self.ids = np.zeros((batch, 1), dtype=contract.IDS_DTYPE)
        self.logits = np.empty((batch, network.vocab_size), dtype=np.float32)
        self._rows = np.zeros((batch, network.row_width), dtype=np.float32)
        self._embedded = self._rows[:, : network.embedding_dim]
        # np.take writes straight into a contiguous slice; with more rows it goes through this buffer
        self._lookup = None if self._embedded.flags.c_contiguous else np.empty_like(self._embedded)
        self._hidden = np.empty((batch, len(network.dense_bias)), dtype=np.float32)
        self._steps = []
        self._state: list[np.ndarray] = []
        for layer in network.layers:
            size = layer.size
            gates = np.zeros((batch, 5 * size), dtype=np.float32)  # [o | i | f | c~ | c]
            self._steps.append(
                (
                    self._rows[:, layer.window],
                    layer.fused,
                    layer.bias,
                    gates[:, : 4 * size],  # all four gates
                    gates[:, : 3 * size],  # the sigmoid gates
                    gates[:, size : 3 * size],  # [i | f]
                    gates[:, 3 * size :],  # [c~ | c]
                    gates[:, 3 * size : 4 * size],  # c~, later tanh(c)
                    gates[:, 4 * size :],  # c
                    gates[:, :size],  # o
                    self._rows[:, layer.hidden],  # h
                )
            )
            self._state += [self._rows[:, layer.hidden], gates[:, 4 * size :]]
        self._last_hidden = self._rows[:, network.layers[-1].hidden]
        self._ids_column = self.ids[:, 0]

    @property
    def state(self) -> list[np.ndarray]:
        """[h_0, c_0, h_1, c_1, …], each (B, H): views into the buffers, writable in place."""
        return self._state

    def step(self) -> None:
        self.advance(self._ids_column)
        self.head()

    def advance(self, ids: np.ndarray) -> None:
        """Read one position: embed `ids` (B,) and run every layer, updating the state in place."""
        network = self.network
        if self._lookup is None:
            np.take(network.embedding, ids, axis=0, out=self._embedded, mode="wrap")
        else:
            np.take(network.embedding, ids, axis=0, out=self._lookup, mode="wrap")
            np.copyto(self._embedded, self._lookup)
        for window, fused, bias, gates, sigmoid, input_forget, candidate_cell, candidate, cell, out, h in self._steps:
            np.matmul(window, fused, out=gates)
            np.add(gates, bias, out=gates)
            np.tanh(gates, out=gates)
            np.multiply(sigmoid, _HALF, out=sigmoid)
            np.add(sigmoid, _HALF, out=sigmoid)  # o, i, f
            np.multiply(input_forget, candidate_cell, out=candidate_cell)  # [i·c~ | f·c]
            np.add(candidate, cell, out=cell)  # c = f·c + i·c~
            np.tanh(cell, out=candidate)
            np.multiply(out, candidate, out=h)  # h = o·tanh(c)

    def head(self) -> None:
        """logits = ReLU(h_last @ dense + b) @ output + b."""
        network, hidden = self.network, self._hidden
        np.matmul(self._last_hidden, network.dense_weights, out=hidden)
        np.add(hidden, network.dense_bias, out=hidden)
        np.maximum(hidden, 0, out=hidden)
        np.matmul(hidden, network.output_weights, out=self.logits)
        np.add(self.logits, network.output_bias, out=self.logits)

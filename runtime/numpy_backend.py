"""The numpy backend: the contract's step graph computed with numpy alone — no onnxruntime.

It runs where onnxruntime has no wheel (32-bit ARM, RISC-V, …) and starts without onnxruntime's import.
The weights come from the vetted model file (`graph_weights.read_step_weights`, which maps the graph
onto the network by its structure). The step is laid out so that a decode step allocates nothing and
makes nine numpy calls per layer and three for the head. Activations are stored feature-major, one
column per batch row, so every slice a call touches is contiguous (numpy allocates iteration buffers
for strided or broadcast operands):

    layer i:  window_i (in + H + 1, B) = [ x_i ; h_i ; 1 ]        x_0 = embedding, x_i = h_(i-1)
              gates_i  (5H, B)         = [ o ; i ; f ; c~ ; c ]  (the last block is the cell state)
              gates_i[:4H] = fused_i @ window_i                 fused_i = [W_i R_i b_i] (4H, in + H + 1)
    head:     hidden (D + 1, B) = [ relu(dense @ [h_n ; 1]) ; 1 ],   logits (B, V) = hidden.T @ [out ; b]

Gate rows are reordered from ONNX's i, o, f, c at load, so [i ; f] · [c~ ; c] is one product, and the
three sigmoid gates are computed as 0.5 + 0.5·tanh(x/2) with the halving folded into their weights
(exact: a power of two), so one tanh covers all four gates. Biases ride in the products on the constant
row of ones.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from . import contract
from .contract import ModelSpec
from .errors import GenerationError, ModelFileError
from .graph_weights import StepWeights, UnmappableGraph, read_step_weights
from .onnx_proto import OnnxModel

# ONNX gate blocks are i, o, f, c; the buffers want o, i, f, c (so [i ; f] · [c~ ; c] is one product)
_GATE_ORDER = (1, 0, 2, 3)
_HALF = np.float32(0.5)
# np.take wants indices of the platform's pointer width: int64 ids are converted on 32-bit machines
_INDEX_DTYPE = np.dtype(np.intp)


class _Layer(NamedTuple):
    fused: np.ndarray  # (4H, in + H + 1): [W R b], gate rows o, i, f, c~, sigmoid rows halved
    inputs: int  # in
    size: int  # H


class FusedNetwork:
    """The network's weights, rearranged for the step (read-only; shared by every decoder)."""

    def __init__(self, weights: StepWeights) -> None:
        self.vocab_size, self.embedding_dim = weights.embedding.shape
        # (V, E), copied: the file's bytes sit at any offset, and numpy reads an unaligned array ~30× slower
        # (a transposed copy, (E, V), would spare the lookup a strided write but cost the start a millisecond)
        self.embedding = np.array(weights.embedding, dtype=np.float32, order="C")
        self.layers = [_fuse(layer.input_weights, layer.recurrent_weights, layer.bias) for layer in weights.layers]
        self.dense = _with_bias(weights.dense_weights.T, weights.dense_bias)  # (D, H_n + 1)
        self.output = np.ascontiguousarray(np.vstack([weights.output_weights, weights.output_bias]))  # (D + 1, V)


def _fuse(input_weights: np.ndarray, recurrent_weights: np.ndarray, bias: np.ndarray) -> _Layer:
    inputs, size = len(input_weights), len(recurrent_weights)
    fused = np.empty((4 * size, inputs + size + 1), np.float32)
    for target, source in enumerate(_GATE_ORDER):
        rows, columns = slice(target * size, (target + 1) * size), slice(source * size, (source + 1) * size)
        factor = _HALF if target < 3 else np.float32(1)  # o, i, f: sigmoid(x) = 0.5 + 0.5 * tanh(x / 2)
        np.multiply(input_weights[:, columns].T, factor, out=fused[rows, :inputs])
        np.multiply(recurrent_weights[:, columns].T, factor, out=fused[rows, inputs:-1])
        np.multiply(bias[columns], factor, out=fused[rows, -1])
    return _Layer(fused, inputs, size)


def _with_bias(weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """[weights bias]: (N, K + 1), for a product with [x ; 1]."""
    return np.ascontiguousarray(np.hstack([weights, bias[:, None]]), dtype=np.float32)


class NumpyBackend:
    """Runs the step graph with numpy: float32 weights (the int8 twin's dequantized at load)."""

    name = "numpy"

    def __init__(self, path: str | os.PathLike[str], model: OnnxModel, spec: ModelSpec) -> None:
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
        indices = ids.astype(_INDEX_DTYPE, copy=False)  # in range: checked above
        for position in range(ids.shape[1]):
            buffers.advance(indices[:, position])
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
        self._ids_column = self.ids[:, 0]
        same_width = self._ids_column.dtype == _INDEX_DTYPE
        self._indices = self._ids_column if same_width else np.zeros(batch, _INDEX_DTYPE)  # 32-bit: a copy
        self._steps = []
        self._state: list[np.ndarray] = []
        windows = [np.zeros((layer.inputs + layer.size + 1, batch), np.float32) for layer in network.layers]
        self._embedded = windows[0][: network.embedding_dim]  # (E, B)
        # a lookup fills rows (B, E): for one row, the window's column itself; else a buffer copied in
        self._rows_are_window = batch == 1
        self._rows = self._embedded.T if self._rows_are_window else np.empty((batch, network.embedding_dim), np.float32)
        for index, (layer, window) in enumerate(zip(network.layers, windows, strict=True)):
            size, inputs = layer.size, layer.inputs
            window[-1] = 1.0
            gates = np.zeros((5 * size, batch), np.float32)  # [o ; i ; f ; c~ ; c]
            h = window[inputs : inputs + size]
            following = windows[index + 1][:size] if index + 1 < len(windows) else None  # the next layer's x
            self._steps.append(
                (
                    layer.fused,
                    window,
                    gates[: 4 * size],  # all four gates
                    gates[: 3 * size],  # the sigmoid gates
                    gates[size : 3 * size],  # [i ; f]
                    gates[3 * size :],  # [c~ ; c]
                    gates[3 * size : 4 * size],  # c~, later tanh(c)
                    gates[4 * size :],  # c
                    gates[:size],  # o
                    h,
                    following,
                )
            )
            self._state += [h.T, gates[4 * size :].T]
        last = network.layers[-1]
        self._last = windows[-1][last.inputs :]  # [h_n ; 1]
        self._hidden = np.ones((len(network.dense) + 1, batch), np.float32)  # [relu(…) ; 1]

    @property
    def state(self) -> list[np.ndarray]:
        """[h_0, c_0, h_1, c_1, …], each (B, H): views into the buffers, writable in place."""
        return self._state

    def step(self) -> None:
        if self._indices is not self._ids_column:
            np.copyto(self._indices, self._ids_column, casting="unsafe")  # ids < vocabulary size: no loss
        self.advance(self._indices)
        self.head()

    def advance(self, ids: np.ndarray) -> None:
        """Read one position: embed `ids` (B,) of dtype intp and run every layer, updating the state in place."""
        np.take(self.network.embedding, ids, axis=0, out=self._rows, mode="wrap")
        if not self._rows_are_window:
            np.copyto(self._embedded, self._rows.T)
        for (
            fused,
            window,
            gates,
            sigmoid,
            input_forget,
            candidate_cell,
            candidate,
            cell,
            out,
            h,
            following,
        ) in self._steps:
            np.matmul(fused, window, out=gates)
            np.tanh(gates, out=gates)
            np.multiply(sigmoid, _HALF, out=sigmoid)
            np.add(sigmoid, _HALF, out=sigmoid)  # o, i, f
            np.multiply(input_forget, candidate_cell, out=candidate_cell)  # [i·c~ ; f·c]
            np.add(candidate, cell, out=cell)  # c = f·c + i·c~
            np.tanh(cell, out=candidate)
            np.multiply(out, candidate, out=h)  # h = o·tanh(c)
            if following is not None:
                np.copyto(following, h)

    def head(self) -> None:
        """logits = [ReLU(dense @ [h_n ; 1]) ; 1].T @ [output ; bias]."""
        hidden = self._hidden[:-1]
        np.matmul(self.network.dense, self._last, out=hidden)
        np.maximum(hidden, 0, out=hidden)
        np.matmul(self._hidden.T, self.network.output, out=self.logits)

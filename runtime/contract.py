"""The ONNX contract between `lstm-export` and the runtime, stated once.

One stateful step graph serves the prompt and every generated word:

    input_ids  int64   [batch, sequence]   h_in_i, c_in_i   float32 [batch, hidden_i]   (per LSTM layer i)
    logits     float32 [batch, vocab]      h_out_i, c_out_i float32 [batch, hidden_i]

`logits` belong to the last position only. Everything else the runtime needs travels as JSON strings
in the model's `metadata_props` under the keys below.

`ModelSpec` is the one object that knows a model's names, state sizes and shapes: the exporter builds
the graph from it, the verifier and the loader check files against it, the generator, the backends and
the benchmarks read it. The special token ids, the tokens a generator never emits, the name of the int8
twin and the operators a model file may contain are here too. Nothing else re-derives these facts.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from .errors import ModelFileError
from .tokenizer import BOS, BOS_ID, EOS_ID, PAD, PAD_ID, UNK

if TYPE_CHECKING:
    from pathlib import Path

    import numpy as np

FORMAT_VERSION = 1

INPUT_IDS = "input_ids"
LOGITS = "logits"
IDS_DTYPE = "int64"
FLOAT_DTYPE = "float32"  # logits and state

KEY_FORMAT_VERSION = "lstm_edge.format_version"
KEY_TOKENIZER = "lstm_edge.tokenizer"
KEY_TOKENIZER_SHA256 = "lstm_edge.tokenizer_sha256"
KEY_ARCHITECTURE = "lstm_edge.architecture"
KEY_GENERATION = "lstm_edge.generation"
KEY_TRAINING = "lstm_edge.training"
KEY_VERSIONS = "lstm_edge.versions"
KEY_QUANTIZATION = "lstm_edge.quantization"
REQUIRED_KEYS = (KEY_FORMAT_VERSION, KEY_TOKENIZER, KEY_TOKENIZER_SHA256, KEY_ARCHITECTURE, KEY_GENERATION)

# --- tokens -------------------------------------------------------------------------------------------

STOP_ID = EOS_ID  # generation ends when the model picks it
NEVER_EMITTED = slice(PAD_ID, BOS_ID + 1)  # <pad>, <unk>, <bos>: masked before every choice
NEVER_EMITTED_TOKENS = (PAD, UNK, BOS)


def mask_never_emitted(logits: np.ndarray) -> np.ndarray:
    """Set the scores of <pad>, <unk> and <bos> to -inf in place (last axis = vocabulary); returns `logits`."""
    logits[..., NEVER_EMITTED] = -math.inf
    return logits


# --- generation ---------------------------------------------------------------------------------------

DEFAULT_WORDS = 10  # the tutorial's budget
MAX_WORDS = 1000  # per prompt and call
MAX_PENALTY = 10.0  # repetition penalty (1 = off)
MAX_NGRAM = 20  # no-repeat n-gram size (0 = off)
MAX_BEAMS = 32  # beam search (1 = off)

# --- files --------------------------------------------------------------------------------------------

ONNX_SUFFIX = ".onnx"
INT8_SUFFIX = ".int8.onnx"
MAX_MODEL_BYTES = 512 * 1024 * 1024  # far above any model of this family (a 60k vocabulary is ~31 MB)
MIN_INT8_AGREEMENT = 0.90  # least share of held-out steps where an int8 twin picks float32's next word


def int8_twin(path: str | os.PathLike[str]) -> Path:
    """Where the int8 twin of the float32 model at `path` lives: `NAME.onnx` → `NAME.int8.onnx`."""
    from pathlib import Path  # not at the top: the generation path never needs pathlib (2 ms of a start)

    path = Path(path)
    return path.with_name(path.name.removesuffix(ONNX_SUFFIX) + INT8_SUFFIX)


# --- what a model file may contain -------------------------------------------------------------------
# The operators (and their attributes) that our exporter writes, float32 and int8; the loader refuses
# anything else before onnxruntime sees the file. `tests/test_export.py` checks that every file the
# exporter writes stays inside this list, so the two cannot drift apart.

ONNX_DOMAIN, MICROSOFT_DOMAIN = "", "com.microsoft"
ALLOWED_OPERATORS: dict[tuple[str, str], frozenset[str]] = {
    (ONNX_DOMAIN, "Gather"): frozenset({"axis"}),
    (ONNX_DOMAIN, "Transpose"): frozenset({"perm"}),
    (ONNX_DOMAIN, "Squeeze"): frozenset(),
    (ONNX_DOMAIN, "Unsqueeze"): frozenset(),
    (ONNX_DOMAIN, "Constant"): frozenset({"value"}),
    (ONNX_DOMAIN, "LSTM"): frozenset({"hidden_size"}),
    (ONNX_DOMAIN, "MatMul"): frozenset(),
    (ONNX_DOMAIN, "Add"): frozenset(),
    (ONNX_DOMAIN, "Relu"): frozenset(),
    # the int8 twin (onnxruntime's dynamic quantization)
    (MICROSOFT_DOMAIN, "DynamicQuantizeLSTM"): frozenset({"hidden_size"}),
    (ONNX_DOMAIN, "DynamicQuantizeLinear"): frozenset(),
    (ONNX_DOMAIN, "MatMulInteger"): frozenset(),
    (ONNX_DOMAIN, "DequantizeLinear"): frozenset(),
    (ONNX_DOMAIN, "Cast"): frozenset({"to"}),
    (ONNX_DOMAIN, "Mul"): frozenset(),
}
ALLOWED_OPSETS = {ONNX_DOMAIN: range(14, 21), MICROSOFT_DOMAIN: range(1, 2)}  # domain → versions
DEFAULT_OPSET = 17
MAX_NODES = 10_000  # ours have about 30; a bound on work done for a hostile file


# --- the model's shape --------------------------------------------------------------------------------


class ModelSpec(NamedTuple):
    """The shape of one model: Embedding(V, E) → LSTM(H_0) → … → LSTM(H_n) → Dense(D, ReLU) → Dense(V).

    It names every input and output of the step graph and knows the state's sizes; the metadata's
    `architecture` document is `spec.architecture()`, and `ModelSpec.from_architecture` reads it back.
    (The runtime's records are named tuples, not dataclasses: creating a frozen dataclass costs a
    start about half a millisecond, a named tuple a tenth of that.)
    """

    vocab_size: int
    embedding_dim: int
    hidden_sizes: tuple[int, ...]
    dense_size: int

    @property
    def layers(self) -> int:
        return len(self.hidden_sizes)

    @property
    def state_inputs(self) -> list[str]:
        """h_in_0, c_in_0, h_in_1, c_in_1, … (graph order)."""
        return [name for i in range(self.layers) for name in (f"h_in_{i}", f"c_in_{i}")]

    @property
    def state_outputs(self) -> list[str]:
        return [name for i in range(self.layers) for name in (f"h_out_{i}", f"c_out_{i}")]

    @property
    def state_sizes(self) -> list[int]:
        """The width of each state tensor, in the order of `state_inputs`."""
        return [size for size in self.hidden_sizes for _ in ("h", "c")]

    @property
    def graph_inputs(self) -> list[str]:
        return [INPUT_IDS, *self.state_inputs]

    @property
    def graph_outputs(self) -> list[str]:
        return [LOGITS, *self.state_outputs]

    def input_shapes(self) -> dict[str, list[int | str]]:
        """Every graph input's shape, symbolic axes by name."""
        return {
            INPUT_IDS: ["batch", "sequence"],
            **{n: ["batch", s] for n, s in zip(self.state_inputs, self.state_sizes, strict=True)},
        }

    def output_shapes(self) -> dict[str, list[int | str]]:
        return {
            LOGITS: ["batch", self.vocab_size],
            **{n: ["batch", s] for n, s in zip(self.state_outputs, self.state_sizes, strict=True)},
        }

    def zero_state(self, batch: int) -> list[np.ndarray]:
        """The state a prompt starts from: zeros, (batch, H) per state input."""
        import numpy as np

        return [np.zeros((batch, size), dtype=FLOAT_DTYPE) for size in self.state_sizes]

    def feed(self, input_ids: Any, state: Sequence[Any]) -> dict[str, Any]:
        """The graph's input dict: ids (B, T) and the flat state [h_0, c_0, h_1, c_1, …]."""
        return {INPUT_IDS: input_ids, **dict(zip(self.state_inputs, state, strict=True))}

    def architecture(self) -> dict[str, Any]:
        """The metadata document `lstm_edge.architecture` (extra keys are allowed and kept by the writer)."""
        return {
            "vocab_size": self.vocab_size,
            "embedding_dim": self.embedding_dim,
            "hidden_sizes": list(self.hidden_sizes),
            "dense_size": self.dense_size,
            "state_inputs": self.state_inputs,
            "state_outputs": self.state_outputs,
            "state_shapes": {
                name: ["batch", size] for name, size in zip(self.state_inputs, self.state_sizes, strict=True)
            },
        }

    @classmethod
    def from_architecture(cls, document: Any) -> ModelSpec:
        """Read the `architecture` document; a missing or non-integer size raises `ModelFileError`."""
        problem = f"metadata {KEY_ARCHITECTURE} is incomplete"
        if not isinstance(document, dict):
            raise ModelFileError(problem)
        try:
            sizes = document["hidden_sizes"]
            values = [document["vocab_size"], document["embedding_dim"], document["dense_size"], *sizes]
        except (KeyError, TypeError):
            raise ModelFileError(problem) from None
        if not isinstance(sizes, list) or not all(type(v) is int and 0 < v <= 10_000_000 for v in values):
            raise ModelFileError(problem)
        if not sizes:
            raise ModelFileError("architecture has no LSTM layers")
        return cls(document["vocab_size"], document["embedding_dim"], tuple(sizes), document["dense_size"])

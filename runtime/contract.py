"""The ONNX contract between `lstm-export` and the runtime: tensor names and metadata keys.

One stateful step graph serves the prompt and every generated word:

    input_ids  int64   [batch, seq]        h_in_i, c_in_i   float32 [batch, hidden_i]   (per LSTM layer i)
    logits     float32 [batch, vocab]      h_out_i, c_out_i float32 [batch, hidden_i]

`logits` belong to the last position only. Everything else the runtime needs travels as JSON
strings in the model's `metadata_props` under the keys below.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

FORMAT_VERSION = 1

INPUT_IDS = "input_ids"
LOGITS = "logits"

KEY_FORMAT_VERSION = "lstm_edge.format_version"
KEY_TOKENIZER = "lstm_edge.tokenizer"
KEY_TOKENIZER_SHA256 = "lstm_edge.tokenizer_sha256"
KEY_ARCHITECTURE = "lstm_edge.architecture"
KEY_GENERATION = "lstm_edge.generation"
KEY_TRAINING = "lstm_edge.training"
KEY_VERSIONS = "lstm_edge.versions"
KEY_QUANTIZATION = "lstm_edge.quantization"
REQUIRED_KEYS = (KEY_FORMAT_VERSION, KEY_TOKENIZER, KEY_TOKENIZER_SHA256, KEY_ARCHITECTURE, KEY_GENERATION)


def state_inputs(layers: int) -> list[str]:
    """Names of the state inputs, in graph order: h_in_0, c_in_0, h_in_1, c_in_1, …"""
    return [name for i in range(layers) for name in (f"h_in_{i}", f"c_in_{i}")]


def state_outputs(layers: int) -> list[str]:
    return [name for i in range(layers) for name in (f"h_out_{i}", f"c_out_{i}")]


def graph_inputs(layers: int) -> list[str]:
    return [INPUT_IDS, *state_inputs(layers)]


def graph_outputs(layers: int) -> list[str]:
    return [LOGITS, *state_outputs(layers)]


def feed(input_ids: Any, state: Sequence[Any]) -> dict[str, Any]:
    """The session's input dict: ids (B, T) and the flat state [h_0, c_0, h_1, c_1, …]."""
    return {INPUT_IDS: input_ids, **dict(zip(state_inputs(len(state) // 2), state, strict=True))}


DEFAULT_WORDS = 10  # the tutorial's budget
MAX_WORDS = 1000  # per prompt and call

"""lstm-edge: a word-level LSTM language model, trained with PyTorch, run from one ONNX file.

    import lstm_edge
    generator = lstm_edge.Generator()          # the shipped model, onnxruntime only
    print(generator.generate("A cream coat").text)

The names below are imported on first use, so `import lstm_edge` costs nothing at start-up.
Training and export live in `lstm_edge.train` and `lstm_edge.export` (the `[train]` extra).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

_API = {
    "Generator": "lstm_edge.runtime.generator",
    "Generation": "lstm_edge.runtime.generator",
    "Sampling": "lstm_edge.runtime.generator",
    "Decoding": "lstm_edge.runtime.decoding",
    "PromptState": "lstm_edge.runtime.generator",
    "load_model": "lstm_edge.runtime.model_file",
    "ModelFile": "lstm_edge.runtime.model_file",
    "ModelSpec": "lstm_edge.runtime.contract",
    "Tokenizer": "lstm_edge.runtime.tokenizer",
    "LstmEdgeError": "lstm_edge.runtime.errors",
    "ModelFileError": "lstm_edge.runtime.errors",
    "GenerationError": "lstm_edge.runtime.errors",
}
__all__ = [  # noqa: RUF022 (grouped as in _API)
    "__version__",
    "Generator",
    "Generation",
    "Sampling",
    "Decoding",
    "PromptState",
    "load_model",
    "ModelFile",
    "ModelSpec",
    "Tokenizer",
    "LstmEdgeError",
    "ModelFileError",
    "GenerationError",
]

if TYPE_CHECKING:
    from lstm_edge.runtime.contract import ModelSpec
    from lstm_edge.runtime.decoding import Decoding
    from lstm_edge.runtime.errors import GenerationError, LstmEdgeError, ModelFileError
    from lstm_edge.runtime.generator import Generation, Generator, PromptState, Sampling
    from lstm_edge.runtime.model_file import ModelFile, load_model
    from lstm_edge.runtime.tokenizer import Tokenizer


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'lstm_edge' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_API[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)

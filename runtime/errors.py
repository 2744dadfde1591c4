"""Every error lstm-edge reports to a user, in one family.

Library code raises these; each command turns them into one line, `Error: …`, and exit status 1
(see `console.py`). Anything else that escapes is a bug and keeps its traceback.

    LstmEdgeError                    the base: `except LstmEdgeError` catches every expected failure
    ├── CorpusError                  a CSV of descriptions that cannot be trained on       (lstm-train)
    ├── TrainingError                options or a run directory that cannot be trained with (lstm-train)
    ├── CheckpointError              a checkpoint that is missing, corrupt or incompatible (lstm-train, lstm-export)
    ├── ExportError                  a model that cannot be exported as promised           (lstm-export)
    │   ├── GraphError               the exported graph does not have the contract's shape
    │   ├── VerificationError        onnxruntime does not compute what PyTorch computes
    │   └── QuantizationRefused      the int8 twin agrees too little with float32
    ├── ModelFileError               an ONNX file the runtime will not run                 (every command)
    │   └── VocabularyMismatch       its tokenizer does not fit its logits
    ├── TokenizerError               a tokenizer document that cannot be used
    ├── GenerationError              generation options that make no sense                  (lstm-gen, API)
    └── BackendUnavailable           a backend that cannot run on this machine              (lstm-gen, API)

The classes live here, in the runtime, because the runtime is the one package every stage imports.
"""

from __future__ import annotations


class LstmEdgeError(Exception):
    """Base class of every error lstm-edge reports to a user."""


class CorpusError(LstmEdgeError):
    """A corpus file that cannot be used for training."""


class TrainingError(LstmEdgeError):
    """Training options, a device or a run directory that training cannot use."""


class CheckpointError(LstmEdgeError):
    """A checkpoint that is missing, corrupt or from an incompatible version."""


class ExportError(LstmEdgeError):
    """A trained model that cannot be exported as the contract promises."""


class GraphError(ExportError):
    """The exported graph does not have the shape the contract promises."""


class VerificationError(ExportError):
    """The exported file does not compute what the PyTorch model computes."""


class QuantizationRefused(ExportError):
    """The int8 model agrees too little with float32 to be written without --force."""


class ModelFileError(LstmEdgeError):
    """An ONNX model file that is missing, unreadable, foreign, hostile or inconsistent."""


class VocabularyMismatch(ModelFileError):
    """The tokenizer in a model file does not fit the width of its logits."""


class TokenizerError(LstmEdgeError):
    """A tokenizer JSON document (or tokenizer options) that cannot be used."""


class GenerationError(LstmEdgeError):
    """Generation options out of range (temperature, top-k, top-p, word budget, …)."""


class BackendUnavailable(LstmEdgeError):
    """The backend asked for cannot run here (onnxruntime not installed, or it does not import)."""

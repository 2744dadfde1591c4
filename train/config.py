"""The two configurations a training run is made of; both travel inside every checkpoint.

`lstm-train`'s options are these fields, and its defaults are these defaults.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

from lstm_edge.runtime.errors import TrainingError

DEFAULT_COLUMN = "description"


@dataclass(frozen=True)
class LSTMConfig:
    """Shape of the network; the model is rebuilt from this alone.

    Defaults are the tutorial's: Embedding 64 → LSTM 128 → LSTM 64 → Dense 64 (ReLU) → Dense vocab,
    with dropout 0.3 while training (measured, README "Your own data": on 1,000 real reviews it lowers
    the held-out open-vocabulary perplexity from 108 to 91, on the built-in corpus 4.24 to 3.77).
    """

    vocab_size: int = 0  # output width = the tokenizer's size; 0 until training builds the tokenizer
    embedding_dim: int = 64  # size of each word's embedding
    hidden_sizes: tuple[int, ...] = (128, 64)  # one LSTM layer per size, stacked
    dense_size: int = 64  # width of the ReLU layer before the output
    dropout: float = 0.3  # after the embedding and each LSTM layer, while training (measured: see above)

    def __post_init__(self) -> None:
        if not isinstance(self.hidden_sizes, (list, tuple)):
            raise TrainingError(f"hidden_sizes must be a list of sizes, got {type(self.hidden_sizes).__name__}")
        object.__setattr__(self, "hidden_sizes", tuple(self.hidden_sizes))
        _check_types(self)
        problems = []
        if self.vocab_size != 0 and self.vocab_size < 5:
            problems.append(f"vocab_size must be at least 5, got {self.vocab_size}")
        if self.embedding_dim < 1 or self.dense_size < 1:
            problems.append("embedding_dim and dense_size must be positive")
        if not self.hidden_sizes or min(self.hidden_sizes) < 1:
            problems.append("hidden_sizes needs at least one positive size")
        if not 0.0 <= self.dropout < 1.0:
            problems.append(f"dropout must be in [0, 1), got {self.dropout}")
        if problems:
            raise TrainingError("; ".join(problems))

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "hidden_sizes": list(self.hidden_sizes)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LSTMConfig:
        return cls(**_known(cls, data))


@dataclass(frozen=True)
class TrainConfig:
    """Everything a training run is told, besides the network's shape."""

    # --- data ---
    data: str | None = None  # CSV file of descriptions; None: the built-in fashion corpus
    column: str = DEFAULT_COLUMN  # the CSV column that holds the text
    val_fraction: float = 0.2  # share of whole descriptions held out for validation
    split_seed: int = 42  # seed of that split (apart from `seed`, so runs are validated on the same text)
    min_count: int = 2  # words seen fewer times become <unk> (a word seen once is not learnt; reviews: 91 → 78)
    max_vocab: int | None = None  # largest vocabulary, the four reserved tokens included; None: no limit
    max_tokens: int = 256  # words and punctuation kept per description; the rest is cut off (and counted)
    # --- optimization ---
    epochs: int = 80  # most epochs to train
    batch_size: int = 8  # descriptions per batch (each holds all of its n-gram prefixes)
    learning_rate: float = 1e-3  # Adam's
    grad_clip: float = 1.0  # largest gradient norm; 0 turns clipping off
    patience: int = 5  # stop after this many epochs without a better validation loss
    seed: int = 0  # initial weights, the shuffle of each epoch, dropout
    # --- where it runs ---
    out: str = "runs/latest"  # run directory: checkpoints, history.json, curves.png
    device: str = "auto"  # auto (CUDA when present), cpu or cuda[:N]
    threads: int = 1  # CPU threads for PyTorch: one is fastest for networks this small

    def __post_init__(self) -> None:
        _check_types(self)
        problems = []
        if self.epochs < 1:
            problems.append(f"epochs must be at least 1, got {self.epochs}")
        if self.batch_size < 1:
            problems.append(f"batch size must be at least 1, got {self.batch_size}")
        if not 0 < self.learning_rate < math.inf:
            problems.append(f"learning rate must be a positive number, got {self.learning_rate}")
        if not 0 <= self.grad_clip < math.inf:
            problems.append(f"gradient clip must be 0 (off) or a positive number, got {self.grad_clip}")
        if self.patience < 1:
            problems.append(f"patience must be at least 1, got {self.patience}")
        if not 0.0 < self.val_fraction < 1.0:
            problems.append(f"validation fraction must be between 0 and 1, got {self.val_fraction}")
        if self.threads < 1:
            problems.append(f"threads must be at least 1, got {self.threads}")
        if self.max_tokens < 1:
            problems.append(f"max tokens must be at least 1, got {self.max_tokens}")
        if self.min_count < 1 or (self.max_vocab is not None and self.max_vocab < 5):
            problems.append("min count must be at least 1 and max vocabulary at least 5")
        if problems:
            raise TrainingError("; ".join(problems))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        return cls(**_known(cls, data))


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise TrainingError(f"{cls.__name__} must be a mapping of fields, got {type(data).__name__}")
    names = {f.name for f in fields(cls)}
    return {key: value for key, value in data.items() if key in names}


_TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "float": (int, float),
    "str": (str,),
    "int | None": (int, type(None)),
    "str | None": (str, type(None)),
    "tuple[int, ...]": (tuple,),
}


def _check_types(config: Any) -> None:
    """Each field holds what its annotation says (configs also come from checkpoints, which can be forged)."""
    for field in fields(config):
        value = getattr(config, field.name)
        allowed = _TYPES[str(field.type)]
        if isinstance(value, bool) or not isinstance(value, allowed):
            raise TrainingError(f"{field.name} must be {field.type}, got {type(value).__name__} {str(value)[:40]!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise TrainingError(f"{field.name} must be a finite number, got {value}")
        if isinstance(value, tuple) and not all(type(item) is int for item in value):
            raise TrainingError(f"{field.name} must hold whole numbers, got {str(value)[:40]!r}")

"""The metadata that makes one .onnx file the whole deployable model."""

from __future__ import annotations

import hashlib
import json
from importlib import metadata as package_metadata
from typing import Any

import onnx
import torch

from lstm_edge.runtime import contract
from lstm_edge.runtime.contract import ModelSpec
from lstm_edge.runtime.decoding import PLAIN, Decoding
from lstm_edge.runtime.tokenizer import BOS, EOS, Tokenizer
from lstm_edge.train.config import LSTMConfig


def build_metadata(
    checkpoint: dict[str, Any],
    tokenizer: Tokenizer,
    config: LSTMConfig,
    spec: ModelSpec,
    opset: int,
    decoding: Decoding = PLAIN,
    chosen_by: dict[str, Any] | None = None,
) -> dict[str, str]:
    tokenizer_json = tokenizer.to_json()
    architecture = {**config.to_dict(), **spec.architecture()}  # the training config's extras (dropout) ride along
    return {
        contract.KEY_FORMAT_VERSION: str(contract.FORMAT_VERSION),
        contract.KEY_TOKENIZER: tokenizer_json,
        contract.KEY_TOKENIZER_SHA256: hashlib.sha256(tokenizer_json.encode()).hexdigest(),
        contract.KEY_ARCHITECTURE: json.dumps(architecture),
        **generation_metadata(decoding, chosen_by),
        contract.KEY_TRAINING: json.dumps(training_summary(checkpoint)),
        contract.KEY_VERSIONS: json.dumps(versions(opset)),
        contract.KEY_QUANTIZATION: json.dumps({"type": "none"}),
    }


def generation_metadata(decoding: Decoding, chosen_by: dict[str, Any] | None = None) -> dict[str, str]:
    """The `lstm_edge.generation` document: how the runtime decodes by default, and how that was chosen."""
    generation = {
        **decoding.to_metadata(),
        "max_words": contract.DEFAULT_WORDS,
        "stop_token": EOS,
        "never_emit": list(contract.NEVER_EMITTED_TOKENS),
        "prompt_prefix": BOS,
        "chosen_by": chosen_by or {"method": "set at export"},
    }
    return {contract.KEY_GENERATION: json.dumps(generation)}


def training_summary(checkpoint: dict[str, Any]) -> dict[str, Any]:
    progress = checkpoint.get("progress", {})
    history = progress.get("history", [])
    best_epoch = progress.get("best_epoch", 0)
    best = history[best_epoch - 1] if 0 < best_epoch <= len(history) else {}
    return {
        "corpus": checkpoint.get("corpus", {}),
        "epochs_trained": len(history),
        "best_epoch": best_epoch,
        "stop_reason": progress.get("stop_reason"),
        "val_loss": best.get("val_loss"),
        "val_perplexity": best.get("val_perplexity"),
        "val_accuracy": best.get("val_accuracy"),
        "train_loss": best.get("train_loss"),
        "train_config": checkpoint.get("train_config", {}),
    }


def versions(opset: int) -> dict[str, Any]:
    try:
        ours = package_metadata.version("lstm-edge")
    except package_metadata.PackageNotFoundError:
        ours = "unknown"
    import onnxruntime

    return {
        "lstm_edge": ours,
        "torch": str(torch.__version__),
        "onnx": onnx.__version__,
        "onnxruntime": onnxruntime.__version__,
        "opset": opset,
    }


def set_metadata(model: onnx.ModelProto, entries: dict[str, str]) -> None:
    """Replace our keys in `metadata_props`, leaving any others alone."""
    kept = [p for p in model.metadata_props if p.key not in entries]
    del model.metadata_props[:]
    model.metadata_props.extend(kept)
    for key, value in entries.items():
        model.metadata_props.add(key=key, value=value)


def get_metadata(model: onnx.ModelProto) -> dict[str, str]:
    return {p.key: p.value for p in model.metadata_props}

"""Checkpoints: everything needed to rebuild the model, export it, or resume training exactly.

A checkpoint is a plain dict of tensors, numbers, strings, lists and dicts saved with `torch.save`
and read back with `weights_only=True`, so loading one never runs pickled code.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import torch

from lstm_edge.runtime.errors import CheckpointError, LstmEdgeError
from lstm_edge.runtime.files import atomic_write_bytes
from lstm_edge.runtime.tokenizer import Tokenizer

from .config import LSTMConfig, TrainConfig
from .model import LSTMLanguageModel
from .progress import Progress

CHECKPOINT_FORMAT = "lstm-edge-checkpoint"
CHECKPOINT_VERSION = 1
LAST = "last.pt"
BEST = "best.pt"


def save_checkpoint(path: str | Path, checkpoint: dict[str, Any]) -> None:
    """Write atomically: a crash mid-write leaves the previous checkpoint intact.

    Serialized in memory first, so a full disk or a read-only directory raises a plain `OSError`
    (torch's zip writer would turn it into a `RuntimeError` without the cause).
    """
    buffer = io.BytesIO()
    torch.save({"format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION, **checkpoint}, buffer)
    atomic_write_bytes(path, buffer.getvalue())


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Read and check a checkpoint (a file, or a run directory: its best.pt, else last.pt)."""
    path = resolve_checkpoint(path)
    with open(path, "rb") as handle:
        if handle.read(4) != b"PK\x03\x04":  # torch.save writes a zip archive
            raise CheckpointError(f"{path}: not a checkpoint (not a PyTorch zip archive); train with lstm-train")
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises RuntimeError, UnpicklingError, EOFError, zipfile errors …
        raise CheckpointError(f"{path}: not a readable checkpoint ({_reason(error)})") from None
    if not isinstance(checkpoint, dict) or checkpoint.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(f"{path}: not an lstm-edge checkpoint")
    if checkpoint.get("version") != CHECKPOINT_VERSION:
        raise CheckpointError(
            f"{path}: checkpoint format version {checkpoint.get('version')!r} is not supported by this "
            f"lstm-edge (it reads version {CHECKPOINT_VERSION}); use the lstm-edge release that wrote it"
        )
    for key in ("model_config", "train_config", "tokenizer", "model_state"):
        if key not in checkpoint:
            raise CheckpointError(f"{path}: checkpoint has no {key!r}; it is incomplete")
    return checkpoint


def _reason(error: Exception) -> str:
    """A short cause instead of torch's long, multi-line loading errors."""
    text = str(error)
    if "Unpickler error" in text:
        detail = text.split("Unpickler error:", 1)[1].strip().splitlines()
        return f"it holds objects a checkpoint must not: {detail[0][:120] if detail else 'unsupported content'}"
    if isinstance(error, EOFError) or any(
        m in text for m in ("central directory", "PytorchStreamReader", "zip archive")
    ):
        return "truncated or corrupt file"
    return (text.strip().splitlines() or [type(error).__name__])[0][:120]


def resolve_checkpoint(path: str | Path) -> Path:
    path = Path(path)
    if path.is_dir():
        for name in (BEST, LAST):
            if (path / name).is_file():
                return path / name
        raise CheckpointError(f"{path}: directory holds no {BEST} or {LAST}; train with lstm-train first")
    if not path.exists():
        raise CheckpointError(f"{path}: no such checkpoint file or run directory")
    return path


def model_from_checkpoint(checkpoint: dict[str, Any]) -> tuple[LSTMLanguageModel, Tokenizer]:
    """The trained model (in eval mode, on the CPU) and its tokenizer."""
    try:
        config = LSTMConfig.from_dict(checkpoint["model_config"])
        tokenizer = Tokenizer.from_json(checkpoint["tokenizer"])
        model = LSTMLanguageModel(config)
        model.load_state_dict(checkpoint["model_state"])
    except (TypeError, ValueError, KeyError, RuntimeError, LstmEdgeError) as error:
        raise CheckpointError(f"checkpoint does not describe a usable model ({str(error).splitlines()[0]})") from None
    if len(tokenizer) != config.vocab_size:
        raise CheckpointError(
            f"checkpoint tokenizer has {len(tokenizer)} entries but the model predicts {config.vocab_size}"
        )
    return model.eval(), tokenizer


def saved_configs(checkpoint: dict[str, Any], path: str | Path) -> tuple[TrainConfig, LSTMConfig]:
    """The two configs a checkpoint was trained with; `CheckpointError` when they are damaged."""
    try:
        return TrainConfig.from_dict(checkpoint["train_config"]), LSTMConfig.from_dict(checkpoint["model_config"])
    except LstmEdgeError as error:
        raise CheckpointError(f"{path}: checkpoint holds a damaged config ({error})") from None


def training_state(
    config: TrainConfig,
    tokenizer: Tokenizer,
    model: LSTMLanguageModel,
    optimizer: torch.optim.Optimizer,
    progress: Progress,
    corpus: dict[str, Any],
    rng_states: list[torch.Tensor] | None = None,
) -> dict[str, Any]:
    """Everything `restore_training` needs to continue bit for bit, and what export reads.

    `rng_states`: every rank's random state when several trained (rank 0's is also `rng_state`)."""
    state: dict[str, Any] = {
        "model_config": model.config.to_dict(),
        "train_config": config.to_dict(),
        "tokenizer": tokenizer.to_json(),
        "model_state": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "optimizer_state": optimizer.state_dict(),
        "progress": progress.to_dict(),
        "rng_state": rng_states[0] if rng_states else torch.get_rng_state(),
        "corpus": corpus,
        "versions": {"torch": str(torch.__version__)},
    }
    if rng_states and len(rng_states) > 1:
        state["rng_states"] = rng_states
    device = model.output.weight.device
    if device.type == "cuda":
        state["cuda_rng_state"] = torch.cuda.get_rng_state(device)
    return state


def restore_training(
    checkpoint: dict[str, Any],
    model: LSTMLanguageModel,
    optimizer: torch.optim.Optimizer,
    rank: int = 0,
    world: int = 1,
) -> Progress:
    """Put the weights, optimizer and random state of `checkpoint` back; returns where the run stood.

    Rank r takes its own random state when the checkpoint has one per rank for this many ranks, else
    rank 0's. Every part is checked first, so a damaged or forged checkpoint fails here, in one line,
    and not later inside an optimizer step."""
    try:
        progress = Progress.from_dict(checkpoint["progress"])
        model.load_state_dict(checkpoint["model_state"])
        optimizer.load_state_dict(checkpoint["optimizer_state"])
        _check_optimizer(optimizer)
        states = checkpoint.get("rng_states")
        rng_state = states[rank] if isinstance(states, list) and len(states) == world else checkpoint["rng_state"]
        if not isinstance(rng_state, torch.Tensor) or rng_state.dtype != torch.uint8:
            raise TypeError("rng_state is not a byte tensor")
        torch.set_rng_state(rng_state)
        device = model.output.weight.device
        if device.type == "cuda" and "cuda_rng_state" in checkpoint:
            torch.cuda.set_rng_state(checkpoint["cuda_rng_state"], device)
    except (TypeError, ValueError, KeyError, IndexError, RuntimeError, LstmEdgeError) as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0][:160]
        raise CheckpointError(f"checkpoint cannot be resumed from: {reason}") from None
    return progress


def _check_optimizer(optimizer: torch.optim.Optimizer) -> None:
    """Adam's state as Adam wrote it: finite hyperparameters, moments shaped like their parameters."""
    for group in optimizer.param_groups:
        numbers = [group["lr"], group["eps"], group["weight_decay"], *group["betas"]]
        if not all(type(n) in (int, float) and math.isfinite(n) for n in numbers) or len(group["betas"]) != 2:
            raise ValueError("optimizer hyperparameters are not finite numbers")
        for parameter in group["params"]:
            for name, value in optimizer.state.get(parameter, {}).items():
                shape = () if name == "step" else parameter.shape
                if not isinstance(value, torch.Tensor) or value.shape != shape or not value.is_floating_point():
                    raise ValueError(f"optimizer state {name!r} does not fit its parameter {tuple(parameter.shape)}")

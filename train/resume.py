"""What `--resume` may change: the options of a resumed run are the saved ones, unless told otherwise.

    location   data, column, out          where the run is now (the data itself is checked by its sha256)
    safe       epochs, patience,          change when the run stops or where it computes; accepted with
               device, threads            --accept-changes
    fixed      everything else            would make the result a different run: always refused

A resumed run never ignores an option silently: each one given that differs from the checkpoint is
listed, and the run starts only when all of them are safe and accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from lstm_edge.runtime.errors import CheckpointError, LstmEdgeError, TrainingError
from lstm_edge.runtime.tokenizer import Tokenizer

from .checkpoint import LAST, load_checkpoint, saved_configs
from .config import LSTMConfig, TrainConfig

LOCATION = frozenset({"data", "column", "out"})
SAFE = frozenset({"epochs", "patience", "device", "threads"})


@dataclass(frozen=True)
class Change:
    name: str  # a TrainConfig or LSTMConfig field
    saved: Any
    asked: Any

    @property
    def safe(self) -> bool:
        return self.name in SAFE


def changes(saved: TrainConfig, saved_network: LSTMConfig, asked: Mapping[str, Any]) -> list[Change]:
    """The asked options (field → value) that differ from the saved configs; locations never count."""
    found = []
    for config in (saved, saved_network):
        for field in fields(config):
            if field.name in asked and field.name not in LOCATION:
                old, new = getattr(config, field.name), asked[field.name]
                if field.name == "hidden_sizes":
                    new = tuple(new)
                if old != new:
                    found.append(Change(field.name, old, new))
    return found


def configs_to_resume(
    saved: TrainConfig,
    saved_network: LSTMConfig,
    asked: Mapping[str, Any],
    accept_changes: bool,
    flag: Callable[[str], str] = lambda name: name,
) -> tuple[TrainConfig, LSTMConfig]:
    """The configs to continue with: the saved ones, with the asked location and any accepted safe
    changes; `TrainingError` listing every other difference. `flag` names a field as the user typed it."""
    found = changes(saved, saved_network, asked)
    listed = ", ".join(f"{flag(c.name)} {_shown(c.saved)} → {_shown(c.asked)}" for c in found)
    if any(not c.safe for c in found):
        fixed = ", ".join(flag(c.name) for c in found if not c.safe)
        raise TrainingError(
            f"--resume with options that differ from the saved run: {listed}. {fixed} would make it another run; "
            "drop them to continue it, or start a new run with --overwrite or another --out"
        )
    if found and not accept_changes:
        raise TrainingError(
            f"--resume with options that differ from the saved run: {listed}; pass --accept-changes to continue "
            "with them, or drop them"
        )
    here = {name: value for name, value in asked.items() if name in LOCATION or name in SAFE}
    return replace(saved, **here), saved_network


def check_same_run(saved: TrainConfig, saved_network: LSTMConfig, config: TrainConfig, network: LSTMConfig) -> None:
    """For callers of `train(resume=True)`: the configs may differ from the saved ones in safe fields only."""
    asked = {**config.to_dict(), **{k: v for k, v in network.to_dict().items() if k != "vocab_size"}}
    fixed = [c for c in changes(saved, saved_network, asked) if not c.safe]
    if fixed:
        listed = ", ".join(f"{c.name} {_shown(c.saved)} → {_shown(c.asked)}" for c in fixed)
        raise TrainingError(f"cannot resume with a different recipe: {listed}")


def _shown(value: Any) -> str:
    if isinstance(value, tuple):
        return ",".join(map(str, value))
    return "(none)" if value is None else str(value)


def checkpoint_to_resume(out_dir: Path, config: TrainConfig, network: LSTMConfig) -> dict[str, Any]:
    """The last checkpoint of the run in `out_dir`, checked to be resumable with these configs."""
    path = out_dir / LAST
    if not path.is_file():
        raise CheckpointError(f"{path}: nothing to resume (no checkpoint there)")
    checkpoint = load_checkpoint(path)
    for key in ("optimizer_state", "progress", "rng_state", "corpus"):
        if key not in checkpoint:
            raise CheckpointError(f"{path}: checkpoint has no {key!r}, so training cannot resume from it")
    saved_config, saved_network = saved_configs(checkpoint, path)
    try:
        Tokenizer.from_json(checkpoint["tokenizer"])
    except LstmEdgeError as error:
        raise CheckpointError(f"{path}: checkpoint holds a damaged tokenizer ({error})") from None
    if not isinstance(checkpoint["corpus"], dict):
        raise CheckpointError(f"{path}: checkpoint holds a damaged corpus record")
    check_same_run(saved_config, saved_network, config, network)
    return checkpoint

"""The run directory: made (or refused) before any work, written only through atomic replaces.

lstm-train writes exactly these names in it, each by a temporary file and a rename, and touches
nothing else; a name that exists as something other than a regular file (a directory called
`last.pt`, a FIFO called `history.json`) is never replaced. Everything the first save would trip on
(such a name, a directory it may not write, another user's file in a sticky directory, `--data` that is
one of these names) is refused before any data is read.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lstm_edge.runtime.console import describe_os_error
from lstm_edge.runtime.errors import TrainingError
from lstm_edge.runtime.files import atomic_write_text, special_kind, unwritable_reason

from .checkpoint import BEST, LAST, load_checkpoint, save_checkpoint
from .progress import Progress

HISTORY = "history.json"
CURVES = "curves.png"
TOKENS = "tokens.bin"
OUTPUTS = (LAST, BEST, HISTORY, CURVES, TOKENS)


def make_run_dir(out: Path) -> None:
    """Create `out` (and its parents), or say in one line why it cannot be a run directory."""
    for parent in (out, *out.parents):
        if parent.is_dir():
            break
        if parent.exists() or parent.is_symlink():
            what = special_kind(parent) or ("a file" if parent.exists() else "a link to nothing")
            raise TrainingError(f"cannot use {out} as the run directory: {parent} is {what}, not a directory")
    with writing(out):
        out.mkdir(parents=True, exist_ok=True)
    if not os.access(out, os.W_OK | os.X_OK):
        raise TrainingError(f"cannot use {out} as the run directory: it is not writable")


def check_outputs(out: Path, fresh: bool, overwrite: bool, data: str | None = None) -> None:
    """Before any work: refuse special files where outputs go, outputs this process could not replace,
    `data` that is one of the outputs, and a fresh run over an old one without --overwrite."""
    for name in OUTPUTS:
        path = out / name
        if (path.exists() or path.is_symlink()) and not path.is_file():
            raise TrainingError(
                f"{path} exists and is not a regular file (a directory, link to nothing, FIFO or device); "
                "lstm-train never replaces one: move it away or choose another --out"
            )
        reason = unwritable_reason(path, "lstm-train")
        if reason is not None:
            raise TrainingError(f"cannot write {path}: {reason}")
        if data is not None and _same_file(Path(data), path):
            raise TrainingError(
                f"--data {data} is this run's {name}, which lstm-train writes; copy the data elsewhere first"
            )
    if fresh and not overwrite and (out / LAST).exists():
        raise TrainingError(
            f"{out} already holds a training run; continue it with --resume, or pass --overwrite or another --out"
        )


def _same_file(first: Path, second: Path) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:
        return False


def remove_leftovers(out: Path) -> list[Path]:
    """Delete the temporary files a killed run left (`.last.pt.x1y2.tmp`, …); only ours, by name."""
    removed = []
    for name in OUTPUTS:
        for leftover in out.glob(f".{name}.*.tmp"):
            if leftover.is_file() and not leftover.is_symlink():
                leftover.unlink(missing_ok=True)
                removed.append(leftover)
    return removed


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """OS errors while writing `path` as one line that names `path` (not a temporary file)."""
    try:
        yield
    except OSError as error:
        reason = describe_os_error(OSError(error.errno, error.strerror or str(error)))
        raise TrainingError(f"cannot write {path}: {reason}") from None


def save_epoch(out_dir: Path, state: dict[str, Any], improved: bool) -> None:
    """After each epoch: best.pt when it improved, last.pt always, then history.json."""
    for name in (BEST, LAST) if improved else (LAST,):
        with writing(out_dir / name):
            save_checkpoint(out_dir / name, state)
    report = {
        "history": state["progress"]["history"],
        "best_epoch": state["progress"]["best_epoch"],
        "stop_reason": state["progress"]["stop_reason"],
        "corpus": state["corpus"],
        "model_config": state["model_config"],
        "train_config": state["train_config"],
        "vocab_size": state["model_config"]["vocab_size"],
    }
    with writing(out_dir / HISTORY):
        atomic_write_text(out_dir / HISTORY, json.dumps(report, indent=2) + "\n")


def finish_run(out_dir: Path, progress: Progress) -> None:
    """Give best.pt the whole run's history and stop reason (its weights stay the best epoch's), so an
    export of it reports the finished run; draw the curves."""
    best = load_checkpoint(out_dir / BEST)
    if best["progress"].get("history") != progress.history:
        with writing(out_dir / BEST):
            save_checkpoint(out_dir / BEST, {**best, "progress": progress.to_dict()})
    draw_curves(out_dir, progress)


def draw_curves(out_dir: Path, progress: Progress) -> None:
    """At the end of a run or an interruption only: drawing costs about 10% of a small model's epoch."""
    from .plot import plot_curves

    if progress.history:
        with writing(out_dir / CURVES):
            plot_curves(progress.history, out_dir / CURVES, best_epoch=progress.best_epoch)

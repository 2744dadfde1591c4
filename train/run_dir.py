"""The run directory: made (or refused) before any work, written only through atomic replaces.

lstm-train writes exactly these names in it, each by a temporary file and a rename, and touches
nothing else; a name that exists as something other than a regular file (a directory called
`last.pt`, a FIFO called `history.json`) is never replaced: the run refuses before it starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lstm_edge.runtime.console import describe_os_error
from lstm_edge.runtime.errors import TrainingError

from .checkpoint import BEST, LAST

HISTORY = "history.json"
CURVES = "curves.png"
TOKENS = "tokens.bin"
OUTPUTS = (LAST, BEST, HISTORY, CURVES, TOKENS)


def make_run_dir(out: Path) -> None:
    """Create `out` (and its parents), or say in one line why it cannot be a run directory."""
    for parent in (out, *out.parents):
        if parent.exists() and not parent.is_dir():
            raise TrainingError(f"cannot use {out} as the run directory: {parent} is a file, not a directory")
        if parent.exists():
            break
    with writing(out):
        out.mkdir(parents=True, exist_ok=True)


def check_outputs(out: Path, fresh: bool, overwrite: bool) -> None:
    """Refuse special files where outputs go, and a fresh run over an old one without --overwrite."""
    for name in OUTPUTS:
        path = out / name
        if (path.exists() or path.is_symlink()) and not path.is_file():
            raise TrainingError(
                f"{path} exists and is not a regular file (a directory, link to nothing, FIFO or device); "
                "lstm-train never replaces one: move it away or choose another --out"
            )
    if fresh and not overwrite and (out / LAST).exists():
        raise TrainingError(
            f"{out} already holds a training run; continue it with --resume, or pass --overwrite or another --out"
        )


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

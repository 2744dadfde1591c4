"""The run's data: its token file, built from the CSV or reused on resume, and checked against the checkpoint."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from lstm_edge.runtime.errors import CheckpointError, LstmEdgeError
from lstm_edge.runtime.tokenizer import Tokenizer

from .config import TrainConfig
from .report import RowCounter
from .run_dir import TOKENS
from .text_source import sha256_of
from .token_file import TokenFile, build_token_file


def prepare_data(
    out: Path, config: TrainConfig, saved: dict[str, Any] | None, log: Callable[[str], None], show_progress: bool
) -> TokenFile:
    """The token file of the run: reused on resume when the data's sha256 and the options match,
    else built (one read of the CSV). A resumed run must be on the data its checkpoint names."""
    path, source = out / TOKENS, "built-in" if config.data is None else config.data
    existing = _open_if_valid(path) if saved else None
    if saved and existing and existing.shaped_like(config):
        sha256 = sha256_of(config.data)
        if sha256 == existing.sha256 == saved["corpus"].get("sha256"):
            log(f"Reusing {path} (the data's sha256 matches)")
            return existing
        _check_same_data(saved, sha256, source, config.column)
    tokenizer = Tokenizer.from_json(saved["tokenizer"]) if saved else None

    def check(sha256: str) -> None:
        if saved:
            _check_same_data(saved, sha256, source, config.column)

    with RowCounter(f"Reading {source}", enabled=show_progress) as counter:
        return build_token_file(path, config.data, config, tokenizer, progress=counter.update, check_sha256=check)


def _open_if_valid(path: Path) -> TokenFile | None:
    try:
        return TokenFile.open(path) if path.is_file() else None
    except LstmEdgeError:
        return None  # damaged: built again


def _check_same_data(saved: dict[str, Any], sha256: str, source: str, column: str) -> None:
    corpus = saved["corpus"]
    if corpus.get("sha256") != sha256 or corpus.get("column") != column:
        raise CheckpointError(
            f"the checkpoint was trained on {corpus.get('source')} (column {corpus.get('column')!r}); "
            f"{source} (column {column!r}) is different data. Resume with the same --data and --column"
        )

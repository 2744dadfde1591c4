"""The run's data: its token file, built from the CSV or reused on resume, and checked against the checkpoint."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from lstm_edge.runtime.errors import CheckpointError, LstmEdgeError
from lstm_edge.runtime.text_source import DataDigests, data_digests
from lstm_edge.runtime.tokenizer import Tokenizer

from .config import TrainConfig
from .corpus import builtin_corpus_path, source_name
from .report import RowCounter
from .run_dir import TOKENS
from .token_file import TokenFile, build_token_file


def prepare_data(
    out: Path, config: TrainConfig, saved: dict[str, Any] | None, log: Callable[[str], None], show_progress: bool
) -> TokenFile:
    """The token file of the run: reused on resume when the data's sha256 and the options match,
    else built (one read of the CSV). A resumed run must be on the data its checkpoint names."""
    path, source = out / TOKENS, source_name(config.data)
    existing = _open_if_valid(path) if saved else None
    if saved and existing and existing.shaped_like(config):
        digests = data_digests(builtin_corpus_path() if config.data is None else config.data, source)
        if digests.matches(existing.sha256) and digests.matches(saved["corpus"].get("sha256")):
            log(f"Reusing {path} (the data's sha256 matches)")
            return existing
        _check_same_data(saved, digests, source, config.column)
    tokenizer = Tokenizer.from_json(saved["tokenizer"]) if saved else None

    def check(digests: DataDigests) -> None:
        if saved:
            _check_same_data(saved, digests, source, config.column)

    with RowCounter(f"Reading {source}", enabled=show_progress) as counter:
        return build_token_file(path, config.data, config, tokenizer, progress=counter.update, check_data=check)


def _open_if_valid(path: Path) -> TokenFile | None:
    try:
        return TokenFile.open(path) if path.is_file() else None
    except LstmEdgeError:
        return None  # damaged: built again


def _check_same_data(saved: dict[str, Any], digests: DataDigests, source: str, column: str) -> None:
    corpus = saved["corpus"]
    if not digests.matches(corpus.get("sha256")) or corpus.get("column") != column:
        raise CheckpointError(
            f"the checkpoint was trained on {corpus.get('source')} (column {corpus.get('column')!r}); "
            f"{source} (column {column!r}) is different data. Resume with the same --data and --column"
        )

"""What a run shows: the log lines and the progress bars (tqdm) of rank 0."""

from __future__ import annotations

import torch

from .distributed import Ranks
from .metrics import Tally
from .model import LSTMLanguageModel
from .progress import EpochMetrics, Progress
from .token_file import TokenFile


def describe_run(data: TokenFile, model: LSTMLanguageModel, device: torch.device, cap: int, ranks: Ranks) -> str:
    corpus, parameters = data.header["corpus"], sum(p.numel() for p in model.parameters())
    lines = []
    if corpus["skipped_rows"]:
        lines.append(
            f"Skipped {corpus['skipped_rows']} empty {_plural(corpus['skipped_rows'], 'row')} of {corpus['source']}"
        )
    if corpus["truncated_descriptions"]:
        cut = corpus["truncated_descriptions"]
        lines.append(
            f"Cut {cut} {_plural(cut, 'description')} longer than --max-tokens {cap} "
            f"({corpus['truncated_tokens']:,} tokens left out)"
        )
    where = f"{ranks.world} ranks, {device.type}" if ranks.distributed else str(device)
    lines.append(
        f"Training on {corpus['source']} ({len(data.train)} train / {len(data.val)} validation descriptions, "
        f"vocabulary {len(data.tokenizer)}, {parameters:,} parameters, {where})"
    )
    return "\n".join(lines)


def _plural(count: int, word: str) -> str:
    return word if count == 1 else word + "s"


def epoch_line(metrics: EpochMetrics, epochs: int, improved: bool) -> str:
    return (
        f"epoch {metrics.epoch:>3}/{epochs}  train loss {metrics.train_loss:.4f}  acc {metrics.train_accuracy:.4f}  "
        f"| val loss {metrics.val_loss:.4f}  ppl {metrics.val_perplexity:.2f}  acc {metrics.val_accuracy:.4f}  "
        f"({metrics.seconds:.1f} s){'  *' if improved else ''}"
    )


class ProgressBar:
    """The epoch's progress bar (tqdm), showing the running loss and accuracy."""

    def __init__(self, total: int, progress: Progress, epochs: int, enabled: bool) -> None:
        from tqdm.auto import tqdm

        self._bar = tqdm(
            total=total,
            initial=progress.step,
            desc=f"epoch {progress.epoch + 1}/{epochs}",
            unit="batch",
            leave=False,
            disable=not enabled,
            dynamic_ncols=True,
        )

    def update(self, running: Tally) -> None:
        self._bar.update(1)
        # refresh=False: the bar redraws at its own pace
        self._bar.set_postfix(loss=f"{running.loss:.3f}", acc=f"{running.accuracy:.3f}", refresh=False)

    def close(self) -> None:
        self._bar.close()


class RowCounter:
    """A progress bar of rows read while the token file is built (a large CSV takes minutes)."""

    def __init__(self, what: str, enabled: bool) -> None:
        self._what, self._enabled = what, enabled

    def __enter__(self) -> RowCounter:
        from tqdm.auto import tqdm

        self._bar = tqdm(desc=self._what, unit=" rows", leave=False, disable=not self._enabled, dynamic_ncols=True)
        return self

    def update(self, rows: int) -> None:
        self._bar.update(rows - self._bar.n)

    def __exit__(self, *_exc: object) -> None:
        self._bar.close()

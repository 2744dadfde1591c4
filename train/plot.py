"""Training curves as a PNG: accuracy and loss, train vs validation (the tutorial's figure)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lstm_edge.runtime.files import atomic_path


def plot_curves(history: list[dict[str, Any]], path: str | Path, best_epoch: int | None = None) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only; never needs a display
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    epochs = [row["epoch"] for row in history]
    figure, (accuracy_axes, loss_axes) = plt.subplots(1, 2, figsize=(12, 4))
    panels = (
        (accuracy_axes, "Accuracy (next word)", "train_accuracy", "val_accuracy"),
        (loss_axes, "Loss (cross-entropy)", "train_loss", "val_loss"),
    )
    for axes, title, train_key, val_key in panels:
        axes.plot(epochs, [row[train_key] for row in history], marker="o", markersize=3, label="Training")
        axes.plot(epochs, [row[val_key] for row in history], marker="o", markersize=3, label="Validation")
        if best_epoch:
            best = history[best_epoch - 1][val_key]
            axes.axvline(best_epoch, color="red", linestyle="--", alpha=0.3, label=f"best epoch ({best_epoch})")
            axes.annotate(
                f"{best:.4f}", (best_epoch, best), color="red", fontsize=9, textcoords="offset points", xytext=(4, 6)
            )
        axes.set_title(title)
        axes.set_xlabel("Epoch")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(alpha=0.3)
        axes.legend()
    figure.tight_layout()
    with atomic_path(path) as temporary:
        figure.savefig(temporary, format="png", dpi=100)
    plt.close(figure)

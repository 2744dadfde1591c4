"""Model size: float32 vs its int8 twin, and how often int8 still picks float32's next word.

Sizes are the files' bytes. Agreement and accuracy are what `lstm-export --quantize int8` measured and
wrote into the int8 file's `lstm_edge.quantization` metadata (read here with the runtime's
`load_model(...).info()`): the share of held-out teacher-forced steps where both choose the same greedy
next word, how many sampled prompts continue identically, and next-word validation accuracy of each.

Reproduce: `python -m benchmarks size [--quick]`
"""

from __future__ import annotations

from benchmarks.common import megabytes, print_table
from benchmarks.models import speed_models


def main(quick: bool = False) -> None:
    from lstm_edge.runtime.model_file import load_model

    rows = []
    for model in speed_models(quick):
        fp32 = load_model(model.fp32).info()
        label = f"{model.name} (V={fp32['vocabulary_size']:,}; {model.description})"
        if model.int8 is None:
            rows.append([label, megabytes(fp32["size_bytes"]), "no int8 twin", "—", "—", "—", "—"])
            continue
        int8 = load_model(model.int8).info()
        quantization = int8.get("quantization", {})
        agreement = quantization.get("greedy_agreement")
        rows.append(
            [
                label,
                megabytes(fp32["size_bytes"]),
                megabytes(int8["size_bytes"]),
                f"{fp32['size_bytes'] / int8['size_bytes']:.1f}×",
                f"{agreement:.2%} of {quantization.get('agreement_positions', 0):,} steps"
                if agreement is not None
                else "not recorded",
                quantization.get("continuations_identical", "—"),
                _accuracies(quantization),
            ]
        )
    print_table(
        "Model size, float32 vs int8 (agreement as measured by lstm-export, from the int8 file's metadata)",
        ["model", "fp32 (MB)", "int8 (MB)", "smaller", "greedy agreement", "identical continuations", "val accuracy"],
        rows,
        f"python -m benchmarks size{' --quick' if quick else ''}",
    )


def _accuracies(quantization: dict) -> str:
    fp32, int8 = quantization.get("val_accuracy_fp32"), quantization.get("val_accuracy")
    return f"{fp32:.4f} → {int8:.4f}" if fp32 is not None and int8 is not None else "—"

"""Model size: float32 vs its int8 twin, and how often int8 still picks float32's next word; then the
wheel a device installs, by part.

Sizes are the files' bytes. Agreement and accuracy are what `lstm-export --quantize int8` measured and
wrote into the int8 file's `lstm_edge.quantization` metadata (read here with the runtime's
`load_model(...).info()`): the share of held-out teacher-forced steps where both choose the same greedy
next word, how many sampled prompts continue identically, and next-word validation accuracy of each.
The wheel is built from a copy of the repository (`python -m build --wheel`, with this venv's setuptools
where it is recent enough); "in the wheel" is each part's compressed size in the zip, "installed" its files' bytes.

Reproduce: `python -m benchmarks size [--quick]`
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from benchmarks.common import megabytes, print_table
from benchmarks.models import speed_models

REPOSITORY = Path(__file__).resolve().parents[1]
NOT_SOURCE = [".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "runs", ".*cache", ".hypothesis"]
WHEEL_PARTS = {  # prefix in the wheel → what it is
    "lstm_edge/models/": "the shipped models (float32 and int8)",
    "lstm_edge/train/data/": "the built-in corpus",
}


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
    wheel_table()


def wheel_table() -> None:
    with tempfile.TemporaryDirectory() as root:
        source = Path(root) / "lstm-edge"
        shutil.copytree(REPOSITORY, source, ignore=shutil.ignore_patterns(*NOT_SOURCE, "node_modules"))
        command = [sys.executable, "-m", "build", "--wheel", *_isolation(), "--outdir", f"{root}/out", str(source)]
        subprocess.run(command, check=True, capture_output=True)
        (wheel,) = Path(root, "out").glob("*.whl")
        wheel_bytes = wheel.stat().st_size
        parts: dict[str, list[int]] = {}  # part → [files, compressed, installed]
        with zipfile.ZipFile(wheel) as archive:
            for info in archive.infolist():
                part = next((n for p, n in WHEEL_PARTS.items() if info.filename.startswith(p)), "code and metadata")
                counts = parts.setdefault(part, [0, 0, 0])
                counts[0] += 1
                counts[1] += info.compress_size
                counts[2] += info.file_size
    rows = [[part, files, megabytes(packed), megabytes(size)] for part, (files, packed, size) in parts.items()]
    total = [sum(counts[i] for counts in parts.values()) for i in range(3)]
    rows.append([f"**{wheel.name}**", total[0], megabytes(wheel_bytes), megabytes(total[2])])
    print_table(
        "The wheel a device installs (`pip install lstm-edge`), by part",
        ["part", "files", "in the wheel (MB)", "installed (MB)"],
        rows,
        "python -m benchmarks size",
    )


def _isolation() -> list[str]:
    """This venv's setuptools when it can build the project (no index needed), else build's own env."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        major = int(version("setuptools").split(".")[0])
    except (PackageNotFoundError, ValueError):
        return []
    return ["--no-isolation"] if major >= 77 else []  # pyproject.toml: requires = ["setuptools>=77"]


def _accuracies(quantization: dict) -> str:
    fp32, int8 = quantization.get("val_accuracy_fp32"), quantization.get("val_accuracy")
    return f"{fp32:.4f} → {int8:.4f}" if fp32 is not None and int8 is not None else "—"

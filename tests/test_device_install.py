"""Device proof: the package installs without extras into a fresh virtual environment and generates there.

The repository is copied first (without its venv, caches and build outputs) so that pip's in-tree
build writes its `build/` and `*.egg-info` into the copy, not into the working tree.
numpy, onnxruntime and click come from the package index; pip's cache is kept.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lstm_edge.runtime.generator import Generator

REPOSITORY = Path(__file__).resolve().parents[1]
NOT_SOURCE = [".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "runs", ".*cache", ".hypothesis"]

pytestmark = pytest.mark.slow


def device_env() -> dict[str, str]:
    """The environment without anything that would leak this venv's packages into the device's."""
    return {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}


def run(command: list[str | Path], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, cwd=cwd, env=device_env(), timeout=timeout
    )


@pytest.fixture(scope="module")
def device(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding `pip install <repository>` (no extras); returns its bin directory."""
    root = tmp_path_factory.mktemp("device")
    source = root / "lstm-edge"
    shutil.copytree(REPOSITORY, source, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    created = run([sys.executable, "-m", "venv", root / "venv"], cwd=root)
    assert created.returncode == 0, created.stderr
    bin_dir = root / "venv" / "bin"
    installed = run([bin_dir / "python", "-m", "pip", "install", source], cwd=root, timeout=900)
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
    return bin_dir


def test_the_device_has_no_training_stack(device: Path, tmp_path: Path):
    for module in ("torch", "pandas", "onnx"):
        imported = run([device / "python", "-c", f"import {module}"], cwd=tmp_path)
        assert imported.returncode != 0, f"{module} is installed on the device"
        assert f"No module named '{module}'" in imported.stderr
    imported = run([device / "python", "-c", "import numpy, onnxruntime, click, lstm_edge.runtime"], cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr


def test_lstm_gen_runs_on_the_device(device: Path, tiny_model: Path, tmp_path: Path):
    result = run([device / "lstm-gen", "--model", tiny_model, "A cream coat"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == Generator(tiny_model).generate("A cream coat").text + "\n"


def test_lstm_gen_runs_the_shipped_model_on_the_device(device: Path, tmp_path: Path):
    result = run([device / "lstm-gen", "A cream coat"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("A cream coat") and len(result.stdout.split()) > 3


def test_generation_on_the_device_imports_no_training_stack(device: Path, tiny_model: Path, tmp_path: Path):
    code = (
        "import sys\n"
        "from lstm_edge.runtime.generator import Generator\n"
        "print(Generator(sys.argv[1]).generate('A cream coat').text)\n"
        "heavy = sorted({'torch', 'pandas', 'onnx'} & set(sys.modules))\n"
        "assert not heavy, heavy\n"
    )
    result = run([device / "python", "-c", code, tiny_model], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()

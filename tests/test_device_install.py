"""Device proof: the wheel builds, installs without extras into fresh virtual environments — on this
Python and on the oldest and newest the project supports, where they are installed — and generates there.

The repository is copied first (without its venv, caches and build outputs) and the wheel and sdist are
built from the copy with `python -m build`. numpy, onnxruntime and click come from the package index;
the training stack (torch) has no offline build for the other Pythons, so those run the runtime's part
of the suite: the tokenizer tests and generation from the shipped and the tiny model.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from lstm_edge.runtime.generator import Generator

REPOSITORY = Path(__file__).resolve().parents[1]
NOT_SOURCE = [
    ".git",
    ".venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    "runs",
    ".*cache",
    ".hypothesis",
    "node_modules",
]
OLDEST, NEWEST = (3, 10), (3, 13)  # requires-python >= 3.10; the newest CPython onnxruntime publishes wheels for

pytestmark = pytest.mark.slow


def device_env() -> dict[str, str]:
    """The environment without anything that would leak this venv's packages into the device's."""
    return {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}


def run(command: list[str | Path], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, cwd=cwd, env=device_env(), timeout=timeout
    )


def find_python(version: tuple[int, int]) -> str | None:
    """An interpreter of `version`: on PATH, or among pyenv's installed versions."""
    name = f"python{version[0]}.{version[1]}"
    root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    for candidate in [shutil.which(name), *sorted(glob.glob(f"{root}/versions/{version[0]}.{version[1]}*/bin/{name}"))]:
        if candidate:
            probe = subprocess.run(
                [candidate, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True
            )
            if probe.returncode == 0 and probe.stdout.strip() == str(version):
                return candidate
    return None


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`python -m build` (wheel and sdist) of a copy of the repository; returns the output folder."""
    root = tmp_path_factory.mktemp("dist")
    source = root / "lstm-edge"
    shutil.copytree(REPOSITORY, source, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    built = run([sys.executable, "-m", "build", "--outdir", root / "out", source], cwd=root, timeout=900)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return root / "out"


def test_wheel_and_sdist_carry_the_model_corpus_and_type_marker(dist: Path):
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "lstm_edge/__init__.py",
        "lstm_edge/py.typed",
        "lstm_edge/models/fashion-lstm.onnx",
        "lstm_edge/models/fashion-lstm.int8.onnx",
        "lstm_edge/train/data/fashion_descriptions.csv.xz",
        "lstm_edge/runtime/generator.py",
    ):
        assert expected in names, expected
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/", "dev/", "tools/"))]
    assert not [n for n in names if n.endswith(".csv")], "the built-in corpus ships compressed"
    with tarfile.open(sdist) as archive:
        members = {Path(*Path(m).parts[1:]).as_posix() for m in archive.getnames()}
    assert {"pyproject.toml", "models/fashion-lstm.onnx", "runtime/contract.py", "lstm_edge/py.typed"} <= members


INTERPRETERS = {"this Python": sys.executable, "oldest supported": OLDEST, "newest supported": NEWEST}


@pytest.fixture(scope="module", params=list(INTERPRETERS))
def device(request: pytest.FixtureRequest, dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the wheel (no extras); returns its bin directory."""
    wanted = INTERPRETERS[request.param]
    python = wanted if isinstance(wanted, str) else find_python(wanted)
    if python is None:
        pytest.skip(f"Python {wanted[0]}.{wanted[1]} is not installed here (looked on PATH and in pyenv)")
    root = tmp_path_factory.mktemp("device")
    created = run([python, "-m", "venv", root / "venv"], cwd=root)
    assert created.returncode == 0, created.stderr
    bin_dir = root / "venv" / "bin"
    (wheel,) = dist.glob("*.whl")
    installed = run([bin_dir / "python", "-m", "pip", "install", wheel, "pytest", "hypothesis"], cwd=root, timeout=900)
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
    assert result.stdout == Generator().generate("A cream coat").text + "\n"


def test_lstm_eval_runs_on_the_device(device: Path, tiny_export, tmp_path: Path):
    """fp32 vs int8 on the training run's own held-out rows, on a device without torch or pandas."""
    import json

    from click.testing import CliRunner

    from lstm_edge.runtime.eval_cli import main

    args = [str(tiny_export.model), str(tiny_export.int8_model), "--split", "validation", "--json"]
    result = run([device / "lstm-eval", *args], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    here = CliRunner().invoke(main, args)
    device_figures, local_figures = json.loads(result.stdout)["models"], json.loads(here.stdout)["models"]
    for on_device, local in zip(device_figures, local_figures, strict=True):  # numpy builds may sum differently
        assert on_device.keys() == local.keys()
        for key, value in local.items():
            assert on_device[key] == (value if value is None or isinstance(value, str) else pytest.approx(value)), key


def test_lstm_eval_finds_the_shipped_models_split_in_the_installed_corpus(device: Path, tmp_path: Path):
    """The wheel's corpus is xz; the shipped model names it by the sha256 of the CSV inside, so it matches."""
    import json

    where = "from lstm_edge.runtime.model_file import default_model_path; print(default_model_path())"
    model = run([device / "python", "-c", where], cwd=tmp_path).stdout.strip()
    result = run([device / "lstm-eval", model, "--split", "validation", "--rows", "20", "--json"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)["data"]
    assert Path(data["path"]).parts[-4:] == ("lstm_edge", "train", "data", "fashion_descriptions.csv.xz")
    assert data["texts"] == 20 and "site-packages" in data["path"]


def test_generation_on_the_device_imports_no_training_stack(device: Path, tiny_model: Path, tmp_path: Path):
    code = (
        "import sys\n"
        "import lstm_edge\n"
        "print(lstm_edge.Generator(sys.argv[1]).generate('A cream coat').text)\n"
        "heavy = sorted({'torch', 'pandas', 'onnx'} & set(sys.modules))\n"
        "assert not heavy, heavy\n"
    )
    result = run([device / "python", "-c", code, tiny_model], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


def test_the_tokenizer_suite_passes_on_the_device(device: Path, tmp_path: Path):
    """The tokenizer's tests (hypothesis included) against the installed wheel, from a folder of its own
    so the repository cannot shadow the installed package."""
    shutil.copy(REPOSITORY / "tests" / "test_tokenizer.py", tmp_path)
    result = run(
        [device / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_tokenizer.py"],
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:]

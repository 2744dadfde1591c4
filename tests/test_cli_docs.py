"""docs/cli.md is generated from the commands' `--help`; this fails when someone changed a command and
forgot `make docs` — and checks every command answers `--version` with the package's version."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import lstm_edge

ROOT = Path(__file__).resolve().parents[1]


def test_cli_reference_is_up_to_date():
    result = subprocess.run(
        [sys.executable, "tools/cli_docs.py", "--check"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("module", ["lstm_edge.train", "lstm_edge.export", "lstm_edge.runtime"])
def test_every_command_reports_the_package_version(module: str):
    result = subprocess.run([sys.executable, "-m", module, "--version"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(f"(lstm-edge) {lstm_edge.__version__}")


def test_import_lstm_edge_is_cheap_and_exposes_the_api():
    code = (
        "import sys, lstm_edge; heavy = {'numpy', 'onnxruntime', 'torch', 'click'} & set(sys.modules); "
        "print(sorted(heavy)); print(lstm_edge.Generator.__module__, lstm_edge.LstmEdgeError.__module__)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == ["[]", "lstm_edge.runtime.generator lstm_edge.runtime.errors"]

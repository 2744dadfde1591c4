"""Hostile model files: each is refused with a one-line error, and outside data is never opened.

The crafted files (benchmarks/hostile.py) start from the shipped model and change one thing each. A file
that points at outside data points at a sentinel FIFO with a writer waiting on it: whoever opens it for
reading — our loader or onnxruntime — releases the writer, and the test sees it. The control test shows
that onnxruntime itself does open it, so the sentinel is real and the files are truly hostile.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import onnx
import pytest
from click.testing import CliRunner

from benchmarks.hostile import CASES, PATH_CASES, Case, Sentinel, path_cases, set_metadata, shipped_model
from lstm_edge.runtime import contract
from lstm_edge.runtime.cli import main as gen_main
from lstm_edge.runtime.errors import ModelFileError
from lstm_edge.runtime.generator import Generator
from lstm_edge.runtime.model_file import load_model

LSTM_GEN = Path(sys.executable).parent / "lstm-gen"


@pytest.fixture(scope="module")
def base() -> onnx.ModelProto:
    return shipped_model()


def build(case: Case, base: onnx.ModelProto, directory: Path) -> Path:
    path = directory / "model.onnx"
    path.write_bytes(case.build(copy.deepcopy(base), directory / "sentinel.bin"))
    return path


def assert_one_line_cli_error(path: Path, message: str) -> None:
    result = CliRunner().invoke(gen_main, ["--model", str(path), "A cream coat"])
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_crafted_model_is_refused_in_one_line(case: Case, base, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)  # onnxruntime resolves outside data of a model read from bytes here
    sentinel = Sentinel(tmp_path / "sentinel.bin") if case.sentinel else None
    path = build(case, base, tmp_path)
    with pytest.raises(ModelFileError) as raised:
        generator = Generator(path)
        generator.generate("A cream coat")  # `at_run` cases pass vetting: onnxruntime refuses them here
    message = str(raised.value)
    assert type(raised.value).__name__ == case.error, message
    assert message.startswith(f"{path}: ") and case.message in message, message
    assert "\n" not in message and len(message) < 1000
    assert_one_line_cli_error(path, case.message)
    if sentinel is not None:
        assert not sentinel.opened(), "the outside-data file was opened"


def test_the_numpy_backend_refuses_every_crafted_file_too(base, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The numpy backend reads the weights itself: what passes vetting and is still wrong, it refuses."""
    monkeypatch.chdir(tmp_path)
    for index, case in enumerate(CASES):
        directory = tmp_path / str(index)
        directory.mkdir()
        path = build(case, base, directory)
        with pytest.raises(ModelFileError) as raised:
            Generator(path, backend="numpy").generate("A cream coat")
        assert str(raised.value).startswith(f"{path}: ") and "\n" not in str(raised.value), case.name
        if not case.at_run:  # the same vetting, whichever backend runs
            assert case.message in str(raised.value), case.name


@pytest.mark.parametrize("name", ["initializer with outside data", "function (called)"])
def test_control_onnxruntime_itself_opens_the_outside_file(name: str, base, tmp_path: Path):
    """Without our vetting, onnxruntime opens the file a crafted model names: the sentinel sees it."""
    case = next(case for case in CASES if case.name == name)
    sentinel = Sentinel(tmp_path / "sentinel.bin")
    path = build(case, base, tmp_path)
    code = (
        "import onnxruntime, sys\n"
        "try:\n"
        "    onnxruntime.InferenceSession(open(sys.argv[1], 'rb').read())\n"
        "except Exception:\n"
        "    pass\n"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], cwd=tmp_path, capture_output=True, timeout=120, check=True)
    assert sentinel.opened(wait=5)


def test_the_catalogue_covers_every_place_outside_data_can_hide():
    names = {case.name for case in CASES if case.group == "outside data"}
    for place in ["initializer", "sparse initializer", "Constant value", "Constant sparse_value", "tensors attribute"]:
        assert any(name.startswith(place) for name in names), place
    for place in ["If subgraph", "Loop body", "nested", "function", "training_info"]:
        assert any(place in name for name in names), place
    assert len(CASES) >= 60


# --- what the path names: never a file we could block on, read forever, or that is not ours ---


@pytest.mark.parametrize("name", PATH_CASES)
def test_a_path_that_is_no_model_file_is_refused_in_one_line(name: str, tmp_path: Path):
    cases, fifo = path_cases(tmp_path)
    path, message = cases[name]
    with pytest.raises(ModelFileError) as raised:
        load_model(path)
    assert str(raised.value).startswith(f"{path}: {message}")
    assert_one_line_cli_error(path, message)
    assert not fifo.opened()  # whichever case ran


def test_a_nul_in_the_name_is_a_model_file_error():
    with pytest.raises(ModelFileError, match="not a valid file name"):
        load_model("model\0.onnx")


def test_a_non_utf8_file_name_gives_valid_json_info(tmp_path: Path):
    from lstm_edge.runtime.model_file import default_model_path

    name = os.fsdecode(b"model-\xff.onnx")
    (tmp_path / name).write_bytes(default_model_path().read_bytes())
    result = CliRunner().invoke(gen_main, ["--model", str(tmp_path / name), "--info", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout_bytes.decode("utf-8"))["path"].endswith("model-\ufffd.onnx")


# --- metadata the runtime only shows: wrong types and control characters load, and print safely ---


def test_info_prints_wrong_typed_and_hostile_metadata_on_one_line_each(base, tmp_path: Path):
    model = copy.deepcopy(base)
    training = {
        "epochs_trained": {"nested": [1, 2]},
        "stop_reason": "\x1b[2J\x1b[31mall clear\nInjected: line",
        "corpus": ["not", "an", "object"],
        "val_accuracy": "high",
        "best_epoch": None,
    }
    set_metadata(
        model,
        {
            contract.KEY_TRAINING: json.dumps(training),
            contract.KEY_VERSIONS: json.dumps("1.0"),
            contract.KEY_QUANTIZATION: json.dumps({"type": ["int8"], "greedy_agreement": "all"}),
            "lstm_edge.size_bytes": '"a lot"',
            "lstm_edge.path": "/etc/passwd",
        },
    )
    path = tmp_path / "model.onnx"
    onnx.save(model, path)
    result = CliRunner().invoke(gen_main, ["--model", str(path), "--info"])
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()
    assert len(rows) == 9, rows  # … Validation, Decoding, Quantization
    assert not any(char in result.stdout for char in "\x1b\r"), result.stdout
    assert (
        rows[0].split(":", 1)[1].strip().startswith(f"{path} ({path.stat().st_size / 1e6:.2f} MB)")
    )  # not the metadata's
    assert "\\x1b[2J\\x1b[31mall clear Injected: line" in result.stdout
    info = json.loads(CliRunner().invoke(gen_main, ["--model", str(path), "--info", "--json"]).stdout)
    assert info["path"] == str(path) and isinstance(info["size_bytes"], int)
    assert info["training"]["stop_reason"] == training["stop_reason"]


# --- the real console script ---


def test_the_console_script_reports_crafted_files_in_one_line(base, tmp_path: Path):
    command = [str(LSTM_GEN)] if LSTM_GEN.is_file() else [sys.executable, "-m", "lstm_edge.runtime"]
    for case in [c for c in CASES if c.name in ("Constant sparse_value (values)", "embedding of 5 rows")]:
        directory = tmp_path / str(CASES.index(case))
        directory.mkdir()
        path = build(case, base, directory)
        done = subprocess.run(
            [*command, "--model", str(path), "A cream coat"], capture_output=True, text=True, timeout=120, cwd=directory
        )
        assert done.returncode == 1, done.stderr
        assert done.stdout == ""
        assert done.stderr.startswith(f"Error: {path}: ") and done.stderr.count("\n") == 1, done.stderr


# --- the browser module's port of the reader refuses the same files with the same words ----------------


def test_the_web_module_refuses_every_crafted_file_with_pythons_message(base, tmp_path: Path):
    """web/lib/onnx-proto.mjs and model-file.mjs vet as the runtime does (under Node; skipped without it)."""
    from web import drivers

    try:
        drivers.ensure_node_modules()
    except drivers.Unavailable as reason:
        pytest.skip(str(reason))
    vetted = [case for case in CASES if not case.at_run and case.group != "onnxruntime"]
    paths = []
    for index, case in enumerate(vetted):
        directory = tmp_path / str(index)
        directory.mkdir()
        paths.append(build(case, base, directory))
    results = drivers.harness({"op": "load", "models": [str(path) for path in paths]})
    for case, path, result in zip(vetted, paths, results, strict=True):
        with pytest.raises(ModelFileError) as refused:
            load_model(path)
        assert not result["ok"], case.name
        javascript = re.sub(r"is not valid JSON \((.*?); ", "is not valid JSON (…; ", result["message"])
        python = re.sub(r"is not valid JSON \((.*?); ", "is not valid JSON (…; ", str(refused.value))
        assert (result["error"], javascript) == (type(refused.value).__name__, python), case.name

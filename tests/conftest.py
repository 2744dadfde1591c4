"""Shared fixtures: small corpora and one tiny trained run that export and runtime tests build on."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pytest

REVIEWS_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "womens_clothing_reviews_1000.csv"
TINY_MODEL_OPTIONS = ["--embedding-dim", "16", "--hidden-sizes", "32,16", "--dense-size", "16"]
PINNED = ["--dropout", "0", "--min-count", "1"]  # the tiny run's training, apart from the defaults


def write_csv(path: Path, rows: list[str], column: str = "description") -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([column])
        writer.writerows([row] for row in rows)
    return path


@pytest.fixture(scope="session", autouse=True)
def one_torch_thread():
    """PyTorch runs here are tiny; with two threads on a busy 2-core machine they wait on each other.
    (Runtime-only test runs, on a device or another Python, have no torch: nothing to set.)"""
    try:
        import torch
    except ImportError:
        yield
        return

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def small_descriptions() -> list[str]:
    from lstm_edge.train.catalogue import generate_descriptions

    return generate_descriptions(300, seed=7)


@pytest.fixture()
def small_csv(tmp_path: Path, small_descriptions: list[str]) -> Path:
    return write_csv(tmp_path / "small.csv", small_descriptions)


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory: pytest.TempPathFactory, small_descriptions: list[str]) -> Path:
    """A run directory trained for a few epochs on 300 descriptions with a tiny network, without dropout
    and with every word in its vocabulary up to 900 (the tests built on it were tuned on that model)."""
    from click.testing import CliRunner

    from lstm_edge.train.cli import main

    root = tmp_path_factory.mktemp("tiny")
    data = write_csv(root / "data.csv", small_descriptions)
    out = root / "run"
    result = CliRunner().invoke(
        main,
        [
            "--data",
            str(data),
            "--out",
            str(out),
            "--epochs",
            "4",
            "--quiet",
            "--seed",
            "1",
            "--max-vocab",  # below contract.MAX_WORDS: a test bans every word once said and must run out
            "900",
            *TINY_MODEL_OPTIONS,
            *PINNED,
        ],
    )
    assert result.exit_code == 0, result.output
    return out


# --- exported models: the tiny run as ONNX files, and broken copies of them ---


@dataclass(frozen=True)
class TinyExport:
    model: Path  # float32
    int8_model: Path  # its int8 twin beside it
    output: str  # what lstm-export printed


@pytest.fixture(scope="session")
def tiny_export(tmp_path_factory: pytest.TempPathFactory, tiny_run: Path) -> TinyExport:
    """`lstm-export tiny_run -o …/model.onnx --quantize int8 --force`, once per session; decoding plain greedy
    (the tiny model loops, so measuring would pick a rule; the runtime tests compare with PyTorch's greedy)."""
    from click.testing import CliRunner

    from lstm_edge.export.cli import main

    out = tmp_path_factory.mktemp("tiny-export") / "model.onnx"
    options = ["--quantize", "int8", "--force", "--no-repeat-ngram", "0"]
    result = CliRunner().invoke(main, [str(tiny_run), "-o", str(out), *options])
    assert result.exit_code == 0, result.output
    return TinyExport(out, out.with_name("model.int8.onnx"), result.output)


@pytest.fixture(scope="session")
def tiny_model(tiny_export: TinyExport) -> Path:
    """The tiny run exported to float32 ONNX (`model.int8.onnx` lies beside it)."""
    return tiny_export.model


def _rewrite_metadata(source: Path, target: Path, changes: dict[str, str | None]) -> None:
    """Copy an ONNX file with some of its `metadata_props` replaced (None: removed)."""
    import onnx

    model = onnx.load(source)
    entries: dict[str, str | None] = {prop.key: prop.value for prop in model.metadata_props}
    entries.update(changes)
    del model.metadata_props[:]
    for key, value in entries.items():
        if value is None:
            continue
        model.metadata_props.add(key=key, value=value)
    onnx.save(model, target)


@dataclass(frozen=True)
class BadModel:
    path: Path
    message: str  # what the one-line error says after "PATH: "
    error: str  # the exception class name the loader raises


@pytest.fixture(scope="session")
def bad_models(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path) -> dict[str, BadModel]:
    """Model files the runtime must refuse, each with the start of its error message."""
    import hashlib
    import json
    import random

    import onnx
    from onnx import TensorProto, helper

    from lstm_edge.runtime import contract

    root = tmp_path_factory.mktemp("bad-models")
    data = tiny_model.read_bytes()
    metadata = {prop.key: prop.value for prop in onnx.load(tiny_model).metadata_props}
    bad: dict[str, BadModel] = {}

    def add(name: str, message: str, error: str = "ModelFileError") -> Path:
        bad[name] = BadModel(root / f"{name}.onnx", message, error)
        return bad[name].path

    add("missing", "no such model file")
    add("directory", "is a directory, expected an .onnx file").mkdir()
    add("empty", "the file is empty").write_bytes(b"")
    add("truncated", "not an ONNX model, or a truncated one").write_bytes(data[: len(data) // 2])
    add("random-bytes", "not an ONNX model, or a truncated one").write_bytes(random.Random(0).randbytes(4096))
    add("text", "not an ONNX model, or a truncated one").write_text("A cream coat, not a model.\n" * 20)
    external = add("external-data", "keeps tensor data in an outside file", "ForbiddenContent")
    onnx.save_model(
        onnx.load(tiny_model), external, save_as_external_data=True, location="weights.bin", size_threshold=0
    )
    identity = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])],
        "foreign",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])],
    )
    onnx.save(helper.make_model(identity), add("foreign", "an ONNX model without lstm-edge metadata"))

    tokenizer = json.loads(metadata[contract.KEY_TOKENIZER])
    short = json.dumps({**tokenizer, "vocabulary": tokenizer["vocabulary"][:-1]})
    size = len(tokenizer["vocabulary"])
    mismatch = f"the vocabulary has {size - 1} words but the logits are {size} wide"
    _rewrite_metadata(
        tiny_model,
        add("vocabulary-mismatch", mismatch, "VocabularyMismatch"),
        {contract.KEY_TOKENIZER: short, contract.KEY_TOKENIZER_SHA256: hashlib.sha256(short.encode()).hexdigest()},
    )
    altered = add("tokenizer-altered", "tokenizer does not match its sha256; the file was altered")
    _rewrite_metadata(tiny_model, altered, {contract.KEY_TOKENIZER: short})
    version = add("format-version", "model format version '2' is not supported")
    _rewrite_metadata(tiny_model, version, {contract.KEY_FORMAT_VERSION: "2"})
    architecture = add("architecture-json", f"metadata {contract.KEY_ARCHITECTURE} is not valid JSON")
    _rewrite_metadata(tiny_model, architecture, {contract.KEY_ARCHITECTURE: "{not json"})
    incomplete = add("architecture-incomplete", f"metadata {contract.KEY_ARCHITECTURE} is incomplete")
    _rewrite_metadata(tiny_model, incomplete, {contract.KEY_ARCHITECTURE: json.dumps({"vocab_size": size})})
    lacking = add("metadata-lacks-key", f"metadata lacks {contract.KEY_GENERATION}")
    _rewrite_metadata(tiny_model, lacking, {contract.KEY_GENERATION: None})
    return bad

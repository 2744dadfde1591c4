"""lstm-export end to end: the report, the graph, the metadata, parity with PyTorch, int8, and every refusal."""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
import torch
from click.testing import CliRunner
from onnx.external_data_helper import uses_external_data

from lstm_edge.export.cli import main
from lstm_edge.export.exporter import QuantizationRefused, export_model
from lstm_edge.export.quantize import MIN_AGREEMENT
from lstm_edge.runtime import contract
from lstm_edge.runtime.generator import Generator
from lstm_edge.runtime.model_file import load_model
from lstm_edge.runtime.tokenizer import BOS_ID, SPECIAL_TOKENS, Tokenizer
from lstm_edge.train.batching import split_by_description
from lstm_edge.train.checkpoint import load_checkpoint, model_from_checkpoint
from lstm_edge.train.config import TrainConfig

TOLERANCE = 1e-4  # the issue's, stated here again rather than read from the code under test


def export_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def metadata_of(path: Path) -> dict[str, str]:
    return {prop.key: prop.value for prop in onnx.load(path).metadata_props}


def plain_session(path: Path) -> onnxruntime.InferenceSession:
    """An onnxruntime session opened directly, not through the runtime's loader."""
    return onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])


OUTPUTS = ["logits", "h_out_0", "c_out_0", "h_out_1", "c_out_1"]  # of a two-layer model


def state_names(layers: int) -> list[str]:
    """h_in_0, c_in_0, …: spelled out here, so the tests check the contract instead of reusing it."""
    return [f"{kind}_in_{i}" for i in range(layers) for kind in "hc"]


def zero_state(hidden_sizes: list[int] | tuple[int, ...], batch: int) -> dict[str, np.ndarray]:
    sizes = [size for size in hidden_sizes for _ in ("h", "c")]
    return {
        name: np.zeros((batch, size), np.float32)
        for name, size in zip(state_names(len(sizes) // 2), sizes, strict=True)
    }


@pytest.fixture(scope="module")
def checkpoint(tiny_run: Path) -> dict:
    return load_checkpoint(tiny_run / "best.pt")


@pytest.fixture(scope="module")
def history(tiny_run: Path) -> dict:
    return json.loads((tiny_run / "history.json").read_text())


def all_nodes(graph: onnx.GraphProto) -> list[onnx.NodeProto]:
    """The graph's nodes and those of its subgraphs (If branches), depth first."""
    nodes = []
    for node in graph.node:
        nodes.append(node)
        for attribute in node.attribute:
            if attribute.type == onnx.AttributeProto.GRAPH:
                nodes += all_nodes(attribute.g)
            for subgraph in attribute.graphs:
                nodes += all_nodes(subgraph)
    return nodes


# --- the CLI and its report ---


def test_export_writes_a_verified_model_next_to_the_run_and_prints_the_report(tiny_run: Path, tmp_path: Path):
    run = tmp_path / "run"
    run.mkdir()
    shutil.copy(tiny_run / "best.pt", run / "best.pt")
    code, output = export_cli(str(run))
    assert code == 0, output
    model = run / "model.onnx"
    lines = output.splitlines()
    assert lines[0] == f"Exported {run / 'best.pt'} → {model}"
    assert lines[1] == f"  file size            {model.stat().st_size / 1e6:.3f} MB"
    assert re.fullmatch(
        r"  max \|logits\| diff    \d\.\d\de-\d\d \(onnxruntime vs PyTorch, tolerance \d\.\de-0\d\)", lines[2]
    )
    assert float(lines[2].split()[3]) <= TOLERANCE
    assert "  greedy agreement     24/24 continuations identical" in lines
    assert lines[lines.index("  greedy agreement     24/24 continuations identical") + 1].startswith(
        "  decoding default     "  # measured, and the trials listed after it (tests/test_decoding.py)
    )
    assert sorted(p.name for p in run.iterdir()) == ["best.pt", "model.onnx"]  # no temporary file left
    load_model(model)


def test_quantize_int8_writes_a_smaller_checked_twin(tiny_export, tiny_run: Path):
    output = tiny_export.output
    assert f"Quantized → {tiny_export.int8_model}" in output.splitlines()
    fp32_bytes, int8_bytes = tiny_export.model.stat().st_size, tiny_export.int8_model.stat().st_size
    assert int8_bytes < fp32_bytes / 2
    assert f"  size                 {fp32_bytes / 1e6:.3f} MB float32 → {int8_bytes / 1e6:.3f} MB int8" in output
    quantization = load_model(tiny_export.int8_model).info()["quantization"]
    assert quantization["type"] == "int8-dynamic"
    assert quantization["reduce_range"] is True
    assert quantization["size_bytes_fp32"] == fp32_bytes
    assert quantization["held_out"] == "60 validation descriptions"  # found the run's corpus again
    agreement = quantization["greedy_agreement"]
    positions = quantization["agreement_positions"]
    assert (
        f"  greedy agreement     {agreement:.2%} of {positions:,} held-out steps (60 validation descriptions)"
        in output.splitlines()
    )
    assert load_model(tiny_export.model).info()["quantization"] == {"type": "none"}


def test_int8_agreement_in_the_metadata_is_what_the_files_do(tiny_export, checkpoint: dict):
    """Our own measurement: both files read the validation descriptions one step at a time."""
    corpus = checkpoint["corpus"]
    config = TrainConfig.from_dict(checkpoint["train_config"])
    texts = [row["description"] for row in _csv_rows(Path(corpus["source"]))]
    _, validation = split_by_description(texts, config.val_fraction, config.split_seed)
    tokenizer = Tokenizer.from_json(checkpoint["tokenizer"])
    hidden_sizes = checkpoint["model_config"]["hidden_sizes"]
    choices = []
    for path in (tiny_export.model, tiny_export.int8_model):
        session, picked = plain_session(path), []
        for text in validation:
            state = zero_state(hidden_sizes, 1)
            for token in tokenizer.encode(text, add_bos=True).ids:
                logits, *new_state = session.run(None, {contract.INPUT_IDS: np.array([[token]]), **state})
                state = dict(zip(state_names(len(hidden_sizes)), new_state, strict=True))
                logits[:, : BOS_ID + 1] = -np.inf
                picked.append(int(logits.argmax()))
        choices.append(np.array(picked))
    measured = float((choices[0] == choices[1]).mean())
    quantization = load_model(tiny_export.int8_model).info()["quantization"]
    assert quantization["agreement_positions"] == len(choices[0])
    assert measured == pytest.approx(quantization["greedy_agreement"], abs=0.005)
    assert measured >= MIN_AGREEMENT


def _csv_rows(path: Path) -> list[dict[str, str]]:
    import csv

    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# --- the graph ---


def test_graph_has_one_native_lstm_per_layer_and_dynamic_axes(tiny_model: Path, checkpoint: dict):
    graph = onnx.load(tiny_model)
    hidden_sizes = checkpoint["model_config"]["hidden_sizes"]
    assert [node.op_type for node in all_nodes(graph.graph)].count("LSTM") == len(hidden_sizes) == 2
    assert not any(node.op_type in ("Loop", "Scan") for node in all_nodes(graph.graph))  # not unrolled or looped
    assert [value.name for value in graph.graph.input] == ["input_ids", "h_in_0", "c_in_0", "h_in_1", "c_in_1"]
    assert [value.name for value in graph.graph.output] == ["logits", "h_out_0", "c_out_0", "h_out_1", "c_out_1"]
    for value in [*graph.graph.input, *graph.graph.output]:
        dims = value.type.tensor_type.shape.dim
        assert dims[0].dim_param, f"{value.name}: batch axis is fixed"
        if value.name == contract.INPUT_IDS:
            assert dims[1].dim_param, "input_ids: sequence axis is fixed"
    session = plain_session(tiny_model)
    vocab = checkpoint["model_config"]["vocab_size"]
    for length in (1, 30):
        ids = np.random.default_rng(length).integers(len(SPECIAL_TOKENS), vocab, size=(3, length))
        outputs = session.run(
            ["logits", "h_out_0", "c_out_0", "h_out_1", "c_out_1"],
            {contract.INPUT_IDS: ids, **zero_state(hidden_sizes, 3)},
        )
        assert [o.shape for o in outputs] == [(3, vocab), (3, 32), (3, 32), (3, 16), (3, 16)]
        assert all(o.dtype == np.float32 for o in outputs)


def test_model_is_one_self_contained_file_at_the_default_opset(tiny_model: Path):
    graph = onnx.load_model_from_string(tiny_model.read_bytes())  # no directory to look for side files in
    assert graph.graph.initializer
    assert not any(uses_external_data(tensor) for tensor in graph.graph.initializer)
    assert {o.domain: o.version for o in graph.opset_import}[""] == 17
    assert json.loads(metadata_of(tiny_model)[contract.KEY_VERSIONS])["opset"] == 17


def test_opset_18_is_honoured(tiny_run: Path, tmp_path: Path):
    out = tmp_path / "model.onnx"
    code, output = export_cli(str(tiny_run), "-o", str(out), "--opset", "18")
    assert code == 0, output
    assert {o.domain: o.version for o in onnx.load(out).opset_import}[""] == 18
    assert json.loads(metadata_of(out)[contract.KEY_VERSIONS])["opset"] == 18


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--opset", "99"], "Invalid value for '--opset': 99 is not in the range 14<=x<=20."),
        (["--opset", "13"], "Invalid value for '--opset': 13 is not in the range 14<=x<=20."),
        (["--min-agreement", "1.01"], "Invalid value for '--min-agreement': 1.01 is not in the range 0<=x<=1."),
        (["--quantize", "int4"], "Invalid value for '--quantize': 'int4' is not 'int8'."),
    ],
)
def test_out_of_range_options_are_usage_errors(tiny_run: Path, tmp_path: Path, args: list[str], message: str):
    code, output = export_cli(str(tiny_run), "-o", str(tmp_path / "model.onnx"), *args)
    assert code == 2
    assert output.splitlines()[-1] == f"Error: {message}"
    assert list(tmp_path.iterdir()) == []


# --- metadata ---


def test_metadata_round_trip(tiny_model: Path, checkpoint: dict, history: dict, tiny_run: Path):
    metadata = metadata_of(tiny_model)
    assert set(contract.REQUIRED_KEYS) <= set(metadata)
    assert metadata[contract.KEY_FORMAT_VERSION] == str(contract.FORMAT_VERSION)

    document = metadata[contract.KEY_TOKENIZER]
    assert json.loads(document) == json.loads(checkpoint["tokenizer"])
    assert Tokenizer.from_json(document) == Tokenizer.from_json(checkpoint["tokenizer"])
    assert metadata[contract.KEY_TOKENIZER_SHA256] == hashlib.sha256(document.encode()).hexdigest()

    architecture = json.loads(metadata[contract.KEY_ARCHITECTURE])
    assert {key: architecture[key] for key in checkpoint["model_config"]} == checkpoint["model_config"]
    assert architecture["state_inputs"] == ["h_in_0", "c_in_0", "h_in_1", "c_in_1"]
    assert architecture["state_outputs"] == ["h_out_0", "c_out_0", "h_out_1", "c_out_1"]
    assert architecture["state_shapes"]["c_in_1"] == ["batch", 16]

    generation = json.loads(metadata[contract.KEY_GENERATION])
    assert generation["max_words"] == contract.DEFAULT_WORDS
    assert generation["stop_token"] == "<eos>"
    assert generation["never_emit"] == ["<pad>", "<unk>", "<bos>"]

    training = json.loads(metadata[contract.KEY_TRAINING])
    data = Path(checkpoint["corpus"]["source"])
    assert (
        training["corpus"]["sha256"] == hashlib.sha256(data.read_bytes()).hexdigest() == checkpoint["corpus"]["sha256"]
    )
    assert training["epochs_trained"] == len(history["history"]) == 4
    best = history["history"][history["best_epoch"] - 1]
    assert training["best_epoch"] == history["best_epoch"]
    for key in ("val_loss", "val_perplexity", "val_accuracy"):
        assert training[key] == best[key], key

    versions = json.loads(metadata[contract.KEY_VERSIONS])
    assert versions["torch"] == torch.__version__
    assert versions["onnx"] == onnx.__version__
    assert versions["onnxruntime"] == onnxruntime.__version__


# --- parity, checked here rather than taken from the exporter's report ---


@torch.no_grad()
def test_onnxruntime_matches_pytorch_on_random_prompts(tiny_model: Path, checkpoint: dict):
    model, tokenizer = model_from_checkpoint(checkpoint)
    hidden_sizes = model.config.hidden_sizes
    names = state_names(len(hidden_sizes))
    session = plain_session(tiny_model)
    rng = np.random.default_rng(123)
    for batch in (1, 2):
        for length in (1, 3, 16):
            for random_state in (False, True):
                ids = rng.integers(len(SPECIAL_TOKENS), len(tokenizer), size=(batch, length))
                state = zero_state(hidden_sizes, batch)
                if random_state:
                    state = {name: rng.uniform(-1, 1, s.shape).astype(np.float32) for name, s in state.items()}
                pairs = [
                    (torch.from_numpy(state[h]), torch.from_numpy(state[c]))
                    for h, c in zip(names[::2], names[1::2], strict=True)
                ]
                expected_logits, expected_state = model(torch.from_numpy(ids), pairs)
                logits, *new_state = session.run(
                    ["logits", "h_out_0", "c_out_0", "h_out_1", "c_out_1"], {contract.INPUT_IDS: ids, **state}
                )
                assert np.abs(logits - expected_logits[:, -1].numpy()).max() < TOLERANCE
                flat = [tensor.numpy() for pair in expected_state for tensor in pair]
                assert max(np.abs(a - e).max() for a, e in zip(new_state, flat, strict=True)) < TOLERANCE


def test_step_by_step_equals_one_pass(tiny_model: Path, checkpoint: dict):
    hidden_sizes = checkpoint["model_config"]["hidden_sizes"]
    names = state_names(len(hidden_sizes))
    session = plain_session(tiny_model)
    ids = np.random.default_rng(5).integers(len(SPECIAL_TOKENS), 100, size=(2, 9))
    whole = session.run(None, {contract.INPUT_IDS: ids, **zero_state(hidden_sizes, 2)})
    state = zero_state(hidden_sizes, 2)
    for position in range(ids.shape[1]):
        stepped = session.run(None, {contract.INPUT_IDS: ids[:, position : position + 1], **state})
        state = dict(zip(names, stepped[1:], strict=True))
    for a, b in zip(whole, stepped, strict=True):
        assert np.abs(a - b).max() < TOLERANCE


def test_exported_file_generates_in_a_process_without_torch(tiny_model: Path, tmp_path: Path):
    code = (
        "import sys\n"
        "from lstm_edge.runtime.generator import Generator\n"
        "generation = Generator(sys.argv[1]).generate('A cream coat', 12)\n"
        "heavy = sorted({'torch', 'pandas', 'onnx'} & set(sys.modules))\n"
        "assert not heavy, heavy\n"
        "print(generation.text)\n"
    )
    process = subprocess.run(
        [sys.executable, "-c", code, str(tiny_model)], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert process.returncode == 0, process.stderr
    assert process.stdout == Generator(tiny_model).generate("A cream coat", 12).text + "\n"


# --- refusals ---


def test_failed_verification_fails_the_export_and_leaves_no_file(
    tiny_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr("lstm_edge.export.verify.TOLERANCE", -1.0)  # no difference can pass now
    monkeypatch.setattr("lstm_edge.export.verify.RELATIVE_TOLERANCE", -1.0)
    out = tmp_path / "out" / "model.onnx"
    code, output = export_cli(str(tiny_run), "-o", str(out))
    assert code == 1
    assert output.count("\n") == 1 and output.startswith("Error: onnxruntime and PyTorch differ: logits by "), output
    assert list(out.parent.iterdir()) == []  # neither the model nor its temporary file

    out.write_bytes(b"the previous model")
    code, output = export_cli(str(tiny_run), "-o", str(out))
    assert code == 1
    assert out.read_bytes() == b"the previous model"  # an older file survives a failed export untouched
    assert list(out.parent.iterdir()) == [out]


def _corrupt(tmp_path: Path, tiny_run: Path) -> dict[str, tuple[Path, str]]:
    """name → (source to export, what the one-line error must say)."""
    random_bytes = tmp_path / "random.pt"
    random_bytes.write_bytes(np.random.default_rng(0).bytes(4096))
    best = (tiny_run / "best.pt").read_bytes()
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(best[: len(best) // 2])
    checkpoint = torch.load(tiny_run / "best.pt", weights_only=True)
    version_99 = tmp_path / "version99.pt"
    torch.save({**checkpoint, "version": 99}, version_99)
    foreign = tmp_path / "foreign.pt"
    torch.save({"weights": torch.zeros(3)}, foreign)
    empty_run = tmp_path / "empty-run"
    empty_run.mkdir()
    missing = tmp_path / "no-such-run"
    return {
        "missing": (missing, f"{missing}: no such checkpoint file or run directory"),
        "random bytes": (random_bytes, f"{random_bytes}: not a checkpoint (not a PyTorch zip archive)"),
        "truncated": (truncated, f"{truncated}: not a readable checkpoint ("),
        "version 99": (
            version_99,
            f"{version_99}: checkpoint format version 99 is not supported by this lstm-edge (it reads version 1)",
        ),
        "foreign": (foreign, f"{foreign}: not an lstm-edge checkpoint"),
        "empty run": (empty_run, f"{empty_run}: directory holds no best.pt or last.pt; train with lstm-train first"),
    }


@pytest.mark.parametrize("case", ["missing", "random bytes", "truncated", "version 99", "foreign", "empty run"])
def test_bad_checkpoints_get_a_one_line_error(tiny_run: Path, tmp_path: Path, case: str):
    source, message = _corrupt(tmp_path, tiny_run)[case]
    out = tmp_path / "out" / "model.onnx"
    code, output = export_cli(str(source), "-o", str(out))
    assert code == 1
    assert output.count("\n") == 1 and output.startswith(f"Error: {message}"), output
    assert not out.parent.exists()


def test_unwritable_outputs_get_a_one_line_error(tiny_run: Path, tmp_path: Path):
    regular_file = tmp_path / "regular-file"
    regular_file.write_text("not a directory")
    for out, message in [
        (regular_file / "model.onnx", f"cannot write {regular_file / 'model.onnx'}: {regular_file} is not a directory"),
        (regular_file / "sub" / "model.onnx", f"cannot write {regular_file / 'sub' / 'model.onnx'}: Not a directory"),
        (tmp_path, f"cannot write {tmp_path}: it is a directory"),
    ]:
        code, output = export_cli(str(tiny_run), "-o", str(out))
        assert code == 1
        assert output == f"Error: {message}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["regular-file"]


def test_file_names_that_are_not_utf8_export_and_quantize(tiny_run: Path, tmp_path: Path):
    """onnx's checker and onnxruntime's quantizer open files from C++, which takes only UTF-8 paths: the
    checker gets the model's bytes, the quantizer a private directory with a UTF-8 name; a directory whose own
    name is not UTF-8 cannot host the quantizer and is refused before any work (the float32 export works)."""
    out = tmp_path / os.fsdecode(b"caf\xe9.onnx")
    code, output = export_cli(str(tiny_run), "-o", str(out), "--quantize", "int8", "--force", "--no-repeat-ngram", "0")
    assert code == 0, output
    for written in (out, tmp_path / os.fsdecode(b"caf\xe9.int8.onnx")):
        load_model(written)
    assert sorted(os.listdir(os.fsencode(tmp_path))) == [b"caf\xe9.int8.onnx", b"caf\xe9.onnx"]
    directory = tmp_path / os.fsdecode(b"d\xe9")
    code, output = export_cli(str(tiny_run), "-o", str(directory / "model.onnx"), "--quantize", "int8")
    assert code == 1
    assert output == (
        f"Error: cannot quantize into {tmp_path}/d\ufffd: its name is not UTF-8, which onnxruntime's quantizer "
        "cannot open; export into a directory with a UTF-8 name\n"
    )
    assert os.listdir(directory) == []
    code, output = export_cli(str(tiny_run), "-o", str(directory / "model.onnx"), "--no-repeat-ngram", "0")
    assert code == 0, output
    assert os.listdir(directory) == ["model.onnx"]


# --- int8 below the agreement threshold ---


def test_int8_below_the_threshold_is_refused_and_the_float32_file_stays(tiny_export, tiny_run: Path, tmp_path: Path):
    measured = load_model(tiny_export.int8_model).info()["quantization"]["greedy_agreement"]
    out = tmp_path / "model.onnx"
    with pytest.raises(QuantizationRefused) as refused:
        export_model(tiny_run, out, quantize=True, min_agreement=math.nextafter(measured, 2.0), log=lambda line: None)
    message = str(refused.value)
    assert message.startswith(f"int8 model agrees with float32 on {measured:.2%} of held-out steps, below ")
    assert "not written (pass --force to write it anyway)" in message
    assert message.endswith(f"{out} is written and verified")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.onnx"]  # no int8 file, no temporary file
    load_model(out)


def test_cli_refuses_int8_below_min_agreement_without_force(tiny_export, tiny_run: Path, tmp_path: Path):
    measured = load_model(tiny_export.int8_model).info()["quantization"]["greedy_agreement"]
    out = tmp_path / "model.onnx"
    code, output = export_cli(str(tiny_run), "-o", str(out), "--quantize", "int8", "--min-agreement", "1")
    if measured < 1.0:  # the tiny model's int8 twin changes a few top words (about 1% here)
        assert code == 1
        assert output.splitlines()[-1].startswith(f"Error: int8 model agrees with float32 on {measured:.1%}")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["model.onnx"]
    else:
        assert code == 0, output
        assert sorted(p.name for p in tmp_path.iterdir()) == ["model.int8.onnx", "model.onnx"]

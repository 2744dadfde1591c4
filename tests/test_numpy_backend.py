"""The numpy backend against onnxruntime: the same text, the same numbers, the same behaviour.

Parity is checked on the shipped model and on a freshly trained model with other layer sizes (three
LSTM layers): identical greedy text for more than 100 prompts, logits and states within 1e-4 (plus
float32 rounding at their magnitude, 2e-6 of it) after the
prompt and at every decode step. The int8 twin is computed differently on purpose (dequantized weights
in float32, where onnxruntime quantizes the activations too), so for it the test holds the share of
next words both backends pick to a floor. The numpy path never imports onnxruntime, and runs where
onnxruntime does not import at all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from lstm_edge.runtime import contract
from lstm_edge.runtime.cli import main
from lstm_edge.runtime.errors import BackendUnavailable, GenerationError, ModelFileError
from lstm_edge.runtime.generator import Generator, Sampling
from lstm_edge.runtime.model_file import default_model_path, load_model
from tests.conftest import write_csv

SHIPPED = default_model_path()
LOGIT_TOLERANCE = 1e-4
RELATIVE_TOLERANCE = 2e-6  # float32 rounding grows with the magnitude: the shipped model's logits reach -110


def assert_close(ours: np.ndarray, theirs: np.ndarray, what: str = "") -> None:
    """Within 1e-4, plus float32's rounding at the values' magnitude (as numpy.allclose)."""
    difference = np.abs(np.asarray(ours, dtype=np.float32) - theirs).max()
    allowed = LOGIT_TOLERANCE + RELATIVE_TOLERANCE * np.abs(theirs).max()
    assert difference <= allowed, f"{what}: {difference:.3g} > {allowed:.3g}"


MIN_PROMPTS = 100
THREE_LAYERS = ["--embedding-dim", "20", "--hidden-sizes", "24,20,12", "--dense-size", "14"]


@pytest.fixture(scope="session")
def three_layer_model(tmp_path_factory: pytest.TempPathFactory, small_descriptions: list[str]) -> Path:
    """A model trained for a few epochs with three LSTM layers of other sizes, exported with its int8 twin."""
    from lstm_edge.export.cli import main as export_main
    from lstm_edge.train.cli import main as train_main

    root = tmp_path_factory.mktemp("three-layers")
    data = write_csv(root / "data.csv", small_descriptions)
    run = root / "run"
    trained = CliRunner().invoke(
        train_main, ["--data", str(data), "--out", str(run), "--epochs", "3", "--quiet", "--seed", "3", *THREE_LAYERS]
    )
    assert trained.exit_code == 0, trained.output
    model = root / "model.onnx"
    exported = CliRunner().invoke(export_main, [str(run), "-o", str(model), "--quantize", "int8", "--force"])
    assert exported.exit_code == 0, exported.output
    return model


@pytest.fixture(scope="session")
def prompts() -> list[str]:
    """More than 100 prompts: the first one to four words of built-in descriptions, an empty one, unknown words."""
    from lstm_edge.train.catalogue import generate_descriptions

    found: list[str] = ["", "A purple zebra coat"]
    for index, description in enumerate(generate_descriptions(200, seed=11)):
        prompt = " ".join(description.split()[: 1 + index % 4])
        if prompt not in found:
            found.append(prompt)
    assert len(found) > MIN_PROMPTS
    return found


def model_paths(request: pytest.FixtureRequest, which: str) -> Path:
    if which == "shipped":
        if not SHIPPED.is_file():
            pytest.skip(f"no shipped model at {SHIPPED} (make model builds it)")
        return SHIPPED
    path: Path = request.getfixturevalue("three_layer_model")
    return path


@pytest.fixture(params=["shipped", "three-layers"])
def float_model(request: pytest.FixtureRequest) -> Path:
    return model_paths(request, request.param)


@pytest.fixture(params=["shipped", "three-layers"])
def int8_model(request: pytest.FixtureRequest) -> Path:
    return contract.int8_twin(model_paths(request, request.param))


def both(path: Path) -> tuple[Generator, Generator]:
    return Generator(path, backend="numpy"), Generator(path, backend="onnxruntime")


# --- parity -------------------------------------------------------------------------------------------


def test_greedy_text_is_identical_for_every_prompt(float_model: Path, prompts: list[str]):
    numpy_generator, ort_generator = both(float_model)
    batched = [g.text for g in numpy_generator.generate_many(prompts, 20)]
    assert batched == [g.text for g in ort_generator.generate_many(prompts, 20)]
    one_by_one = [numpy_generator.generate(prompt, 20).text for prompt in prompts[:40]]  # the batch-1 loop
    assert one_by_one == batched[:40]


def test_logits_and_state_agree_after_the_prompt_and_at_every_step(float_model: Path, prompts: list[str]):
    numpy_generator, ort_generator = both(float_model)
    for ours, theirs in zip(numpy_generator.prefill(prompts), ort_generator.prefill(prompts), strict=True):
        assert_close(ours.logits, theirs.logits, ours.prompt)
        for a, b in zip(ours.state, theirs.state, strict=True):
            assert_close(a, b, ours.prompt)
    decoders = [g.backend.decoder(len(prompts)) for g in (numpy_generator, ort_generator)]
    states = numpy_generator.prefill(prompts)
    for decoder in decoders:
        for tensor, column in zip(decoder.state, zip(*(s.state for s in states), strict=True), strict=True):
            tensor[:] = np.stack(column)
    ids = np.stack([s.logits for s in states]).argmax(axis=1)
    for _ in range(15):  # feed both the same words: onnxruntime's greedy choice
        for decoder in decoders:
            decoder.ids[:, 0] = ids
            decoder.step()
        assert_close(decoders[0].logits, decoders[1].logits, "a decode step")
        for a, b in zip(decoders[0].state, decoders[1].state, strict=True):
            assert_close(a, b, "a decode step")
        ids = decoders[1].logits.argmax(axis=1)


def test_one_run_of_a_whole_sequence_equals_step_by_step(float_model: Path):
    backend = load_model(float_model, backend="numpy").backend
    rng = np.random.default_rng(0)
    ids = rng.integers(0, backend.spec.vocab_size, (3, 9))
    whole_logits, whole_state = backend.run(ids, backend.spec.zero_state(3))
    state = backend.spec.zero_state(3)
    for position in range(ids.shape[1]):
        logits, state = backend.run(ids[:, position : position + 1], state)
    np.testing.assert_array_equal(logits, whole_logits)
    for a, b in zip(state, whole_state, strict=True):
        np.testing.assert_array_equal(a, b)


def test_sampling_streaming_and_prompt_reuse_behave_the_same(float_model: Path, prompts: list[str]):
    numpy_generator, ort_generator = both(float_model)
    chosen = prompts[:20]
    for seed in range(3):
        sampling = Sampling(temperature=0.8, top_k=20, top_p=0.95, seed=seed)
        ours = numpy_generator.generate_many(chosen, 12, sampling)
        assert [g.words for g in ours] == [g.words for g in ort_generator.generate_many(chosen, 12, sampling)]
    for prompt in chosen[:5]:
        streamed = list(numpy_generator.stream(prompt, 12))
        assert streamed == numpy_generator.generate(prompt, 12).words
        assert streamed == list(ort_generator.stream(prompt, 12))
    state = numpy_generator.prefill(["A silk scarf"])[0]
    draws = [numpy_generator.generate(state, 8, Sampling(temperature=1.0, seed=seed)).words for seed in range(3)]
    assert draws == [ort_generator.generate(state, 8, Sampling(temperature=1.0, seed=seed)).words for seed in range(3)]


def test_a_generator_is_shared_between_threads(prompts: list[str]):
    if not SHIPPED.is_file():
        pytest.skip("no shipped model")
    generator = Generator(SHIPPED, backend="numpy")
    expected = [g.text for g in generator.generate_many(prompts[:12], 15)]
    results: dict[int, list[str]] = {}

    def work(index: int) -> None:
        for _ in range(3):
            results[index] = [generator.generate(p, 15).text for p in prompts[:12]]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(texts == expected for texts in results.values()) and len(results) == 4


def test_int8_twin_picks_onnxruntime_int8s_next_word_almost_always(int8_model: Path):
    """Teacher-forced over built-in descriptions; both backends' int8 next words, and float32's."""
    from lstm_edge.train.catalogue import generate_descriptions

    numpy_int8, ort_int8 = (load_model(int8_model, backend=name) for name in ("numpy", "onnxruntime"))
    tokenizer = numpy_int8.tokenizer
    sequences = [tokenizer.encode(text, add_bos=True).ids for text in generate_descriptions(60, seed=5)]
    agree = total = 0
    for ids in sequences:
        batch = np.array([ids])
        state_a, state_b = numpy_int8.spec.zero_state(1), ort_int8.spec.zero_state(1)
        for position in range(batch.shape[1]):
            logits_a, state_a = numpy_int8.backend.run(batch[:, position : position + 1], state_a)
            logits_b, state_b = ort_int8.backend.run(batch[:, position : position + 1], state_b)
            chosen = [contract.mask_never_emitted(logits).argmax() for logits in (logits_a, logits_b)]
            agree += int(chosen[0] == chosen[1])
            total += 1
    assert total > 1000
    assert agree / total >= 0.97, f"numpy int8 picks onnxruntime int8's next word at {agree / total:.2%} of steps"


# --- the decode step ----------------------------------------------------------------------------------


def test_a_decode_step_allocates_no_arrays(float_model: Path):
    backend = load_model(float_model, backend="numpy").backend
    for batch in (1, 7):
        decoder = backend.decoder(batch)
        decoder.step()  # first calls may set up numpy internals
        tracemalloc.start()
        try:
            for token in range(50):
                decoder.ids[:, 0] = 4 + token
                decoder.step()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < 2048, f"batch {batch}: {peak} bytes allocated while stepping"


def test_ids_are_converted_where_pointers_are_32_bits(monkeypatch: pytest.MonkeyPatch, tiny_model: Path):
    """np.take on armv7 refuses int64 indices (intp is int32 there); the decoder converts them."""
    from lstm_edge.runtime import numpy_backend

    generator = Generator(tiny_model, backend="numpy")
    expected = [g.text for g in generator.generate_many(["A cream coat", "A wool coat"], 12)]
    monkeypatch.setattr(numpy_backend, "_INDEX_DTYPE", np.dtype(np.int32))
    narrow = Generator(tiny_model, backend="numpy")
    assert [g.text for g in narrow.generate_many(["A cream coat", "A wool coat"], 12)] == expected
    decoder = narrow.backend.decoder(2)
    assert decoder._indices.dtype == np.int32 and decoder.ids.dtype == np.int64


def test_run_refuses_ids_outside_the_vocabulary():
    if not SHIPPED.is_file():
        pytest.skip("no shipped model")
    backend = load_model(SHIPPED, backend="numpy").backend
    with pytest.raises(GenerationError, match="outside the vocabulary"):
        backend.run(np.array([[backend.spec.vocab_size]]), backend.spec.zero_state(1))


# --- choosing a backend -------------------------------------------------------------------------------


def test_the_backend_is_chosen_by_name(tiny_model: Path):
    assert load_model(tiny_model, backend="numpy").backend.name == "numpy"
    assert load_model(tiny_model, backend="onnxruntime").backend.name == "onnxruntime"
    assert load_model(tiny_model).backend.name == "onnxruntime"  # auto, where onnxruntime imports
    assert Generator(tiny_model, backend="numpy").backend.name == "numpy"
    assert load_model(tiny_model, backend="numpy").info()["backend"] == "numpy"
    with pytest.raises(GenerationError, match="unknown backend 'tensorflow'; choose from auto, onnxruntime, numpy"):
        load_model(tiny_model, backend="tensorflow")


def without_onnxruntime(tmp_path: Path) -> dict[str, str]:
    """An environment where `import onnxruntime` fails, as on a device without its wheel."""
    blocker = tmp_path / "blocker" / "onnxruntime"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError(\"No module named 'onnxruntime' (blocked by the test)\")\n")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(blocker.parent), os.environ.get("PYTHONPATH", "")])}


def lstm_gen(*args: str, env: dict[str, str] | None = None, importtime: bool = False) -> subprocess.CompletedProcess:
    command = [sys.executable, *(["-X", "importtime"] if importtime else []), "-m", "lstm_edge.runtime", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, stdin=subprocess.DEVNULL)


def test_the_numpy_path_never_imports_onnxruntime(tiny_model: Path):
    for args in (
        ["--backend", "numpy", "A cream coat"],
        ["--backend", "numpy", "--json", "A cream coat", "A wool coat"],
        ["--backend", "numpy", "--stream", "A cream coat"],
        ["--backend", "numpy", "--info"],
        ["--backend", "numpy", "--model", str(contract.int8_twin(tiny_model)), "A cream coat"],
    ):
        result = lstm_gen(*args, importtime=True)
        assert result.returncode == 0, result.stderr[-2000:]
        imported = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "import time:" in line]
        assert "numpy" in imported
        assert not [name for name in imported if name.startswith("onnxruntime")], args


def test_auto_runs_numpy_where_onnxruntime_does_not_import(tmp_path: Path, tiny_model: Path):
    env = without_onnxruntime(tmp_path)
    expected = lstm_gen("--backend", "onnxruntime", "--model", str(tiny_model), "A cream coat")
    assert expected.returncode == 0, expected.stderr
    result = lstm_gen("--model", str(tiny_model), "A cream coat", env=env)
    assert (result.returncode, result.stdout, result.stderr) == (0, expected.stdout, "")
    info = lstm_gen("--model", str(tiny_model), "--info", "--json", env=env)
    assert json.loads(info.stdout)["backend"] == "numpy"
    refused = lstm_gen("--backend", "onnxruntime", "--model", str(tiny_model), "A cream coat", env=env)
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.startswith("Error: onnxruntime does not import here (No module named 'onnxruntime'")
    assert "use the numpy backend" in refused.stderr and "Traceback" not in refused.stderr


def test_asking_for_an_unavailable_backend_raises_backend_unavailable(monkeypatch: pytest.MonkeyPatch, tiny_model):
    from lstm_edge.runtime import backend

    def no_onnxruntime() -> None:
        raise ImportError("No module named 'onnxruntime'")

    monkeypatch.setattr(backend, "import_onnxruntime", no_onnxruntime)
    with pytest.raises(BackendUnavailable):
        load_model(tiny_model, backend="onnxruntime")
    assert load_model(tiny_model).backend.name == "numpy"
    assert backend.available() == ["numpy"]


def test_onnxruntime_noise_is_filtered_from_stderr_and_the_rest_kept():
    """As Debian's python3-onnxruntime prints it (a line and a blank one per schema), and qemu's CPU note."""
    script = (
        "import os\n"
        "from lstm_edge.runtime.backend import ONNXRUNTIME_NOISE, filtered_stderr\n"
        "with filtered_stderr(ONNXRUNTIME_NOISE):\n"
        "    os.write(2, b'onnxruntime cpuid_info warning: Unknown CPU vendor. cpuinfo_vendor value: 0\\n')\n"
        "    for i in range(600):\n"  # more than a pipe holds: the filter must not block
        "        os.write(2, b'Schema error: Trying to register schema with name Foo%d (domain:  version: 1) '\n"
        "                    b'from file x.cc line 1, but it is already registered from file x.cc line 1\\n\\n' % i)\n"
        "    os.write(2, b'a real warning\\n\\n')\n"
        "os.write(2, b'after\\n')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr) == (0, "a real warning\n\nafter\n")


# --- graphs the numpy backend must refuse -------------------------------------------------------------


def rewritten(source: Path, target: Path, change) -> Path:
    import onnx

    model = onnx.load(source)
    change(model.graph)
    onnx.save(model, target)
    return target


def _gather_first_position(graph) -> None:
    from onnx import numpy_helper

    for node in graph.node:
        if node.op_type == "Constant" and numpy_helper.to_array(node.attribute[0].t).shape == ():
            node.attribute[0].t.CopyFrom(numpy_helper.from_array(np.array(0, dtype=np.int64)))


def _no_relu(graph) -> None:
    relu = next(node for node in graph.node if node.op_type == "Relu")
    for node in graph.node:
        node.input[:] = [relu.input[0] if name == relu.output[0] else name for name in node.input]
    graph.node.remove(relu)


def _swapped_states(graph) -> None:
    first = next(node for node in graph.node if node.op_type == "LSTM")
    first.input[5], first.input[6] = first.input[6], first.input[5]  # h_in_0 read as c, c_in_0 as h


def _no_transpose(graph) -> None:
    transpose = next(node for node in graph.node if node.op_type == "Transpose")
    for node in graph.node:
        node.input[:] = [transpose.input[0] if name == transpose.output[0] else name for name in node.input]
    graph.node.remove(transpose)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (_gather_first_position, "a Gather that is neither the embedding lookup nor the last position"),
        (_no_relu, "logits are not Dense → ReLU → Dense"),
        (_swapped_states, "LSTM layer 0's initial h is not the graph's h input of that layer"),
        (_no_transpose, "LSTM layer 0 reads its input in the layout ('batch', 'time', 'feature')"),
    ],
)
def test_a_graph_that_computes_something_else_is_refused(tmp_path: Path, tiny_model: Path, change, reason: str):
    path = rewritten(tiny_model, tmp_path / "other.onnx", change)
    onnxruntime = load_model(path, backend="onnxruntime").backend  # a valid graph, of another function
    onnxruntime.run(np.array([[2, 5], [6, 7]]), onnxruntime.spec.zero_state(2))
    with pytest.raises(ModelFileError) as refused:
        load_model(path, backend="numpy")
    message = str(refused.value)
    assert message.startswith(f"{path}: the numpy backend cannot map this graph onto the lstm-edge network")
    assert reason in message


# --- the oldest numpy we support ----------------------------------------------------------------------

OLDEST_NUMPY = "numpy==1.24.4"  # Debian bookworm (Raspberry Pi OS 12) ships 1.24.2; 1.24.4 has Python 3.11 wheels
PARITY_SCRIPT = """
import json, sys
import numpy as np
from lstm_edge.runtime.generator import Generator
prompts = json.loads(sys.argv[2])
generator = Generator(sys.argv[1], backend="numpy")
states = generator.prefill(prompts)
print(json.dumps({
    "numpy": np.__version__,
    "texts": [g.text for g in generator.generate_many(prompts, 15)],
    "logits": [s.logits.tolist() for s in states],
}))
"""


@pytest.mark.slow
def test_numpy_1_24_computes_the_same(tmp_path: Path, tiny_model: Path, prompts: list[str]):
    """A Python 3.11 virtualenv with numpy 1.24 from PyPI and this package: the same text and logits."""
    from tests.test_device_install import find_python

    python = find_python((3, 11))
    if python is None:
        pytest.skip("no Python 3.11 here (numpy 1.24 has no wheels for newer Pythons)")
    venv = tmp_path / "numpy-1.24"
    subprocess.run([python, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    fetched = subprocess.run([*pip, "--only-binary=:all:", OLDEST_NUMPY, "click"], capture_output=True, text=True)
    if fetched.returncode != 0:
        pytest.skip(f"cannot install {OLDEST_NUMPY} from the package index: {fetched.stderr.strip()[-300:]}")
    root = Path(__file__).resolve().parents[1]
    installed = subprocess.run([*pip, "--no-deps", str(root)], capture_output=True, text=True, cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr[-2000:]
    models = [p for p in (SHIPPED, contract.int8_twin(SHIPPED), tiny_model) if p.is_file()]
    for model in models:
        result = subprocess.run(
            [str(venv / "bin" / "python"), "-c", PARITY_SCRIPT, str(model), json.dumps(prompts)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        old = json.loads(result.stdout)
        assert old["numpy"].startswith("1.24.")
        generator = Generator(model, backend="numpy")
        assert old["texts"] == [g.text for g in generator.generate_many(prompts, 15)]
        ours = np.array([s.logits for s in generator.prefill(prompts)])
        assert_close(np.array(old["logits"], dtype=np.float32), ours, "numpy 1.24")


# --- lstm-gen --bench ---------------------------------------------------------------------------------


def test_bench_measures_every_backend_and_both_model_files(tiny_model: Path):
    result = lstm_gen("--bench", "--json", "--model", str(tiny_model))
    assert result.returncode == 0, result.stderr[-2000:]
    document = json.loads(result.stdout)
    assert document["device"]["machine"] and document["device"]["numpy"] == np.__version__
    measured = [(Path(r["model"]).name, r["backend"]) for r in document["results"]]
    assert measured == [(name, b) for name in ("model.onnx", "model.int8.onnx") for b in ("onnxruntime", "numpy")]
    for row in document["results"]:
        assert row["cold_start_ms"] > 0 and row["peak_rss_mb"] > 5 and row["cold_start_note"] is None
        assert row["per_word_us_batch_1"] > 0 and row["words_per_second_batch_64"] > 0
    table = lstm_gen("--bench", "--backend", "numpy", "--model", str(tiny_model))
    assert table.returncode == 0, table.stderr[-2000:]
    lines = table.stdout.splitlines()
    assert lines[3].startswith("| backend") and "peak RSS (MB)" in lines[3]
    assert [line.split("|")[1].strip() for line in lines[5:]] == ["numpy", "numpy"]


def test_bench_without_child_processes_leaves_cold_start_out(monkeypatch: pytest.MonkeyPatch, tiny_model: Path):
    """Under qemu user emulation a child process cannot be started; the rest is still measured."""
    from lstm_edge.runtime import bench

    def no_children(*args: object, **kwargs: object) -> None:
        raise OSError(8, "Exec format error")

    monkeypatch.setattr(bench.subprocess, "run", no_children)
    monkeypatch.setattr(bench, "REPEAT_SECONDS", 0.01)
    result = CliRunner().invoke(main, ["--bench", "--backend", "numpy", "--model", str(tiny_model)])
    assert result.exit_code == 0, result.output
    assert "| numpy   | model.onnx      | —" in result.stdout
    assert "(cold start and peak RSS left out: no child process can be started here)" in result.stdout


def test_bench_json_is_utf8_whatever_the_file_name(tmp_path: Path, tiny_model: Path, monkeypatch: pytest.MonkeyPatch):
    from lstm_edge.runtime import bench

    monkeypatch.setattr(bench, "COLD_RUNS", 1)
    monkeypatch.setattr(bench, "REPEAT_SECONDS", 0.01)
    model = tmp_path / os.fsdecode(b"mod\xe8le.onnx")
    model.write_bytes(tiny_model.read_bytes())
    result = CliRunner().invoke(main, ["--bench", "--json", "--backend", "numpy", "--model", str(model)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout_bytes.decode("utf-8"))  # strictly UTF-8, no lone surrogate escapes
    assert [row["model"] for row in document["results"]] == [str(tmp_path / "mod\ufffdle.onnx")]


@pytest.mark.parametrize(
    "args, ignored",
    [
        (["A cream coat"], "PROMPT arguments"),
        (["-n", "5"], "--words"),
        (["--workers", "3", "--raw", "--seed", "1"], "--seed, --raw, --workers"),
        (["--info", "--stream", "--input", "x.csv"], "--stream, --info, --input"),
    ],
)
def test_bench_refuses_the_options_it_would_ignore(args: list[str], ignored: str):
    result = CliRunner().invoke(main, ["--bench", *args])
    assert result.exit_code == 2, result.output
    assert f"--bench takes only --model, --backend, --threads and --json, not {ignored}\n" in result.output


def test_bench_says_why_a_model_cannot_be_measured(tmp_path: Path, tiny_model: Path, monkeypatch: pytest.MonkeyPatch):
    """The model is loaded here before any child process: its one-line error, not "the child failed"."""
    from lstm_edge.runtime import bench

    (tmp_path / "empty.onnx").write_bytes(b"")
    for model, message in ((tmp_path / "empty.onnx", "the file is empty"), (Path(os.devnull), "not a regular file")):
        result = CliRunner().invoke(main, ["--bench", "--json", "--model", str(model)])
        assert result.exit_code == 1 and result.stdout == "", result.output
        assert result.stderr.splitlines()[-1].startswith(f"Error: {model}: {message}"), result.stderr
    monkeypatch.setattr(bench, "PROMPT", "--no-such-option")  # a child that fails: its own words are passed on
    result = CliRunner().invoke(main, ["--bench", "--backend", "numpy", "--model", str(tiny_model)])
    assert result.exit_code == 1, result.output
    expected = f"cold start: lstm-gen --backend numpy --model {tiny_model} failed: No such option '--no-such-option'."
    assert result.stderr.splitlines()[-1] == f"Error: {expected}", result.stderr

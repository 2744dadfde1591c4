"""lstm-gen end to end through click's CliRunner, on the tiny model exported from the tiny run.

click ≥ 8.2 keeps stderr apart: `result.stdout` is what a pipe would get, `result.stderr` the messages,
and `result.output` both, interleaved as a terminal would show them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lstm_edge.runtime import contract
from lstm_edge.runtime.cli import main
from lstm_edge.runtime.generator import Generator, Sampling
from lstm_edge.runtime.model_file import default_model_path

JSON_KEYS = ["prompt", "text", "words", "unknown_words", "stop_reason"]


@pytest.fixture(scope="module")
def generator(tiny_model: Path) -> Generator:
    return Generator(tiny_model)


@pytest.fixture(scope="module")
def gen(tiny_model: Path):
    """Run `lstm-gen --model TINY ARGS…` (stdin from `input`)."""

    def run(*args: str, input: str | bytes | None = None, model: Path | None = tiny_model) -> Result:
        options = ["--model", str(model)] if model else []
        return CliRunner().invoke(main, [*options, *args], input=input)

    return run


def lines(text: str) -> list[str]:
    return text.splitlines()


# --- prompts in, text out ---


def test_each_prompt_argument_prints_one_line_of_ten_words(gen, generator: Generator):
    prompts = ["A cream coat", "The silk dress"]
    result = gen(*prompts)
    assert result.exit_code == 0, result.output
    expected = generator.generate_many(prompts, 10)
    assert lines(result.stdout) == [g.text for g in expected]
    assert all(len(g.words) == 10 or g.stop_reason == "eos" for g in expected)
    assert result.stderr == ""


def test_words_option_sets_the_budget(gen, generator: Generator):
    result = gen("-n", "3", "A cream coat")
    assert result.exit_code == 0, result.output
    assert result.stdout == generator.generate("A cream coat", 3).text + "\n"
    result = gen("--words", "1000", "--json", "A cream coat")
    assert result.exit_code == 0, result.output
    words = json.loads(result.stdout)["words"]
    assert len(words) == 1000 or json.loads(result.stdout)["stop_reason"] == "eos"


def test_json_prints_one_object_per_prompt(gen, generator: Generator):
    prompts = ["A cream coat", "zzyzx coat", ""]
    result = gen("--json", "-n", "4", *prompts)
    assert result.exit_code == 0, result.output
    objects = [json.loads(line) for line in lines(result.stdout)]
    assert [list(o) for o in objects] == [JSON_KEYS] * 3
    assert objects == [g.to_dict() for g in generator.generate_many(prompts, 4)]
    assert objects[1]["unknown_words"] == ["zzyzx"]
    assert objects[0]["stop_reason"] in ("eos", "max_words")


def test_stream_prints_the_same_text(gen):
    prompts = ["A cream coat", "zzyzx coat", "the", ""]
    plain, streamed = gen("-n", "12", *prompts), gen("--stream", "-n", "12", *prompts)
    assert plain.exit_code == streamed.exit_code == 0, streamed.output
    assert streamed.stdout == plain.stdout
    assert streamed.stderr == plain.stderr


def test_prompts_come_from_stdin_one_per_line(gen):
    result = gen(input="A cream coat\n\n   \nThe silk dress\r\nzzyzx\n")
    assert result.exit_code == 0, result.output
    assert result.stdout == gen("A cream coat", "The silk dress", "zzyzx").stdout
    assert len(lines(result.stdout)) == 3  # blank lines are skipped
    streamed = gen("--stream", input="A cream coat\nThe silk dress\n")
    assert streamed.stdout == gen("A cream coat", "The silk dress").stdout


def test_unknown_words_are_named_on_stderr(gen):
    result = gen("Zzyzx cream qwxp coat", "A cream coat")
    assert result.exit_code == 0, result.output
    assert result.stderr == "Unknown words in 'Zzyzx cream qwxp coat' (read as <unk>): zzyzx, qwxp\n"
    assert lines(result.stdout)[0].startswith("Zzyzx cream qwxp coat")
    streamed = gen("--stream", "Zzyzx cream qwxp coat")
    assert streamed.stderr == "Unknown words in 'Zzyzx cream qwxp coat' (read as <unk>): zzyzx, qwxp\n"


def test_an_empty_prompt_generates_from_bos(gen, generator: Generator):
    result = gen("")
    assert result.exit_code == 0, result.output
    expected = generator.generate("")
    assert expected.words
    assert result.stdout == expected.text + "\n"


def test_sampling_with_a_seed_is_reproducible(gen, generator: Generator):
    args = ["--temperature", "1", "--seed", "3", "-n", "15", "A cream coat", "The silk dress"]
    first, second = gen(*args), gen(*args)
    assert first.exit_code == second.exit_code == 0, first.output
    assert first.stdout == second.stdout
    expected = generator.generate_many(["A cream coat", "The silk dress"], 15, Sampling(temperature=1.0, seed=3))
    assert lines(first.stdout) == [g.text for g in expected]
    others = {gen("--temperature", "1", "--seed", str(seed), "-n", "15", "A cream coat").stdout for seed in range(4)}
    assert len(others) > 1
    top = gen("--temperature", "0.8", "--top-k", "20", "--top-p", "0.9", "--seed", "1", "A cream coat")
    assert top.exit_code == 0, top.output
    assert gen("--temperature", "1e-310", "A cream coat", "").output == gen("A cream coat", "").output  # ≈ greedy


def test_threads_option(gen):
    assert gen("--threads", "2", "A cream coat").stdout == gen("A cream coat").stdout


# --- --info ---


@pytest.fixture(scope="module")
def history(tiny_run: Path) -> dict:
    return json.loads((tiny_run / "history.json").read_text())


@pytest.fixture(scope="module")
def best_epoch(history: dict) -> dict:
    return history["history"][history["best_epoch"] - 1]


def test_info_shows_vocabulary_network_and_validation_metrics(
    gen, generator: Generator, history: dict, best_epoch: dict
):
    result = gen("--info")
    assert result.exit_code == 0, result.output
    rows = dict(line.split(":", 1) for line in lines(result.stdout))
    rows = {name: value.strip() for name, value in rows.items()}
    size = len(generator.tokenizer)
    assert rows["Vocabulary"] == f"{size:,} tokens"
    assert rows["Network"] == f"Embedding 16 → LSTM 32 → LSTM 16 → Dense 16 (ReLU) → Dense {size}"
    assert rows["Validation"] == (
        f"next-word accuracy {best_epoch['val_accuracy']:.4f}, perplexity {best_epoch['val_perplexity']:.2f}, "
        f"loss {best_epoch['val_loss']:.4f}"
    )
    assert rows["Training"] == f"4 epochs ({history['stop_reason']}), best epoch {history['best_epoch']}"
    assert rows["Quantization"] == "none (float32)"
    assert rows["Decoding"] == "plain by default (set at export)"


def test_info_json_is_the_metadata(gen, generator: Generator, best_epoch: dict):
    result = gen("--info", "--json")
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["training"]["val_accuracy"] == best_epoch["val_accuracy"]
    assert info["vocabulary_size"] == len(generator.tokenizer)
    assert info["architecture"]["hidden_sizes"] == [32, 16]
    assert info["format_version"] == contract.FORMAT_VERSION


def test_info_of_the_int8_twin_names_its_quantization(gen, tiny_export):
    result = gen("--info", model=tiny_export.int8_model)
    assert result.exit_code == 0, result.output
    quantization = next(line for line in lines(result.stdout) if line.startswith("Quantization:"))
    assert "int8-dynamic, greedy agreement with float32 " in quantization
    assert gen("A cream coat", model=tiny_export.int8_model).exit_code == 0


# --- refusals ---


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-n", "0"], "Invalid value for '-n' / '--words': 0 is not in the range 1<=x<=1000."),
        (["-n", "1001"], "Invalid value for '-n' / '--words': 1001 is not in the range 1<=x<=1000."),
        (["--top-p", "0"], "Invalid value for '--top-p': 0.0 is not in the range 0<x<=1."),
        (["--temperature", "-1"], "Invalid value for '-t' / '--temperature': -1.0 is not in the range 0<=x<=100."),
        (["--top-k", "-1"], "Invalid value for '--top-k': -1 is not in the range 0<=x<=1000000."),
        (["--threads", "0"], "Invalid value for '--threads': 0 is not in the range 1<=x<=256."),
        (["--stream", "--json"], "--stream and --json exclude each other"),
        (
            ["--repetition-penalty", "0.5"],
            "Invalid value for '--repetition-penalty': 0.5 is not in the range 1<=x<=10.0.",
        ),
        (["--no-repeat-ngram", "21"], "Invalid value for '--no-repeat-ngram': 21 is not in the range 0<=x<=20."),
        (["--beams", "0"], "Invalid value for '--beams': 0 is not in the range 1<=x<=32."),
    ],
)
def test_out_of_range_options_are_usage_errors(gen, args: list[str], message: str):
    result = gen(*args, "A cream coat")
    assert result.exit_code == 2
    assert lines(result.output)[-1] == f"Error: {message}"
    assert "Traceback" not in result.output


def test_beams_and_sampling_exclude_each_other(gen):
    result = gen("--beams", "3", "--temperature", "0.7", "A cream coat")
    assert result.exit_code == 1
    assert result.output.startswith("Error: beam search (3 beams) keeps the likeliest words and does not sample")


# --- what the text looks like ---


def test_raw_shows_the_tokens_and_text_capitalizes_i(tmp_path: Path):
    """On a model whose vocabulary holds the pronoun: tokens stay lowercase, text writes "I"."""
    from click.testing import CliRunner as Runner

    from lstm_edge.export.exporter import export_model
    from lstm_edge.train.cli import main as train_main
    from tests.conftest import TINY_MODEL_OPTIONS, write_csv

    rows = ["i love this coat. i'm happy, i'll keep it.", "i've worn it and i'd buy it again."] * 20
    data = write_csv(tmp_path / "reviews.csv", rows)
    run = tmp_path / "run"
    trained = Runner().invoke(
        train_main, ["--data", str(data), "--out", str(run), "-e", "2", "-q", *TINY_MODEL_OPTIONS]
    )
    assert trained.exit_code == 0, trained.output
    export_model(run, log=lambda line: None)
    model = run / "model.onnx"
    generation = Generator(model).generate("i love it, i'm sure. so i'll", 5)
    text = CliRunner().invoke(main, ["--model", str(model), "-n", "5", "i love it, i'm sure. so i'll"])
    raw = CliRunner().invoke(main, ["--model", str(model), "-n", "5", "--raw", "i love it, i'm sure. so i'll"])
    assert text.stdout.startswith("I love it, I'm sure. So I'll")
    assert text.stdout == generation.text + "\n"
    assert raw.stdout == " ".join(["i", "love", "it", ",", "i'm", "sure", ".", "so", "i'll", *generation.words]) + "\n"
    streamed = CliRunner().invoke(main, ["--model", str(model), "-n", "5", "--stream", "i love it, i'm sure. so i'll"])
    assert streamed.stdout == text.stdout
    raw_stream = CliRunner().invoke(main, ["--model", str(model), "-n", "5", "--stream", "--raw", "i love it"])
    assert raw_stream.stdout == " ".join(["i", "love", "it", *Generator(model).generate("i love it", 5).words]) + "\n"
    as_json = json.loads(
        CliRunner().invoke(main, ["--model", str(model), "-n", "5", "--json", "--raw", "i love"]).stdout
    )
    assert as_json["text"] == " ".join(["i", "love", *as_json["words"]])


def test_non_utf8_stdin_is_replaced_and_reported(gen, generator: Generator):
    result = gen("--json", input=b"A cream coat\nA caf\xe9 dress\n")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(
        "Warning: stdin is not valid UTF-8 (first bad byte 0xe9 at offset 18); undecodable bytes were replaced"
    )
    objects = [json.loads(line) for line in lines(result.stdout.encode("utf-8").decode("utf-8", "strict"))]
    assert [o["prompt"] for o in objects] == ["A cream coat", "A caf\ufffd dress"]
    assert objects == [g.to_dict() for g in generator.generate_many(["A cream coat", "A caf\ufffd dress"])]


def test_undecodable_argument_bytes_become_valid_json(gen):
    prompt = b"A caf\xe9 coat".decode("utf-8", "surrogateescape")  # what Python makes of such argv bytes
    result = gen("--json", prompt)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["prompt"] == "A caf\ufffd coat"
    assert "prompt 1 is not valid UTF-8" in result.stderr


def test_prompts_are_split_at_newlines_only(gen, generator: Generator):
    text = "A cream\u2028coat\u0085dress\r\nA linen shirt\rOur jeans\n"
    result = gen("--json", input=text)
    assert result.exit_code == 0, result.output
    prompts = [json.loads(line)["prompt"] for line in result.stdout.split("\n") if line]  # JSON lines end at \n
    assert prompts == ["A cream\u2028coat\u0085dress", "A linen shirt", "Our jeans"]


@pytest.mark.parametrize("stdin", ["", "\n  \n\t\n"])
def test_no_prompts_at_all_is_an_error(gen, stdin: str):
    result = gen(input=stdin)
    assert result.exit_code == 1
    assert result.output == "Error: no prompts: give PROMPT arguments, or lines of text on stdin\n"


def test_bad_model_files_get_a_one_line_error(gen, bad_models):
    for name, bad in bad_models.items():
        result = gen("A cream coat", model=bad.path)
        assert result.exit_code == 1, (name, result.output)
        assert result.output.startswith(f"Error: {bad.path}: {bad.message}"), (name, result.output)
        assert result.output.count("\n") == 1, (name, result.output)
        assert result.stdout == "", name
        assert gen("--info", model=bad.path).output == result.output, name


def test_the_cli_imports_no_training_stack(tiny_model: Path, tmp_path: Path):
    code = (
        "import sys\n"
        "from lstm_edge.runtime.cli import main\n"
        "try:\n"
        "    main(['--model', sys.argv[1], 'A cream coat'], prog_name='lstm-gen')\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
        "heavy = sorted({'torch', 'pandas', 'onnx'} & set(sys.modules))\n"
        "assert not heavy, heavy\n"
    )
    process = subprocess.run(
        [sys.executable, "-c", code, str(tiny_model)], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert process.returncode == 0, process.stderr
    assert process.stdout.startswith("A cream coat")


# --- the shipped model ---


def test_the_shipped_model_is_the_default(gen):
    assert default_model_path().is_file(), "no shipped model; build it with `make model`"
    result = gen("A cream coat", model=None)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("A cream coat ")
    assert gen("A cream coat", model=default_model_path()).stdout == result.stdout


def test_the_console_entry_keeps_output_and_exit_codes(tiny_model: Path):
    """`run` (the console script) leaves with os._exit after flushing: nothing may be lost on the way."""
    command = [sys.executable, "-m", "lstm_edge.runtime", "--model", str(tiny_model)]
    done = subprocess.run([*command, "--json", "A cream coat", "A coat"], capture_output=True, text=True)
    assert done.returncode == 0
    assert [json.loads(line)["prompt"] for line in done.stdout.splitlines()] == ["A cream coat", "A coat"]
    usage = subprocess.run([*command, "-n", "0", "x"], capture_output=True, text=True)
    assert usage.returncode == 2 and "Invalid value for '-n' / '--words'" in usage.stderr
    missing = subprocess.run([*command[:-2], "--model", "no-such.onnx", "x"], capture_output=True, text=True)
    assert missing.returncode == 1 and missing.stderr == "Error: no-such.onnx: no such model file\n"

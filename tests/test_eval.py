"""lstm-eval: the figures agree with the trainer's on the same held-out rows, the CSV is read as training
reads it, the split is found again without torch, and generation statistics mean what they say."""

from __future__ import annotations

import contextlib
import csv
import gzip
import hashlib
import json
import lzma
import math
import os
import resource
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lstm_edge.runtime import contract
from lstm_edge.runtime import eval as evaluation
from lstm_edge.runtime.csv_file import read_column
from lstm_edge.runtime.decoding import Decoding
from lstm_edge.runtime.errors import CorpusError
from lstm_edge.runtime.eval import GenerationStats, Scorer, generation_stats, prompt_of, reference_stats, repeats_ngram
from lstm_edge.runtime.eval_cli import main
from lstm_edge.runtime.generator import Generator
from lstm_edge.runtime.model_file import load_model
from lstm_edge.runtime.texts import builtin_corpus_path, split_positions, torch_randperm
from tests.conftest import REVIEWS_CSV, write_csv


def lstm_eval(*args: str) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def report(*args: str) -> dict:
    result = lstm_eval(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- the split, found again without torch ----------------------------------------------------------------


def test_the_permutation_is_torch_randperm():
    torch = pytest.importorskip("torch")
    for n in [*range(12), 100, 959, 1000, 6000, 54_321]:
        for seed in (0, 1, 42, 2**31 - 1, 2**32 + 7):
            expected = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()
            assert torch_randperm(n, seed) == expected, (n, seed)


def test_the_split_is_the_trainers():
    pytest.importorskip("torch")
    from lstm_edge.train.batching import split_by_description

    for n, fraction, seed in [
        (2, 0.2, 42),
        (3, 0.5, 0),
        (10, 0.25, 7),
        (958, 0.2, 42),
        (6000, 0.2, 42),
        (999, 0.05, 3),
    ]:
        texts = [f"text {i}" for i in range(n)]
        _, held_out = split_by_description(texts, fraction, seed)
        positions = split_positions(n, fraction, seed)
        assert [t for t, chosen in zip(texts, positions, strict=True) if chosen] == held_out, (n, fraction, seed)


# --- the CSV, read as training reads it ------------------------------------------------------------------


def test_the_column_holds_the_texts_the_trainer_keeps(tmp_path: Path):
    """One reader (`runtime/csv_file.py`) serves both; this holds what it keeps, and that training uses it."""
    from lstm_edge.train.corpus import load_corpus

    long = "A very long review. " * 10_000  # beyond the csv module's default field limit
    path = tmp_path / "tricky.csv"
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:  # a byte-order mark, as Excel writes
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(["id", "text", "other"])
        rows = [
            ["1", "  padded, with a comma  ", "x"],
            ["2", "", "empty"],
            ["3", "   ", "blank"],
            ["4", 'quoted "words"\nand a second line', ""],
            ["5", long, ""],
            ["6", "Ünïcödé ǆ straße", ""],
        ]
        writer.writerows(rows)
        handle.write("7\r\n")  # a short row: the text cell is missing
        writer.writerow(["8", "last", "row"])
    expected = ["padded, with a comma", 'quoted "words"\nand a second line', long.strip(), "Ünïcödé ǆ straße", "last"]
    assert list(read_column(path, "text")) == expected == load_corpus(path, "text").descriptions
    for source, column in [(None, "description"), (REVIEWS_CSV, "Review Text")]:
        if source is not None and not source.is_file():
            continue
        expected = load_corpus(source, column).descriptions
        assert list(read_column(source or builtin_corpus_path(), column)) == expected


@pytest.mark.parametrize("compress", ["gzip", "bz2", "lzma"])
def test_compressed_files_are_read_as_training_reads_them(tmp_path: Path, compress: str):
    import importlib

    from lstm_edge.train.corpus import load_corpus

    plain = write_csv(tmp_path / "plain.csv", ["a cream coat", "", "the silk dress, lined"] * 50)
    packed = tmp_path / "packed.csv.x"
    packed.write_bytes(importlib.import_module(compress).compress(plain.read_bytes()))
    expected = load_corpus(packed, "description").descriptions
    assert list(read_column(packed, "description")) == expected == list(read_column(plain, "description"))


@pytest.mark.parametrize(
    ("content", "column", "message"),
    [
        (b"", "text", "the file is empty"),
        (b"a,b\n1,2\n", "text", "no column 'text'; the columns are: 'a', 'b' (choose one with --column)"),
        (b"text\n\xff\xfe broken\n", "text", "not UTF-8 text"),
        (b"\x1f\x8b\x08\x00 not really gzip", "text", "not readable gzip data"),
        (b"PK\x03\x04 a zip", "text", "not a readable zip archive"),
        (b'text\nfine\n"a quote never closed\nand the rest\n', "text", "line 3: a quoted field is not closed"),
        (b"\n\ntext\nfine\n", "text", "the first line is blank; expected a CSV header"),
        (b" \n\t\n", "text", "the file is empty"),
    ],
)
def test_unreadable_csvs_raise_corpus_error(tmp_path: Path, content: bytes, column: str, message: str):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(CorpusError, match=message.replace("(", r"\(").replace(")", r"\)")):
        list(read_column(path, column))


def _without_paths(figures: dict) -> list[dict]:
    return [{key: value for key, value in model.items() if key != "path"} for model in figures["models"]]


def test_the_split_is_found_in_a_compressed_copy_and_in_data_named_the_old_way(tiny_export, tmp_path: Path):
    """The data's sha256 is of its text, so a .xz or .gz of the training CSV is the same data. A model an
    earlier lstm-edge trained on a compressed file recorded the compressed bytes' sha256: accepted too."""
    pytest.importorskip("onnx")
    from tests.conftest import _rewrite_metadata

    training = load_model(tiny_export.model).info()["training"]
    plain = Path(training["corpus"]["source"])
    expected = _without_paths(report(tiny_export.model, "--split", "validation"))
    for name, compress in (("data.csv.xz", lzma.compress), ("data.csv.gz", gzip.compress)):
        packed = tmp_path / name
        packed.write_bytes(compress(plain.read_bytes()))
        assert _without_paths(report(tiny_export.model, "--split", "validation", "--data", packed)) == expected
        old = tmp_path / f"{name}.onnx"  # as if trained on `packed` before
        corpus = {
            **training["corpus"],
            "source": str(packed),
            "sha256": hashlib.sha256(packed.read_bytes()).hexdigest(),
        }
        _rewrite_metadata(tiny_export.model, old, {contract.KEY_TRAINING: json.dumps({**training, "corpus": corpus})})
        assert _without_paths(report(old, "--split", "validation")) == expected
        packed.write_bytes(compress(plain.read_bytes() + b"one more row\n"))
        refused = lstm_eval(old, "--split", "validation")
        assert refused.exit_code == 1 and "is not the data" in refused.output, refused.output


def test_the_shipped_model_finds_its_split_in_the_shipped_xz_corpus():
    from lstm_edge.runtime.model_file import default_model_path

    figures = report(default_model_path(), "--split", "validation", "--rows", "20")
    assert Path(figures["data"]["path"]).name == "fashion_descriptions.csv.xz"
    assert figures["data"]["texts"] == 20 and figures["data"]["column"] == "description"


# --- figures: the trainer's on the same held-out rows ------------------------------------------------------


def test_validation_figures_equal_the_trainers(tiny_export):
    """The exported best epoch's validation loss and accuracy, computed again from the CSV by the runtime."""
    fp32, int8 = load_model(tiny_export.model), load_model(tiny_export.int8_model)
    training = fp32.info()["training"]
    figures = report(tiny_export.model, tiny_export.int8_model, "--split", "validation", "--batch-size", "512")
    assert figures["data"]["texts"] == training["corpus"]["val_descriptions"] == 60
    first, second = figures["models"]
    assert first["loss"] == pytest.approx(training["val_loss"], rel=1e-5)
    assert first["perplexity"] == pytest.approx(training["val_perplexity"], rel=1e-4)
    assert abs(first["accuracy"] - training["val_accuracy"]) <= 1 / first["accuracy_targets"]
    # int8: the export measured the same rows in one batch of 60, as here (activations are quantized per batch)
    quantization = int8.info()["quantization"]
    assert second["agreement_with_first"] == pytest.approx(quantization["greedy_agreement"], abs=1e-12)
    assert second["agreement_targets"] == quantization["agreement_positions"]
    assert second["accuracy"] == pytest.approx(quantization["val_accuracy"], abs=1e-12)
    assert first["agreement_with_first"] is None


def test_training_rows_and_all_rows_add_up(tiny_export):
    parts = [report(tiny_export.model, "--split", split)["models"][0] for split in ("validation", "training", "all")]
    validation, training, everything = parts
    for key in ("texts", "tokens", "words", "accuracy_targets"):
        assert validation[key] + training[key] == everything[key], key
    total = validation["loss"] * validation["tokens"] + training["loss"] * training["tokens"]
    assert everything["loss"] == pytest.approx(total / everything["tokens"], rel=1e-9)


def test_chunks_and_batches_do_not_change_the_figures(tiny_model: Path, small_descriptions: list[str], monkeypatch):
    model = load_model(tiny_model)
    whole = Scorer([model], batch_size=64)
    whole.add(small_descriptions)
    whole.flush()
    monkeypatch.setattr(evaluation, "CHUNK", 7)
    chunked = Scorer([model], batch_size=3)
    chunked.add(iter(small_descriptions))
    chunked.flush()
    a, b = whole.metrics[0], chunked.metrics[0]
    assert (a.texts, a.tokens, a.words, a.unknown, a.correct, a.scored) == (
        b.texts,
        b.tokens,
        b.words,
        b.unknown,
        b.correct,
        b.scored,
    )
    assert a.loss_sum == pytest.approx(b.loss_sum, rel=1e-9)


def test_texts_beyond_the_token_cap_are_cut_as_training_cuts_them(tiny_model: Path):
    """A text longer than the cap keeps its first tokens and no <eos> (it did not end there)."""
    model = load_model(tiny_model)
    capped = Scorer([model], max_tokens=3)
    capped.add(["a cream coat in wool", "a coat", "the silk dress"])
    capped.flush()
    # targets: a cream coat | a coat <eos> | the silk dress <eos>
    assert (capped.metrics[0].tokens, capped.metrics[0].scored) == (3 + 3 + 4, 2 + 1 + 2)


def test_words_only_perplexity_and_the_unknown_rate(tmp_path: Path, tiny_model: Path):
    tokenizer = load_model(tiny_model).tokenizer
    data = write_csv(tmp_path / "mixed.csv", ["A cream coat, zzyzx qwxp.", "the coat"])
    entry = report(tiny_model, "--data", str(data), "--column", "description")["models"][0]
    # targets: a cream coat , zzyzx qwxp . <eos> | the coat <eos>  → 11 tokens, 7 words, 2 of them unknown
    assert (entry["tokens"], entry["words"]) == (11, 7)
    assert entry["unknown_rate"] == pytest.approx(2 / 7)
    assert entry["accuracy_targets"] == 6 + 1  # word 2 … n: cream coat , zzyzx qwxp . | coat
    assert "zzyzx" not in tokenizer.ids
    assert entry["word_perplexity"] != entry["perplexity"]
    assert math.isfinite(entry["word_perplexity"])


def test_models_of_other_vocabularies_are_measured_but_not_compared(tmp_path: Path, tiny_model: Path, tiny_run: Path):
    from lstm_edge.train.cli import main as train_main
    from tests.conftest import TINY_MODEL_OPTIONS

    data = write_csv(tmp_path / "other.csv", ["a red coat", "a blue coat", "the red dress", "blue shoes"] * 5)
    run = tmp_path / "run"
    trained = CliRunner().invoke(
        train_main, ["--data", str(data), "--out", str(run), "-e", "1", "-q", *TINY_MODEL_OPTIONS]
    )
    assert trained.exit_code == 0, trained.output
    from lstm_edge.export.exporter import export_model

    export_model(run, log=lambda line: None)
    result = lstm_eval(tiny_model, run / "model.onnx", "--data", str(data), "--column", "description")
    assert result.exit_code == 0, result.output
    table = result.stdout.splitlines()
    assert table[0] == f"{data} [description]: 20 texts, all"
    assert table[1].split() == [
        "model",
        "tokens",
        "unknown",
        "perplexity",
        "word",
        "perplexity",
        "accuracy",
        "agreement",
    ]
    assert table[2].endswith("—") and table[3].endswith("—")  # different vocabularies: no agreement
    assert result.stderr == ""  # no progress bar when stderr is not a terminal


# --- generation statistics ---------------------------------------------------------------------------------


def test_loop_detection_counts_word_4grams_only():
    assert repeats_ngram(["i", "am", "a", "little", "size", "i", "am", "a", "little"])
    assert not repeats_ngram(["i", "am", "a", "little", "size", "i", "am", "a", "big"])
    assert not repeats_ngram(["a", "b", "c"])
    stats = GenerationStats()
    stats.add(["i", "love"], ["it", ".", "i", "love", "it", "!", "so"], ended=True)  # "i love it" twice: a 3-gram
    stats.add(["i", "love"], ["it", ".", "i", "love", "it", ".", "i"], ended=False)  # "i love it i" twice
    assert (stats.outputs, stats.looped, stats.ended, stats.tokens) == (2, 1, 1, 14)
    assert stats.loop_rate == 0.5 and stats.ended_rate == 0.5 and stats.mean_length == 7
    # bigrams of the continuations' words: it i, i love, love it, it so | it i, i love, love it, it i
    assert stats.bigrams == 8 and stats.distinct_2 == 4 / 8
    assert evaluation.LOOP_WINDOW == 100
    late = GenerationStats()
    late.add([], [f"w{i}" for i in range(100)] + ["w0", "w1", "w2", "w3"], ended=False)
    assert late.looped == 0  # the repeat comes after the first 100 words: not counted


def test_generate_reports_each_models_decoding_beside_the_texts_own(tmp_path: Path, tiny_model: Path):
    texts = ["a cream coat in soft wool for the winter", "the silk dress is", "a linen shirt with short sleeves", "x y"]
    data = write_csv(tmp_path / "texts.csv", texts)
    figures = report(tiny_model, "--data", str(data), "--column", "description", "--generate", "3", "-n", "30")
    generation = figures["generation"]
    assert (generation["prompts"], generation["prompt_words"], generation["max_words"]) == (3, 3, 30)
    prompts = [prompt_of(text, 3) for text in texts[:3]]
    assert generation["reference"] == reference_stats(texts[:3], 3, 30).to_dict()
    expected = generation_stats(Generator(tiny_model), prompts, 30, Decoding())
    assert figures["models"][0]["generation"] == {"decoding": "plain", **Decoding().to_metadata(), **expected.to_dict()}
    ruled = report(
        tiny_model,
        "--data",
        str(data),
        "--column",
        "description",
        "--generate",
        "3",
        "-n",
        "30",
        "--no-repeat-ngram",
        "2",
    )
    assert ruled["models"][0]["generation"]["decoding"] == "no repeated 2-grams"
    text = lstm_eval(tiny_model, "--data", str(data), "--column", "description", "--generate", "3")
    assert "the texts themselves" in text.stdout and "loop rate" in text.stdout


# --- bad input, and the device -----------------------------------------------------------------------------


def test_bad_input_is_one_line(tmp_path: Path, tiny_model: Path, small_csv: Path):
    other = write_csv(tmp_path / "other.csv", ["a coat", "a dress"])
    cases = [
        (["--split", "validation", "--data", str(other)], "is not the data"),
        (["--data", str(small_csv), "--column", "nope"], "no column 'nope'"),
        (["--data", str(tmp_path / "missing.csv"), "--column", "description"], "no such file"),
    ]
    for args, message in cases:
        result = lstm_eval(tiny_model, *args)
        assert result.exit_code == 1, result.output
        assert result.output.startswith("Error: ") and message in result.output and result.output.count("\n") == 1
    missing = lstm_eval(tmp_path / "none.onnx", "--data", str(small_csv))
    assert missing.exit_code == 1 and "no such model file" in missing.output
    assert lstm_eval("--data", str(small_csv)).exit_code == 2  # no model


def _fifo_fed_with(path: Path, data: bytes) -> threading.Thread:
    """A FIFO at `path` that a thread fills with `data` once a reader opens it (as `<(zcat …)` would)."""
    os.mkfifo(path)

    def feed() -> None:
        with contextlib.suppress(BrokenPipeError), open(path, "wb") as pipe:
            pipe.write(data)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    return writer


@pytest.mark.parametrize("compressed", [False, True])
def test_a_pipe_is_read_once_as_training_reads_it(tmp_path: Path, tiny_model: Path, small_csv: Path, compressed: bool):
    data = small_csv.read_bytes()
    writer = _fifo_fed_with(tmp_path / "pipe", gzip.compress(data) if compressed else data)
    piped = report(tiny_model, "--data", tmp_path / "pipe", "--column", "description")
    writer.join(10)
    stored = report(tiny_model, "--data", small_csv, "--column", "description")
    assert piped["models"] == stored["models"] and piped["data"]["texts"] == stored["data"]["texts"] > 100


def test_a_pipe_cannot_give_the_training_split(tmp_path: Path, tiny_export):
    """--split reads the file twice (its digest, then the texts): a pipe of the very training data is refused
    before it is opened, not read as empty the second time."""
    training_data = load_model(tiny_export.model).info()["training"]["corpus"]["source"]
    os.mkfifo(tmp_path / "pipe")  # no writer: opening it would wait for ever
    result = lstm_eval(tiny_export.model, "--split", "validation", "--data", tmp_path / "pipe", "--rows", "3")
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert result.output.startswith(f"Error: {tmp_path / 'pipe'}: a pipe, which can be read only once; --split"), (
        result.output
    )
    assert lstm_eval(tiny_export.model, "--split", "validation", "--data", training_data, "--rows", "3").exit_code == 0


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_devices_are_refused_before_they_are_read(tiny_model: Path, device: str):
    """/dev/zero never ends (one endless line: it once took all of memory); refused on sight, as training does.
    Run under a 2 GB address-space limit, so a regression fails here instead of exhausting the machine."""

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    lstm_eval_script = [sys.executable, "-c", "from lstm_edge.runtime.eval_cli import run; run()"]
    command = [*lstm_eval_script, str(tiny_model), "--data", device, "--column", "x"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, preexec_fn=limit_memory)
    assert done.returncode == 1, done.stderr
    assert done.stderr == f"Error: {device}: not a regular file or a pipe (a device or socket); give a CSV file\n"


def test_json_is_utf8_whatever_the_file_names(tmp_path: Path, tiny_model: Path, small_csv: Path):
    """A file name that is not UTF-8 (bytes as given on the command line) becomes U+FFFD in the report."""
    data = tmp_path / os.fsdecode(b"caf\xe9.csv")
    model = tmp_path / os.fsdecode(b"mod\xe8le.onnx")
    data.write_bytes(small_csv.read_bytes())
    model.write_bytes(tiny_model.read_bytes())
    outputs = []
    for extra in (["--json"], []):
        result = lstm_eval(model, "--data", data, "--column", "description", "--rows", "5", *extra)
        assert result.exit_code == 0, result.output
        outputs.append(result.stdout_bytes.decode("utf-8"))  # raises on a raw byte
        assert "caf\ufffd.csv" in outputs[-1] and "mod\ufffdle.onnx" in outputs[-1]
    document = json.loads(outputs[0])
    assert document["data"]["path"] == str(tmp_path / "caf\ufffd.csv")
    assert document["models"][0]["path"] == str(tmp_path / "mod\ufffdle.onnx")


def test_rows_limits_the_texts(tiny_model: Path):
    assert report(tiny_model, "--rows", "7")["data"]["texts"] == 7


def test_lstm_eval_imports_no_training_stack(tiny_export, tmp_path: Path):
    code = (
        "import sys\n"
        "from lstm_edge.runtime.eval_cli import main\n"
        "try:\n"
        "    main([sys.argv[1], sys.argv[2], '--split', 'validation', '--generate', '5'], prog_name='lstm-eval')\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
        "heavy = sorted({'torch', 'pandas', 'onnx', 'tqdm'} & set(sys.modules))\n"
        "assert not heavy, heavy\n"
    )
    process = subprocess.run(
        [sys.executable, "-c", code, str(tiny_export.model), str(tiny_export.int8_model)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert process.returncode == 0, process.stderr
    assert "agreement" in process.stdout

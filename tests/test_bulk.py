"""`lstm-gen --input CSV --output CSV`: catalogue-scale generation, in order, resumable, with workers."""

from __future__ import annotations

import csv
import lzma
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from lstm_edge.runtime.cli import main
from lstm_edge.runtime.generator import Generator

PROMPTS = ["A cream coat", 'A "linen", shirt', "", "Ein Mantel für den Winter", "zzyzx coat", "A coat\nwith a newline"]


def write_prompts(path: Path, count: int) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "prompt", "price"])
        for i in range(count):
            writer.writerow([f"SKU-{i:05d}", PROMPTS[i % len(PROMPTS)] + ("" if i < len(PROMPTS) else f" {i}"), i])
    return path


def read_rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def gen(model: Path, *args: str):
    return CliRunner().invoke(main, ["--model", str(model), *args])


@pytest.fixture(scope="module")
def prompts_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_prompts(tmp_path_factory.mktemp("bulk") / "prompts.csv", 40)


def test_each_row_gets_its_generation_with_the_other_columns(tiny_model: Path, prompts_csv: Path, tmp_path: Path):
    out = tmp_path / "out.csv"
    result = gen(tiny_model, "--input", str(prompts_csv), "--output", str(out), "-n", "8", "--batch-size", "7")
    assert result.exit_code == 0, result.output
    rows = read_rows(out)
    assert rows[0] == ["sku", "prompt", "price", "generated", "stop_reason"]
    inputs = read_rows(prompts_csv)[1:]
    expected = Generator(tiny_model).generate_many([row[1] for row in inputs], 8)
    assert [row[:3] for row in rows[1:]] == inputs
    assert [row[3:] for row in rows[1:]] == [[g.text, g.stop_reason] for g in expected]
    assert "40 rows in" in result.stderr


def test_batch_size_and_workers_do_not_change_the_output(tiny_model: Path, prompts_csv: Path, tmp_path: Path):
    outputs = []
    for index, options in enumerate([["--batch-size", "64"], ["--batch-size", "3", "--workers", "2"]]):
        out = tmp_path / f"out{index}.csv"
        result = gen(
            tiny_model, "--input", str(prompts_csv), "--output", str(out), "-t", "0.9", "--seed", "5", *options
        )
        assert result.exit_code == 0, result.output
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_a_rerun_after_a_kill_finishes_without_duplicates_or_losses(tiny_model: Path, tmp_path: Path):
    prompts = write_prompts(tmp_path / "prompts.csv", 3000)
    reference = tmp_path / "reference.csv"
    assert gen(tiny_model, "--input", str(prompts), "--output", str(reference), "-n", "30").exit_code == 0
    out = tmp_path / "out.csv"
    command = [sys.executable, "-m", "lstm_edge.runtime", "--model", str(tiny_model), "--input", str(prompts)]
    command += ["--output", str(out), "-n", "30", "--batch-size", "5"]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not out.exists() or out.stat().st_size < 20_000):
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    partial = len(read_rows(out)) - 1
    assert 0 < partial < 3000, partial
    with open(out, "ab") as handle:  # as if it died in the middle of a record
        handle.write(b'SKU-99999,"half a row')
    again = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert again.returncode == 0, again.stderr
    assert f"({partial:,} done before)" in again.stderr
    assert out.read_bytes() == reference.read_bytes()


def test_a_finished_output_is_left_as_it_is(tiny_model: Path, prompts_csv: Path, tmp_path: Path):
    out = tmp_path / "out.csv"
    assert gen(tiny_model, "--input", str(prompts_csv), "--output", str(out)).exit_code == 0
    before = out.read_bytes()
    result = gen(tiny_model, "--input", str(prompts_csv), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert "generated 0 " in result.stderr
    assert out.read_bytes() == before


def test_a_compressed_input_is_read_like_the_plain_one(tiny_model: Path, prompts_csv: Path, tmp_path: Path):
    """The input is read by the reader training and lstm-eval use: gzip, bzip2, xz and zip by content."""
    plain, packed = tmp_path / "plain.csv", tmp_path / "packed.csv.xz"
    packed.write_bytes(lzma.compress(prompts_csv.read_bytes()))
    assert gen(tiny_model, "--input", str(prompts_csv), "--output", str(plain), "-n", "6").exit_code == 0
    result = gen(tiny_model, "--input", str(packed), "--output", str(tmp_path / "out.csv"), "-n", "6")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.csv").read_bytes() == plain.read_bytes()
    assert "rows 40/40 " in result.stderr  # the row count for the progress line, read from the xz too


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,notes\nx,y\n", "exists and is not an earlier run of this job (other columns)"),
        (
            "sku,prompt,price,generated,stop_reason\nSKU-00000,Another prompt,0,text,eos\n",
            "row 1 does not hold row 1 of",
        ),
    ],
)
def test_an_output_that_is_not_this_jobs_is_refused_untouched(
    tiny_model: Path, prompts_csv: Path, tmp_path: Path, content: str, message: str
):
    out = tmp_path / "mine.csv"
    out.write_text(content, encoding="utf-8")
    result = gen(tiny_model, "--input", str(prompts_csv), "--output", str(out))
    assert result.exit_code == 1
    assert message in result.output and result.output.startswith("Error: ")
    assert out.read_text(encoding="utf-8") == content


@pytest.mark.parametrize(
    ("arguments", "message", "code"),
    [
        (["--input", "{csv}"], "--input and --output go together", 2),
        (["--input", "{csv}", "--output", "{out}", "A prompt"], "--input excludes PROMPT arguments", 2),
        (["--input", "{csv}", "--output", "{out}", "--column", "title"], "no column 'title'; the columns are", 1),
        (["--input", "{missing}", "--output", "{out}"], "missing.csv: no such file", 1),
        (
            ["--input", "{csv}", "--output", "{out}", "--output-column", "price"],
            "already has a column 'price'",
            1,
        ),
    ],
)
def test_bad_bulk_options_are_one_line_errors(
    tiny_model: Path, prompts_csv: Path, tmp_path: Path, arguments: list[str], message: str, code: int
):
    values = {"csv": prompts_csv, "out": tmp_path / "out.csv", "missing": tmp_path / "missing.csv"}
    result = gen(tiny_model, *(argument.format(**values) for argument in arguments))
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out.csv").exists()

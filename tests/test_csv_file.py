"""The one reader of data files (`runtime/text_source.py`, `runtime/csv_file.py`): lines and rows exactly as
the standard library reads a file opened with newline="", whatever the reads' boundaries; compressed files
read and named by their text; a quoted field left open is an error. Runtime only: no torch, no pandas."""

from __future__ import annotations

import bz2
import contextlib
import csv
import gzip
import hashlib
import io
import lzma
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_edge.runtime import text_source
from lstm_edge.runtime.csv_file import ColumnReader, CsvFile, read_column
from lstm_edge.runtime.errors import CorpusError
from lstm_edge.runtime.text_source import data_digests, open_text
from lstm_edge.runtime.texts import builtin_corpus_path

# line ends of every kind, quotes, commas and characters of 1–4 UTF-8 bytes, so reads split all of them
PIECES = st.sampled_from(["\n", "\r", "\r\n", '"', ",", "a", "bc", " ", "é", "€", "𝄞", '""', "\r\r\n"])
TEXTS = st.lists(PIECES, max_size=60).map("".join)
FIELDS = st.text(alphabet=st.sampled_from(list('ab ,"\n\r\r\né€𝄞')), max_size=12)


def written(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


@settings(max_examples=300, deadline=None)
@given(text=TEXTS, chunk=st.integers(1, 7))
def test_lines_are_the_standard_librarys_whatever_the_reads(tmp_path_factory, text, chunk):
    path = written(tmp_path_factory.mktemp("lines"), text)
    with reads_of(chunk), open_text(path) as source:
        assert list(source) == list(io.StringIO(text, newline=""))


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.lists(FIELDS, min_size=1, max_size=4), min_size=1, max_size=8), chunk=st.integers(1, 9))
def test_rows_are_the_csv_modules_whatever_the_reads(tmp_path_factory, rows, chunk):
    rows = [["header"], *rows]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path = written(tmp_path_factory.mktemp("rows"), buffer.getvalue())
    expected = list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))
    with reads_of(chunk), CsvFile(path) as file:
        assert [file.header, *file] == expected


@contextlib.contextmanager
def reads_of(size: int) -> Iterator[None]:
    """`text_source.CHUNK` (bytes per read) set to `size` for one example (hypothesis runs many per test)."""
    original, text_source.CHUNK = text_source.CHUNK, size
    try:
        yield
    finally:
        text_source.CHUNK = original


def test_a_long_line_over_many_reads_is_one_line(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(text_source, "CHUNK", 1000)
    long = "a review, " * 100_000  # a million characters, a thousand reads
    path = written(tmp_path, f'text\n"{long}"\r\nnext\n')
    assert list(read_column(path, "text")) == [long.strip(), "next"]


def test_lenient_like_pandas_but_a_quote_left_open_is_refused(tmp_path: Path):
    path = written(tmp_path, 'text\n"Love it" - great fit\nfine\n')
    assert list(read_column(path, "text")) == ["Love it - great fit", "fine"]
    for text, line in [('text\nfine\n"never closed\nand, all, the rest\n', 3), ('text\n"', 2), ('text\na\n"\n', 3)]:
        with pytest.raises(CorpusError, match=f'line {line}: a quoted field is not closed \\(no " before the end'):
            list(read_column(written(tmp_path, text), "text"))


def test_a_last_row_without_a_line_end_and_short_rows(tmp_path: Path):
    with ColumnReader(written(tmp_path, "id,text\n1,first\n2\n3,\n4,last"), "text") as reader:
        assert list(reader) == ["first", "last"]
        assert (reader.rows, reader.skipped) == (4, 2)


def test_the_data_is_named_by_its_text_whatever_the_compression(tmp_path: Path):
    plain = written(tmp_path, "description\na cream coat\nthe silk dress, lined\n" * 50)
    text = plain.read_bytes()
    with zipfile.ZipFile(tmp_path / "data.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.csv", text)
    packed = {"gzip": gzip.compress(text), "bzip2": bz2.compress(text), "xz": lzma.compress(text)}
    files = {name: tmp_path / f"data.{name}" for name in packed} | {"zip": tmp_path / "data.zip"}
    for name, content in packed.items():
        files[name].write_bytes(content)
    expected = hashlib.sha256(text).hexdigest()
    assert data_digests(plain).sha256 == data_digests(plain).stored_sha256 == expected
    for name, path in files.items():
        digests = data_digests(path)
        stored = hashlib.sha256(path.read_bytes()).hexdigest()
        assert (digests.sha256, digests.stored_sha256) == (expected, stored), name
        assert digests.matches(expected) and digests.matches(stored), name  # an earlier lstm-edge recorded `stored`
        assert not digests.matches(hashlib.sha256(b"other").hexdigest()) and not digests.matches(None), name
        assert list(read_column(path, "description")) == list(read_column(plain, "description")), name


def test_digests_cover_the_whole_file_when_the_reading_stopped_early(tmp_path: Path):
    path = tmp_path / "data.csv.xz"
    path.write_bytes(lzma.compress(("description\n" + "a coat\n" * 100_000).encode()))
    with ColumnReader(path, "description") as reader:
        assert next(iter(reader)) == "a coat"
        assert reader.digests == data_digests(path)


def test_progress_counts_the_stored_bytes(tmp_path: Path):
    path = tmp_path / "data.csv.gz"
    path.write_bytes(gzip.compress(("description\n" + "a cream coat\n" * 20_000).encode()))
    seen: list[int] = []
    assert len(list(read_column(path, "description", seen.append))) == 20_000
    assert seen == sorted(seen) and seen[-1] == path.stat().st_size


def test_the_built_in_corpus_ships_as_xz_and_reads_as_the_csv_the_shipped_model_saw():
    path = builtin_corpus_path()
    assert path.name == "fashion_descriptions.csv.xz" and path.read_bytes().startswith(b"\xfd7zXZ\x00")
    assert data_digests(path).sha256 == "ce1c83b23f89aa0b7d5a1077d968649674c689ac3db03aa8f6e0f5a7ac07a4e0"
    with ColumnReader(path, "description") as reader:
        assert sum(1 for _ in reader) == 60_000 and reader.skipped == 0

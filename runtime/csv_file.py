"""CSV data files, parsed with the standard library's csv module as they are read (once, from start to end).

    CsvFile(path)               .header, rows (iterating), .column_index(name), .digests
    ColumnReader(path, column)  the stripped, non-empty cells of one column, in file order; .rows, .skipped
    read_column(path, column)   the same texts as a generator, telling progress

The one CSV reader: `lstm-train` (through `train/corpus.py`), `lstm-eval` and `lstm-gen --input` parse
through here, so they see the same texts and report the same errors. Bytes become text in
`text_source.py` (compressed files, pipes, UTF-8 errors, digests).
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import CorpusError
from .text_source import DataDigests, TextSource, open_text

FIELD_LIMIT = 64 * 1024 * 1024  # one cell; the csv module's default (128 KiB) is below some real reviews
# Read after the text: after a complete row, the csv module makes it a row of its own, _END_ROW; inside a
# quoted field that the file never closed, its quote closes the field, and that row ends with "\uffff".
_END = '"\uffff\n'
_END_ROW = ["\uffff\n"]


class CsvFile:
    """A CSV file's header and rows, streamed. Rows are lists of fields as the csv module splits them
    (its default dialect, lenient like pandas: `"Love it" - great fit` is `Love it - great fit`); a quoted
    field still open at the end of the file is an error, not a last cell holding the rest of the file."""

    def __init__(self, path: str | Path, source: str | None = None) -> None:
        self.text: TextSource = open_text(path, source)
        self.source = self.text.source
        self.line = 0  # the line the last row read ends on
        try:
            csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))
            self._reader = csv.reader(itertools.chain(self.text, [_END]))
            self._rows = self._read_rows()
            header = next(self._rows, None)
            if header is None or not any(name.strip() for name in header):
                raise self._blank_header()
            self.header: list[str] = header
        except BaseException:
            self.text.close()
            raise

    def _read_rows(self) -> Iterator[list[str]]:
        try:
            previous, line = next(self._reader, _END_ROW), self._reader.line_num
            for row in self._reader:
                self.line = line
                yield previous
                previous, line = row, self._reader.line_num
        except csv.Error as error:
            where = f"line {self._reader.line_num}"
            raise CorpusError(f"{self.source}: not a readable CSV file ({where}: {error})") from None
        if previous != _END_ROW:
            raise CorpusError(
                f'{self.source}: line {self.line + 1}: a quoted field is not closed (no " before the end of the file)'
            )

    def _blank_header(self) -> CorpusError:
        for _ in self.text:  # the rest: is there any text at all?
            pass
        if not self.text.saw_text:
            return CorpusError(f"{self.source}: the file is empty")
        return CorpusError(f"{self.source}: the first line is blank; expected a CSV header")

    def __iter__(self) -> Iterator[list[str]]:
        """The rows after the header (each once)."""
        return self._rows

    def column_index(self, column: str) -> int:
        if column not in self.header:
            available = ", ".join(repr(name) for name in self.header)
            raise CorpusError(
                f"{self.source}: no column {column!r}; the columns are: {available} (choose one with --column)"
            )
        return self.header.index(column)

    @property
    def digests(self) -> DataDigests:
        """Of the whole file; call once the rows were read."""
        return self.text.digests

    def close(self) -> None:
        self.text.close()

    def __enter__(self) -> CsvFile:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class ColumnReader:
    """The stripped, non-empty cells of one column, in file order; counts the rows and the skipped ones.

    with ColumnReader(path, "description") as reader:
        for text in reader:
            ...
        reader.rows, reader.skipped, reader.digests    # once read to the end
    """

    def __init__(self, path: str | Path, column: str, source: str | None = None) -> None:
        self.file = CsvFile(path, source)
        self.source, self.column = self.file.source, column
        self.rows = 0  # after the header
        self.skipped = 0  # empty, blank or missing cells
        try:
            self._index = self.file.column_index(column)
        except BaseException:
            self.file.close()
            raise

    def __iter__(self) -> Iterator[str]:
        index = self._index
        for row in self.file:
            self.rows += 1
            cell = row[index].strip() if index < len(row) else ""
            if cell:
                yield cell
            else:
                self.skipped += 1

    @property
    def bytes_read(self) -> int:
        return self.file.text.bytes_read

    @property
    def digests(self) -> DataDigests:
        return self.file.digests

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> ColumnReader:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def read_column(path: Path, column: str, progress: Callable[[int], None] | None = None) -> Iterator[str]:
    """The stripped, non-empty cells of `column`, in file order, one at a time (`ColumnReader`'s texts).

    `progress(bytes_read)` is called now and then (bytes of the file as stored). Raises CorpusError for
    a file that is not UTF-8 CSV text or lacks the column.
    """
    with ColumnReader(path, column) as reader:
        for number, text in enumerate(reader):
            yield text
            if progress is not None and number % 256 == 0:
                progress(reader.bytes_read)
    if progress is not None:
        with contextlib.suppress(OSError):
            progress(os.path.getsize(path))

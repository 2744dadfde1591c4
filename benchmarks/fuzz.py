"""Fuzzing and the reliability catalogue: `python -m benchmarks fuzz [--quick]`.

Tries, and counts, what a hostile or careless user can throw at the three commands:

- the crafted model files of `benchmarks/hostile.py` (outside data behind a sentinel FIFO, subgraphs,
  functions, bombs, lying metadata) through `lstm-gen --model`;
- byte-mutated copies of the shipped model (bit flips, overwritten, inserted, deleted, duplicated and
  truncated spans, giant varints; most of them aimed at the protobuf structure rather than the weights)
  through `lstm-gen --model … -n 3` or `--info`, half of them on the numpy backend;
- the paths of `hostile.path_cases` (a FIFO behind a sentinel, /dev/zero, a 600 MB hole, a socket, …);
- random argument vectors for `lstm-gen`, `lstm-gen --bench`, `lstm-eval`, `lstm-export` and `lstm-train`,
  drawn from each option's good and bad values (NaN, infinities, negative and huge counts, garbage, special
  files, a pipe, non-UTF-8 bytes, odd prompts and stdin); some `--bench` vectors run as a process whose
  standard output is closed or full (/dev/full). Every input file, special file and checkpoint the vectors
  point at must stay as it was; what lstm-export says it wrote must load; what lstm-gen and lstm-eval
  print must be UTF-8 (and JSON with --json).

Every run is classified: `ran` (exit 0), `refused` (exit 1 with exactly one `Error: …` line), `usage`
(exit 2, click's usage error), or `bug` (a traceback, another exit status, a hang, a message of several
lines, a file touched, "out of memory": no input here is large, so that is memory without bound). The
fuzzers are seeded: the same seed and count try the same inputs. They run in worker processes (`python -m
benchmarks.fuzz WORKER SEED COUNT`), side by side, so a crash or a hang counts as a bug; each under an
address-space limit (WORKER_MEMORY), so memory without bound fails there instead of taking the machine.

`--quick` is the form the test suite runs (a few hundred inputs); the full run is `make fuzz`.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.common import ROOT, print_table

FULL = {
    "models": 7000,
    "lstm-gen": 1000,
    "lstm-gen --bench": 100,
    "lstm-eval": 500,
    "lstm-export": 150,
    "lstm-train": 300,
}
QUICK = {"models": 200, "lstm-gen": 120, "lstm-gen --bench": 12, "lstm-eval": 30, "lstm-export": 4, "lstm-train": 15}
WORKER_MEMORY = 8 << 30  # bytes of address space per worker process (RLIMIT_AS)
VECTOR_SECONDS = 120  # one input may take this long (a full export with int8 is about 10 s) before it is a hang
BAD_CHANCE = 0.15  # per option


@dataclass
class Tally:
    """Outcomes of one fuzzer: counts per kind, and what the bugs were."""

    counts: Counter[str] = field(default_factory=Counter)
    bugs: list[str] = field(default_factory=list)
    touched: int = 0  # inputs whose files changed, or whose outside data was opened (each also a bug)

    def add(self, kind: str, detail: str = "", touched: bool = False) -> None:
        self.counts[kind] += 1
        self.touched += touched
        if kind == "bug":  # which input (at the start) and how it ended (at the end)
            self.bugs.append(detail if len(detail) <= 2400 else f"{detail[:800]} […] {detail[-1600:]}")

    @property
    def tried(self) -> int:
        return sum(self.counts.values())


def classify(exit_code: int, stdout: str, stderr: str, exception: BaseException | None = None) -> tuple[str, str]:
    """The kind of one run of a command and, for a bug, why."""
    from lstm_edge.runtime.console import BUG_HINT

    shown = f"exit {exit_code}\nstdout: {stdout[-500:]!r}\nstderr: {stderr[-1500:]!r}"
    if exception is not None and not isinstance(exception, SystemExit):
        return "bug", f"{type(exception).__name__}: {exception}\n{shown}"
    if "Traceback (most recent call last)" in stderr or BUG_HINT in stderr:
        return "bug", shown
    errors = [line for line in stderr.splitlines() if line.startswith("Error: ")]
    if any(line.startswith("Error: out of memory") for line in errors):
        return "bug", f"memory without bound\n{shown}"
    if exit_code == 0:
        return "ran", ""
    if exit_code == 1 and len(errors) == 1 and stderr.endswith("\n"):  # stdout may hold progress before it
        return "refused", ""
    if exit_code == 1 and stderr.strip() in ("", "Aborted!"):
        return "refused", ""  # a reader that left (broken pipe) or Ctrl-C: quiet by design
    if exit_code == 2 and len(errors) == 1:
        return "usage", ""
    return "bug", shown


# --- byte mutations of the shipped model -----------------------------------------------------------


def raw_data_spans(data: bytes) -> list[tuple[int, int]]:
    """Where the tensors' raw bytes lie in the file: the rest is the protobuf structure."""
    import onnx

    model = onnx.load_from_string(data)
    spans = []
    for tensor in model.graph.initializer:
        if len(tensor.raw_data) > 64:
            start = data.find(tensor.raw_data)
            if start >= 0:
                spans.append((start, start + len(tensor.raw_data)))
    return sorted(spans)


def mutate(data: bytes, rng: random.Random, structure: list[int]) -> bytes:
    """One mutant: 1–3 mutations, each at a structure position (4 in 5) or anywhere."""
    mutant = bytearray(data)
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        size = len(mutant)
        if size < 2:
            break
        position = rng.choice(structure) if rng.random() < 0.8 and structure else rng.randrange(size)
        position = min(position, size - 1)
        kind = rng.randrange(9)
        if kind == 0:  # flip bits
            for _ in range(rng.randint(1, 8)):
                spot = min(size - 1, position + rng.randrange(8))
                mutant[spot] ^= 1 << rng.randrange(8)
        elif kind == 1:  # a byte every parser has an opinion about
            mutant[position] = rng.choice((0x00, 0x01, 0x7F, 0x80, 0xFF, 0x08, 0x0A, 0x12, 0x22, 0x3A))
        elif kind == 2:  # overwrite a span with random bytes
            length = rng.randint(1, 64)
            mutant[position : position + length] = rng.randbytes(min(length, size - position))
        elif kind == 3:  # insert random bytes
            mutant[position:position] = rng.randbytes(rng.randint(1, 16))
        elif kind == 4:  # delete a span
            del mutant[position : position + rng.randint(1, 64)]
        elif kind == 5:  # duplicate a span
            length = rng.randint(1, 256)
            mutant[position:position] = mutant[position : position + length]
        elif kind == 6:  # truncate
            del mutant[position:]
        elif kind == 7:  # a giant or overlong varint
            mutant[position : position + 1] = rng.choice((b"\xff" * 9 + b"\x01", b"\xff" * 12, b"\x80" * 10 + b"\x00"))
        else:  # copy a span from elsewhere in the file
            source = rng.choice(structure) if structure else rng.randrange(size)
            length = rng.randint(2, 32)
            mutant[position : position + length] = mutant[source : source + length]
    return bytes(mutant)


def fuzz_models(seed: int, count: int, workdir: Path) -> Tally:
    from click.testing import CliRunner

    from lstm_edge.runtime.cli import main as gen_main
    from lstm_edge.runtime.model_file import default_model_path

    data = default_model_path().read_bytes()
    spans = raw_data_spans(data)
    structure = [i for i in range(len(data)) if not any(start <= i < end for start, end in spans)]
    tally = Tally()
    runner = CliRunner()
    path = workdir / "mutant.onnx"
    for index in range(count):
        rng = random.Random(f"model:{seed}:{index}")
        mutant = mutate(data, rng, structure)
        path.write_bytes(mutant)
        arguments = ["--model", str(path), *(["--info"] if rng.random() < 0.2 else ["-n", "3", "A cream coat"])]
        arguments += ["--backend", "numpy"] if rng.random() < 0.5 else []  # the other reader of the weights
        with _time_limit(VECTOR_SECONDS):
            result = runner.invoke(gen_main, arguments)
        kind, detail = classify(result.exit_code, result.stdout, result.stderr, result.exception)
        touched = path.read_bytes() != mutant
        if touched:
            kind, detail = "bug", "the model file changed"
        tally.add(kind, f"mutant {index} (seed {seed}): {detail}", touched)
    return tally


# --- argument vectors -------------------------------------------------------------------------------


@dataclass
class Vector:
    """One try: the arguments, what stdin holds, and how stdout is given (None: captured in-process;
    "closed" or "full": a real process whose standard output is closed, or /dev/full)."""

    arguments: list[str]
    stdin: str | bytes | None = None
    stream: str | None = None


class FedPipe:
    """A FIFO that reads like `--data <(zcat a.csv.gz)`: the first reader after `refill()` gets `data`, and
    every later one an immediate end of file (the writer is gone). A thread plays the writer."""

    def __init__(self, path: Path, data: bytes) -> None:
        self.path = path
        self._data = data
        self._fresh = threading.Event()
        self._fresh.set()
        os.mkfifo(path)
        threading.Thread(target=self._feed, daemon=True).start()

    def refill(self) -> None:
        self._fresh.set()

    def _feed(self) -> None:
        while True:
            try:
                with open(self.path, "wb") as pipe:  # blocks until a reader comes
                    if self._fresh.is_set():
                        self._fresh.clear()
                        pipe.write(self._data)
                        continue
            except OSError:
                pass
            time.sleep(0.001)  # a reader still has it open: it got its end of file, let it go


class Fixtures:
    """Files the argument fuzzers point at, all inside `root` (special files are links or made there)."""

    def __init__(self, root: Path, with_run: bool = False, run: Path | None = None) -> None:
        from lstm_edge.runtime.contract import int8_twin
        from lstm_edge.runtime.model_file import default_model_path
        from lstm_edge.train.catalogue import generate_descriptions

        self.root = root
        self.csv = root / "descriptions.csv"
        rows = ["description", *(f'"{text}"' for text in generate_descriptions(60, seed=3))]
        self.csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
        self.model = default_model_path()
        self.int8_model = int8_twin(self.model)
        self.prompts = root / "prompts.csv"
        self.prompts.write_text(
            'prompt,id\nA cream coat,1\n,2\nA linen shirt,3\n"Our slim, jeans",4\n', encoding="utf-8"
        )
        self.directory = root / "a-directory"
        self.directory.mkdir()
        self.file = root / "a-file.txt"
        self.file.write_text("not what you think\n")
        self.empty = root / "empty.csv"
        self.empty.write_bytes(b"")
        self.binary = root / "binary.bin"
        self.binary.write_bytes(random.Random(0).randbytes(2048))
        self.fifo = root / "a-fifo"  # no writer: a command that opens it for reading waits for ever
        os.mkfifo(self.fifo)
        self.fed_pipe = FedPipe(root / "a-pipe", self.csv.read_bytes())  # refilled before each try
        self.pipe = self.fed_pipe.path
        self.socket = root / "a-socket"
        self._server = socket.socket(socket.AF_UNIX)
        self._server.bind(str(self.socket))
        self.null = root / "null-link"
        self.null.symlink_to(os.devnull)
        self.zero = root / "zero-link"
        self.zero.symlink_to("/dev/zero")
        self.non_utf8 = root / os.fsdecode(b"caf\xe9.csv")
        self.non_utf8.write_bytes(self.csv.read_bytes())
        self.run = root / "tiny-run"
        if with_run and run is not None:
            shutil.copytree(run, self.run)  # a copy: exports write model.onnx into it
        elif with_run:
            self._train_tiny_run()

    def _train_tiny_run(self) -> None:
        from click.testing import CliRunner

        from lstm_edge.train.cli import main as train_main

        tiny = ["--embedding-dim", "8", "--hidden-sizes", "8", "--dense-size", "8", "--epochs", "1", "-q"]
        result = CliRunner().invoke(train_main, ["--data", str(self.csv), "--out", str(self.run), *tiny])
        if result.exit_code != 0:
            raise RuntimeError(f"cannot train the fuzzers' tiny run: {result.output}")

    def data_paths(self) -> list[str]:
        """Paths a data option gets tried with: all but the FIFO without a writer, where reading a pipe waits
        for one (as `cat` does); the fed pipe stands for pipes."""
        return [path for path in self.paths() if path != str(self.fifo)]

    def paths(self) -> list[str]:
        """Paths every file option gets tried with."""
        return [
            str(p)
            for p in (
                self.directory,
                self.file,
                self.empty,
                self.binary,
                self.fifo,
                self.pipe,
                self.socket,
                self.null,
                self.zero,
                self.non_utf8,
                self.root / "missing",
                self.file / "under-a-file",
            )
        ] + ["", "-", ".", "\x7f", "a" * 300]


NUMBERS = [
    "nan",
    "-nan",
    "inf",
    "-inf",
    "1e309",
    "-1",
    "0",
    "1",
    "2",
    "0.5",
    "1e-300",
    "9" * 40,
    "0x10",
    "",
    "abc",
    "½",
]
STRINGS = ["", " ", "A cream coat", "ü", "\u2028", "\x00x"[1:], "-", "--", "-x", "é" * 500, "\udcff"]


def _choose(rng: random.Random, good: list[str], bad: list[str]) -> str:
    """Mostly a good value: a vector with several options then often gets past the usage checks."""
    return rng.choice(bad) if rng.random() < BAD_CHANCE else rng.choice(good)


def gen_vector(rng: random.Random, fixtures: Fixtures) -> Vector:
    options: list[list[str]] = []
    model_choices = [str(fixtures.model)] * 6 + fixtures.paths()
    if rng.random() < 0.6:
        options.append([rng.choice(["-m", "--model"]), rng.choice(model_choices)])
    if rng.random() < 0.4:
        options.append([rng.choice(["-n", "--words"]), _choose(rng, ["1", "3", "10"], [*NUMBERS, "1001", "100000"])])
    if rng.random() < 0.4:
        options.append([rng.choice(["-t", "--temperature"]), _choose(rng, ["0", "0.8", "1.5"], [*NUMBERS, "101"])])
    if rng.random() < 0.3:
        options.append(["--top-k", _choose(rng, ["0", "1", "20"], [*NUMBERS, "10000000"])])
    if rng.random() < 0.3:
        options.append(["--top-p", _choose(rng, ["1", "0.9", "0.5"], NUMBERS)])
    if rng.random() < 0.3:
        options.append(["--seed", _choose(rng, ["0", "7"], [*NUMBERS, str(2**63), str(2**64)])])
    if rng.random() < 0.3:
        options.append(["--threads", _choose(rng, ["1", "2"], ["0", "257", *NUMBERS])])
    if rng.random() < 0.3:
        options.append(["--backend", _choose(rng, ["auto", "onnxruntime", "numpy"], ["", "torch", "NUMPY"])])
    options += _decoding_options(rng)
    for flag, chance in (
        ("--json", 0.3),
        ("--stream", 0.2),
        ("--raw", 0.1),
        ("--info", 0.1),
        ("-V", 0.02),
        ("-h", 0.02),
    ):
        if rng.random() < chance:
            options.append([flag])
    if rng.random() < 0.1:  # a CSV in, a CSV out
        output = str(fixtures.root / f"generated-{rng.randrange(3)}.csv")
        options.append(["--input", _choose(rng, [str(fixtures.prompts)], [*fixtures.paths(), str(fixtures.csv)])])
        options.append(["--output", _choose(rng, [output], fixtures.paths())])
        for name, good, bad in (
            ("--column", ["prompt", "id"], ["", "missing", "ü"]),
            ("--output-column", ["generated", "text"], ["", "prompt", "id", "stop_reason"]),
            ("--workers", ["1", "2"], ["0", "257", *NUMBERS]),
            ("--batch-size", ["1", "64"], ["0", "65537", *NUMBERS]),
        ):
            if rng.random() < 0.4:
                options.append([name, _choose(rng, good, bad)])
    prompts = [
        rng.choice([*STRINGS, "A cream coat", "Our slim jeans", "A linen shirt"]) for _ in range(rng.randint(0, 3))
    ]
    arguments = _shuffled(rng, options) + prompts
    stdin: str | bytes | None = None
    if not prompts and rng.random() < 0.8:
        stdin = rng.choice(
            [
                "A wool coat\nA denim jacket\n",
                "",
                "\n\n\n",
                b"\xff\xfe caf\xe9\n",
                "one\u2028line\r\nand\rthree\n",
                "x" * 20000,
                "A coat\n" * 300,
            ]
        )
    return Vector(arguments, stdin)


def _decoding_options(rng: random.Random) -> list[list[str]]:
    """The repetition rules and beam search, as lstm-gen and lstm-eval take them."""
    options = []
    for name, good, bad, chance in (
        ("--repetition-penalty", ["1", "1.2", "3"], ["0.5", "10.5", *NUMBERS], 0.2),
        ("--no-repeat-ngram", ["0", "2", "4"], ["-1", "21", *NUMBERS], 0.2),
        ("--beams", ["1", "2", "4"], ["0", "33", *NUMBERS], 0.15),
    ):
        if rng.random() < chance:
            options.append([name, _choose(rng, good, bad)])
    return options


def bench_vector(rng: random.Random, fixtures: Fixtures) -> Vector:
    """`lstm-gen --bench` with hostile models, backends and thread counts, options it ignores (negative and
    huge counts among them), and, one time in four, a real process with its standard output closed or full."""
    options: list[list[str]] = [["--bench"]]
    if rng.random() < 0.7:
        models = [str(fixtures.model)] * 3 + [str(fixtures.int8_model)]
        options.append([rng.choice(["-m", "--model"]), _choose(rng, models, fixtures.paths())])
    if rng.random() < 0.6:
        options.append(["--backend", _choose(rng, ["auto", "onnxruntime", "numpy"], ["", "torch", "NUMPY", "ort"])])
    if rng.random() < 0.3:
        options.append(["--threads", _choose(rng, ["1", "2"], ["0", "-1", "257", str(2**64), *NUMBERS])])
    if rng.random() < 0.4:
        options.append(["--json"])
    if rng.random() < 0.25:  # an option --bench does not take, good or bad
        name, values = rng.choice(
            [
                ("-n", ["-1", "0", "5", "1001", "100000", "1e9"]),
                ("--workers", ["-3", "0", "2", "257", str(2**40)]),
                ("--batch-size", ["-1", "64", "65537", "9" * 30]),
                ("--top-k", ["-5", "20", "10000001"]),
                ("--seed", ["-1", "7", str(2**64)]),
                ("--temperature", ["-1", "0.8", "nan"]),
                ("--beams", ["-2", "4", "33"]),
                ("--input", [str(fixtures.prompts), str(fixtures.fifo)]),
            ]
        )
        options.append([name, rng.choice(values)])
    for flag in ("--stream", "--info", "--raw"):
        if rng.random() < 0.03:
            options.append([flag])
    prompts = ["A cream coat"] if rng.random() < 0.05 else []
    stream = rng.choice(["closed", "full"]) if rng.random() < 0.25 else None
    return Vector(_shuffled(rng, options) + prompts, stream=stream)


def eval_vector(rng: random.Random, fixtures: Fixtures) -> Vector:
    """`lstm-eval` on the shipped models (and things that are not models) with hostile data and options."""
    models = [str(fixtures.model)] * 4 + [str(fixtures.int8_model)]
    chosen = [_choose(rng, models, [*fixtures.paths(), str(fixtures.csv)]) for _ in range(rng.choice((1, 1, 2, 3)))]
    options: list[list[str]] = []
    tries = [
        (["--split"], ["all", "validation", "training"], ["", "test", "ALL"], 0.3),
        (["-b", "--batch-size"], ["1", "8", "64"], ["0", "4097", *NUMBERS], 0.3),
        (["--generate"], ["0", "2", "5", "1000000"], ["-1", "1000001", *NUMBERS], 0.4),
        (["--prompt-words"], ["0", "1", "3"], ["-1", "101", *NUMBERS], 0.3),
        (["-n", "--words"], ["1", "5", "20"], ["0", "-5", "1001", *NUMBERS], 0.4),
        (["--threads"], ["1", "2"], ["0", "257", *NUMBERS], 0.2),
    ]
    if rng.random() < 0.85:
        good = [str(fixtures.csv)] * 4 + [str(fixtures.pipe)]
        options.append(["--data", _choose(rng, good, [*fixtures.data_paths(), str(fixtures.model)])])
        if rng.random() < 0.8:
            options.append(["--column", _choose(rng, ["description"], ["", "missing", "ü", "prompt", "\x7f"])])
        tries.append((["--rows"], ["1", "10", "50"], ["0", "-1", str(2**63), *NUMBERS], 0.4))
    else:  # the built-in corpus: 60,000 texts, too many for one try, so always a few rows of it
        options.append(["--rows", rng.choice(["1", "20"])])
    for names, good_values, bad_values, chance in tries:
        if rng.random() < chance:
            options.append([rng.choice(names), _choose(rng, good_values, bad_values)])
    options += _decoding_options(rng)
    for flag, chance in (("--json", 0.4), ("-q", 0.5), ("-V", 0.02), ("-h", 0.02)):
        if rng.random() < chance:
            options.append([flag])
    return Vector(_shuffled(rng, options) + chosen)


def export_vector(rng: random.Random, fixtures: Fixtures) -> Vector:
    sources = [str(fixtures.run), str(fixtures.run / "best.pt"), str(fixtures.run / "last.pt")]
    options: list[list[str]] = []
    out = fixtures.root / f"export-{rng.randrange(4)}" / "model.onnx"
    if rng.random() < 0.8:
        options.append([rng.choice(["-o", "--output"]), _choose(rng, [str(out)], fixtures.paths())])
    if rng.random() < 0.2:
        options.append(["--quantize", _choose(rng, ["int8"], ["int4", "", "INT8"])])
    if rng.random() < 0.3:
        options.append(["--opset", _choose(rng, ["14", "17", "20"], ["13", "21", *NUMBERS])])
    if rng.random() < 0.2:
        options.append(["--force"])
    if rng.random() < 0.3:
        options.append(["--min-agreement", _choose(rng, ["0", "0.5", "1"], [*NUMBERS, "1.5"])])
    if rng.random() < 0.2:
        options.append(["--data", _choose(rng, [str(fixtures.csv)], fixtures.paths())])
    source = _choose(rng, sources, [*fixtures.paths(), str(fixtures.model), str(fixtures.csv)])
    # Without -o the model goes beside the source: keep that in the fixtures' copy of the run only.
    if not any(option[0] in ("-o", "--output") for option in options) and source not in sources:
        options.append(["-o", str(out)])
    return Vector([*_shuffled(rng, options), source])


def train_vector(rng: random.Random, fixtures: Fixtures) -> Vector:
    options: list[list[str]] = [["--out", str(fixtures.root / f"run-{rng.randrange(3)}")]]
    if rng.random() < 0.2:
        options[0][1] = rng.choice(fixtures.paths())
    good = [str(fixtures.csv)] * 4 + [str(fixtures.pipe)]
    options.append(["--data", _choose(rng, good, [*fixtures.data_paths(), str(fixtures.model)])])
    choices: list[tuple[list[str], list[str], list[str], float]] = [
        (["--column"], ["description"], ["Review Text", "", "ü", "\x7f"], 0.2),
        (["-e", "--epochs"], ["1", "2"], ["0", "10001", *NUMBERS], 0.9),
        (["-b", "--batch-size"], ["4", "64"], ["0", "65537", *NUMBERS], 0.3),
        (["--lr"], ["0.001", "0.1"], ["0", "11", *NUMBERS], 0.3),
        (["--patience"], ["1", "3"], ["0", *NUMBERS], 0.2),
        (["--seed"], ["0", "5"], [*NUMBERS, str(2**31)], 0.2),
        (["--val-fraction"], ["0.2", "0.5"], ["0", "1", *NUMBERS], 0.3),
        (["--embedding-dim"], ["8"], ["0", "4097", *NUMBERS], 0.9),
        (["--hidden-sizes"], ["8", "8,4"], ["", "0", "8,,4", "4097", "a", "-1", "8,nan", "9" * 30], 0.9),
        (["--dense-size"], ["8"], ["0", "4097", *NUMBERS], 0.9),
        (["--dropout"], ["0", "0.3"], ["1", "-0.1", *NUMBERS], 0.3),
        (["--min-count"], ["1", "2"], ["0", *NUMBERS], 0.2),
        (["--max-vocab"], ["50", "5"], ["4", *NUMBERS], 0.2),
        (["--device"], ["cpu", "auto"], ["cuda", "cuda:7", "garbage", "", "meta", "mps", "cpu:0"], 0.3),
        (["--threads"], ["1", "2"], ["0", "1025", *NUMBERS], 0.2),
    ]
    for names, good, bad, chance in choices:
        if rng.random() < chance:
            options.append([rng.choice(names), _choose(rng, good, bad)])
    for flag, chance in (("--resume", 0.2), ("--overwrite", 0.4), ("-q", 0.8), ("-V", 0.02)):
        if rng.random() < chance:
            options.append([flag])
    return Vector(_shuffled(rng, options))


def _shuffled(rng: random.Random, options: list[list[str]]) -> list[str]:
    rng.shuffle(options)
    return [part for option in options for part in option]


def fuzz_cli(command: str, seed: int, count: int, workdir: Path, run: Path | None = None) -> Tally:
    from click.testing import CliRunner

    from lstm_edge.export.cli import main as export_main
    from lstm_edge.runtime.cli import main as gen_main
    from lstm_edge.runtime.eval_cli import main as eval_main
    from lstm_edge.train.cli import main as train_main

    main, vector = {
        "lstm-gen": (gen_main, gen_vector),
        "lstm-gen --bench": (gen_main, bench_vector),
        "lstm-eval": (eval_main, eval_vector),
        "lstm-export": (export_main, export_vector),
        "lstm-train": (train_main, train_vector),
    }[command]
    _quick_bench()
    fixtures = Fixtures(workdir, with_run=command == "lstm-export", run=run)
    protected = _snapshot(fixtures)
    tally = Tally()
    runner = CliRunner()
    for index in range(count):
        rng = random.Random(f"{command}:{seed}:{index}")
        tried = vector(rng, fixtures)
        arguments = tried.arguments
        fixtures.fed_pipe.refill()
        if tried.stream is None:
            with _time_limit(VECTOR_SECONDS), _one_torch_thread():
                result = runner.invoke(main, arguments, input=tried.stdin)
            kind, detail = classify(result.exit_code, result.stdout, result.stderr, result.exception)
            stdout = result.stdout_bytes
        else:
            code, stdout, stderr = _run_process(arguments, tried.stream)
            kind, detail = classify(code, stdout.decode(errors="replace"), stderr)
            if kind == "ran":
                kind, detail = "bug", f"exit 0 with standard output {tried.stream}: its output was lost unsaid"
        if kind == "ran":
            problem = CHECKS[command](arguments, stdout, fixtures)
            kind, detail = ("bug", problem) if problem else (kind, detail)
        named = _named_outputs(command, arguments, fixtures)  # what a command may replace: what it was told to
        changed = [
            name
            for name, before in protected.items()
            if fixtures.root / name not in named and _fingerprint(fixtures.root / name) != before
        ]
        if any(fixtures.root / name in named for name in protected):
            protected = _snapshot(fixtures)
        if changed:
            kind, detail = "bug", f"changed {changed}; {detail}"
            protected = _snapshot(fixtures)
        shown = f"{command} vector {index} (seed {seed}): {arguments!r} stdin={tried.stdin!r:.80}"
        shown += f" stdout={tried.stream}" if tried.stream else ""
        tally.add(kind, f"{shown}\n{detail}", bool(changed))
    return tally


# lstm-gen's console script with --bench's repeats cut to one: the fuzzer tries its paths, not its figures.
_QUICK_BENCH_SCRIPT = (
    "from benchmarks.fuzz import _quick_bench; _quick_bench(); from lstm_edge.runtime.cli import run; run()"
)


def _quick_bench() -> None:
    from lstm_edge.runtime import bench

    bench.COLD_RUNS, bench.REPEATS, bench.REPEAT_SECONDS = 1, 1, 0.002


def _run_process(arguments: list[str], stream: str) -> tuple[int, bytes, str]:
    """lstm-gen as a real process with its standard output closed (`>&-`) or full (/dev/full)."""
    command = [sys.executable, "-c", _QUICK_BENCH_SCRIPT, *arguments]
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        if stream == "closed":
            done = subprocess.run(
                ["sh", "-c", '"$@" >&-', "sh", *command],
                stdin=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=environment,
                timeout=VECTOR_SECONDS,
            )
        else:
            with open("/dev/full", "wb") as full:
                done = subprocess.run(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=full,
                    stderr=subprocess.PIPE,
                    env=environment,
                    timeout=VECTOR_SECONDS,
                )
    except subprocess.TimeoutExpired:
        return -1, b"", f"still running after {VECTOR_SECONDS} s"
    return done.returncode, b"", done.stderr.decode(errors="replace")


def _check_gen(arguments: list[str], stdout: bytes, fixtures: Fixtures) -> str:
    """What lstm-gen printed is valid UTF-8, and with --json every line is a JSON object (lines end at
    \\n only: U+2028 inside a JSON string is valid)."""
    try:
        text = stdout.decode("utf-8")
        if "--json" in arguments and "-h" not in arguments and "-V" not in arguments:
            documents = (
                [json.loads(line) for line in text.split("\n")[:-1]]
                if "--info" not in arguments
                else [json.loads(text)]
            )
            if not all(isinstance(document, dict) for document in documents):
                return "--json printed something else than objects"
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return f"invalid output: {error}"
    return ""


def _check_export(arguments: list[str], stdout: bytes, fixtures: Fixtures) -> str:
    """What lstm-export said it wrote loads in the runtime (and its int8 twin, when asked for)."""
    from lstm_edge.runtime.contract import int8_twin
    from lstm_edge.runtime.errors import ModelFileError
    from lstm_edge.runtime.model_file import load_model

    if "-h" in arguments or "-V" in arguments or "--version" in arguments:
        return ""
    flags = [i for i, part in enumerate(arguments) if part in ("-o", "--output")]
    written = Path(arguments[flags[-1] + 1]) if flags else fixtures.run / "model.onnx"
    try:
        load_model(written)
        if "--quantize" in arguments:
            load_model(int8_twin(written))
    except ModelFileError as error:
        return f"exit 0 but the output does not load: {error}"
    return ""


def _check_bench(arguments: list[str], stdout: bytes, fixtures: Fixtures) -> str:
    """--bench printed UTF-8; with --json, one document with a result per model and backend."""
    try:
        text = stdout.decode("utf-8")
        if "--json" in arguments and "-h" not in arguments:
            results = json.loads(text)["results"]
            if not results or not all(row["per_word_us_batch_1"] > 0 for row in results):
                return "--bench --json measured nothing"
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as error:
        return f"invalid output: {error!r}"
    return ""


def _check_eval(arguments: list[str], stdout: bytes, fixtures: Fixtures) -> str:
    """lstm-eval printed UTF-8; with --json, one document with a finite perplexity per model."""
    try:
        text = stdout.decode("utf-8")
        if "--json" in arguments and "-h" not in arguments and "-V" not in arguments:
            models = json.loads(text)["models"]
            if not models or not all(isinstance(model["perplexity"], float) for model in models):
                return "--json without a perplexity per model"
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as error:
        return f"invalid output: {error!r}"
    return ""


CHECKS: dict[str, Callable[[list[str], bytes, Fixtures], str]] = {
    "lstm-gen": _check_gen,
    "lstm-gen --bench": _check_bench,
    "lstm-eval": _check_eval,
    "lstm-export": _check_export,
    "lstm-train": lambda arguments, stdout, fixtures: "",
}


def _named_outputs(command: str, arguments: list[str], fixtures: Fixtures) -> set[Path]:
    """The paths a vector names as outputs (and lstm-export's int8 twin of its output)."""
    from lstm_edge.runtime.contract import int8_twin

    flags = {
        "lstm-export": ("-o", "--output"),
        "lstm-gen": ("--output",),
        "lstm-gen --bench": (),
        "lstm-eval": (),
        "lstm-train": ("-o", "--out"),
    }[command]
    named = {Path(arguments[i + 1]) for i, part in enumerate(arguments[:-1]) if part in flags}
    return named | {int8_twin(path) for path in named if path.name}


def _snapshot(fixtures: Fixtures) -> dict[str, tuple[int, int]]:
    """The fixtures no command may change: the inputs and the special files."""
    names = ["descriptions.csv", "prompts.csv", "a-file.txt", "empty.csv", "binary.bin", "a-fifo", "a-pipe"]
    names += ["a-socket"]
    names += ["null-link"]
    names += ["zero-link", "a-directory", fixtures.non_utf8.name]
    names += ["tiny-run/best.pt"] if (fixtures.run / "best.pt").exists() else []
    return {name: _fingerprint(fixtures.root / name) for name in names}


def _fingerprint(path: Path) -> tuple[int, int]:
    status = os.lstat(path)
    return status.st_mode, hash(path.read_bytes()) if path.is_file() and not path.is_symlink() else 0


class Hang(Exception):
    """One input ran past VECTOR_SECONDS."""


@contextmanager
def _time_limit(seconds: int) -> Iterator[None]:
    """Raise `Hang` in the block after `seconds` (SIGALRM; a blocked system call is interrupted too)."""

    def expire(_signum: int, _frame: object) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _one_torch_thread() -> Iterator[None]:
    """A vector's --threads must not slow down the ones after it."""
    try:
        yield
    finally:
        if "torch" in sys.modules:
            sys.modules["torch"].set_num_threads(1)


# --- workers and the table -------------------------------------------------------------------------

WORKERS: dict[str, Callable[[int, int, Path, Path | None], Tally]] = {
    "models": lambda seed, count, workdir, run: fuzz_models(seed, count, workdir),
    "lstm-gen": lambda seed, count, workdir, run: fuzz_cli("lstm-gen", seed, count, workdir),
    "lstm-gen --bench": lambda seed, count, workdir, run: fuzz_cli("lstm-gen --bench", seed, count, workdir),
    "lstm-eval": lambda seed, count, workdir, run: fuzz_cli("lstm-eval", seed, count, workdir),
    "lstm-export": lambda seed, count, workdir, run: fuzz_cli("lstm-export", seed, count, workdir, run),
    "lstm-train": lambda seed, count, workdir, run: fuzz_cli("lstm-train", seed, count, workdir),
}


def run_worker(name: str, seed: int, count: int, timeout: float | None = None, run: Path | None = None) -> Tally:
    """Run one fuzzer in a fresh process; a crash or a hang of that process is one more bug.

    `run`: a trained run directory for the lstm-export fuzzer (else it trains a tiny one)."""
    command = [sys.executable, "-m", "benchmarks.fuzz", name, str(seed), str(count), *([str(run)] if run else [])]
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "0"}
    with tempfile.TemporaryDirectory(prefix="lstm-edge-fuzz-") as workdir:
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                cwd=workdir,
                env=environment,
                timeout=timeout,
                preexec_fn=_limit_memory,
            )
        except subprocess.TimeoutExpired:
            tally = Tally()
            tally.add("bug", f"{name} worker still running after {timeout} s")
            return tally
    try:
        summary = json.loads(done.stdout.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        tally = Tally()
        tally.add("bug", f"{name} worker died (exit {done.returncode}): {done.stderr[-3000:]}")
        return tally
    return Tally(Counter(summary["counts"]), summary["bugs"], summary["touched"])


def _limit_memory() -> None:
    """In the worker (and what it starts): WORKER_MEMORY of address space, so unbounded memory is an error."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY, WORKER_MEMORY))


def worker_main(name: str, seed: int, count: int, run: Path | None = None) -> None:
    """`python -m benchmarks.fuzz NAME SEED COUNT [RUN]`: run in the current directory, print a JSON summary."""
    with tempfile.TemporaryDirectory(prefix="work-", dir=os.getcwd()) as workdir:
        previous = os.getcwd()
        os.chdir(workdir)  # commands that write beside their input or into runs/ stay in here
        try:
            tally = WORKERS[name](seed, count, Path(workdir), run)
        finally:
            os.chdir(previous)
    print(json.dumps({"counts": tally.counts, "bugs": tally.bugs, "touched": tally.touched}))


def crafted_models() -> dict[str, Tally]:
    """Every case of the hostile catalogue through `lstm-gen --model`, each with its sentinel; per group."""
    import copy

    from click.testing import CliRunner

    from benchmarks.hostile import CASES, Sentinel, shipped_model
    from lstm_edge.runtime.cli import main as gen_main

    base = shipped_model()
    tallies: dict[str, Tally] = {}
    previous = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="lstm-edge-hostile-") as scratch:
        for index, case in enumerate(CASES):
            directory = Path(scratch) / str(index)
            directory.mkdir()
            os.chdir(directory)
            try:
                sentinel = Sentinel(directory / "sentinel.bin") if case.sentinel else None
                path = directory / "model.onnx"
                data = case.build(copy.deepcopy(base), directory / "sentinel.bin")
                path.write_bytes(data)
                result = CliRunner().invoke(gen_main, ["--model", str(path), "A cream coat"])
                kind, detail = classify(result.exit_code, result.stdout, result.stderr, result.exception)
                if kind == "ran":
                    kind, detail = "bug", "accepted"
                opened = sentinel is not None and sentinel.opened()
                changed = path.read_bytes() != data
                if opened or changed:
                    kind, detail = "bug", "opened its outside data" if opened else "the file changed"
                tallies.setdefault(case.group, Tally()).add(kind, f"{case.name}: {detail}", opened or changed)
            finally:
                os.chdir(previous)
    return tallies


def model_paths() -> Tally:
    """Every path of `hostile.path_cases` (special files, a 600 MB hole, …) through `lstm-gen --model`."""
    from click.testing import CliRunner

    from benchmarks.hostile import path_cases
    from lstm_edge.runtime.cli import main as gen_main

    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="lstm-edge-paths-") as scratch:
        cases, fifo = path_cases(Path(scratch))
        for name, (path, message) in cases.items():
            result = CliRunner().invoke(gen_main, ["--model", str(path), "A cream coat"])
            kind, detail = classify(result.exit_code, result.stdout, result.stderr, result.exception)
            if kind == "refused" and message not in result.stderr:
                kind, detail = "bug", f"another message: {result.stderr}"
            tally.add(kind, f"{name}: {detail}")
        if fifo.opened():
            tally.counts["refused"] -= 1
            tally.add("bug", "the FIFO was opened", touched=True)
    return tally


def main(quick: bool = False, seed: int = 0) -> None:
    counts = QUICK if quick else FULL
    started = time.perf_counter()
    rows = []
    groups = {
        "outside data": "crafted: outside data in every place ONNX allows it (sentinel FIFO)",
        "structure": "crafted: operators, opsets, types, fields protobuf would merge",
        "bomb": "crafted: bombs (dims, rank, nodes, fields, numbers, 2**62-wide logits)",
        "metadata": "crafted: metadata that disagrees with the graph or is hostile JSON",
        "onnxruntime": "crafted: passes vetting, onnxruntime refuses it",
    }
    results: dict[str, Tally] = {groups[group]: tally for group, tally in crafted_models().items()}
    results["paths that are no model file (FIFO, /dev/zero, 600 MB hole, …)"] = model_paths()
    labels = {
        "models": "byte-mutated shipped model, through lstm-gen --model (half with --backend numpy)",
        "lstm-gen": "lstm-gen argument vectors (and stdin)",
        "lstm-gen --bench": "lstm-gen --bench argument vectors (a quarter with stdout closed or full)",
        "lstm-eval": "lstm-eval argument vectors (shipped models, data incl. a pipe)",
        "lstm-export": "lstm-export argument vectors",
        "lstm-train": "lstm-train argument vectors",
    }
    with ThreadPoolExecutor(max_workers=len(labels)) as pool:  # one process each, side by side
        futures = {label: pool.submit(run_worker, name, seed, counts[name]) for name, label in labels.items()}
        results.update({label: future.result() for label, future in futures.items()})
    for label, tally in results.items():
        refused = tally.counts["refused"] + tally.counts["usage"]
        rows.append(
            [
                label,
                f"{tally.tried:,}",
                f"{tally.counts['ran']:,}",
                f"{refused:,} ({tally.counts['usage']:,} usage)",
                f"{tally.counts['bug']:,}",
                f"{tally.touched:,}",
            ]
        )
    print_table(
        f"Reliability: hostile and random inputs, seed {seed} ({time.perf_counter() - started:.0f} s)",
        [
            "inputs",
            "tried",
            "ran (exit 0)",
            "refused in one line (exit 1 / 2)",
            "tracebacks, hangs, other",
            "files touched",
        ],
        rows,
        f"python -m benchmarks fuzz{' --quick' if quick else ''}   (make fuzz)",
    )
    bugs = [bug for tally in results.values() for bug in tally.bugs]
    for bug in bugs[:20]:
        print(f"\nBUG: {bug}")
    if bugs:
        raise SystemExit(f"{len(bugs)} inputs were not handled cleanly")


if __name__ == "__main__":
    worker_main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]) if len(sys.argv) > 4 else None)

"""Fuzzing and the reliability catalogue: `python -m benchmarks fuzz [--quick]`.

Tries, and counts, what a hostile or careless user can throw at the three commands:

- the crafted model files of `benchmarks/hostile.py` (outside data behind a sentinel FIFO, subgraphs,
  functions, bombs, lying metadata) through `lstm-gen --model`;
- byte-mutated copies of the shipped model (bit flips, overwritten, inserted, deleted, duplicated and
  truncated spans, giant varints; most of them aimed at the protobuf structure rather than the weights)
  through `lstm-gen --model … -n 3` or `--info`, half of them on the numpy backend;
- the paths of `hostile.path_cases` (a FIFO behind a sentinel, /dev/zero, a 600 MB hole, a socket, …);
- random argument vectors for `lstm-gen`, `lstm-export` and `lstm-train`, drawn from each option's good and
  bad values (NaN, infinities, out of range, garbage, special files, non-UTF-8 bytes, odd prompts and stdin).
  Every input file, special file and checkpoint the vectors point at must stay as it was; what lstm-export
  says it wrote must load; what lstm-gen prints must be UTF-8 (and JSON lines with --json).

Every run is classified: `ran` (exit 0), `refused` (exit 1 with exactly one `Error: …` line), `usage`
(exit 2, click's usage error), or `bug` (a traceback, another exit status, a hang, a message of several
lines, a file touched). The fuzzers are seeded: the same seed and count try the same inputs. They run in
worker processes (`python -m benchmarks.fuzz WORKER SEED COUNT`), side by side, so a crash or a hang counts
as a bug.

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
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.common import ROOT, print_table

FULL = {"models": 7000, "lstm-gen": 1000, "lstm-export": 150, "lstm-train": 300}
QUICK = {"models": 200, "lstm-gen": 120, "lstm-export": 4, "lstm-train": 15}
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
        if kind == "bug":
            self.bugs.append(detail[-2000:])

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


class Fixtures:
    """Files the argument fuzzers point at, all inside `root` (special files are links or made there)."""

    def __init__(self, root: Path, with_run: bool = False, run: Path | None = None) -> None:
        from lstm_edge.runtime.model_file import default_model_path
        from lstm_edge.train.catalogue import generate_descriptions

        self.root = root
        self.csv = root / "descriptions.csv"
        rows = ["description", *(f'"{text}"' for text in generate_descriptions(60, seed=3))]
        self.csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
        self.model = default_model_path()
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
        self.fifo = root / "a-fifo"
        os.mkfifo(self.fifo)
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


def gen_vector(rng: random.Random, fixtures: Fixtures) -> tuple[list[str], str | bytes | None]:
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
    for flag, chance in (("--json", 0.3), ("--stream", 0.2), ("--info", 0.1), ("-V", 0.02), ("-h", 0.02)):
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
    return arguments, stdin


def export_vector(rng: random.Random, fixtures: Fixtures) -> tuple[list[str], str | bytes | None]:
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
    return [*_shuffled(rng, options), source], None


def train_vector(rng: random.Random, fixtures: Fixtures) -> tuple[list[str], str | bytes | None]:
    options: list[list[str]] = [["--out", str(fixtures.root / f"run-{rng.randrange(3)}")]]
    if rng.random() < 0.2:
        options[0][1] = rng.choice(fixtures.paths())
    data_paths = [p for p in fixtures.paths() if not p.endswith(("a-fifo", "zero-link"))]  # train's own issue
    options.append(["--data", _choose(rng, [str(fixtures.csv)], [*data_paths, str(fixtures.model)])])
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
    return _shuffled(rng, options), None


def _shuffled(rng: random.Random, options: list[list[str]]) -> list[str]:
    rng.shuffle(options)
    return [part for option in options for part in option]


def fuzz_cli(command: str, seed: int, count: int, workdir: Path, run: Path | None = None) -> Tally:
    from click.testing import CliRunner

    from lstm_edge.export.cli import main as export_main
    from lstm_edge.runtime.cli import main as gen_main
    from lstm_edge.train.cli import main as train_main

    main, vector = {
        "lstm-gen": (gen_main, gen_vector),
        "lstm-export": (export_main, export_vector),
        "lstm-train": (train_main, train_vector),
    }[command]
    fixtures = Fixtures(workdir, with_run=command == "lstm-export", run=run)
    protected = _snapshot(fixtures)
    tally = Tally()
    runner = CliRunner()
    for index in range(count):
        rng = random.Random(f"{command}:{seed}:{index}")
        arguments, stdin = vector(rng, fixtures)
        with _time_limit(VECTOR_SECONDS), _one_torch_thread():
            result = runner.invoke(main, arguments, input=stdin)
        kind, detail = classify(result.exit_code, result.stdout, result.stderr, result.exception)
        if kind == "ran":
            problem = CHECKS[command](arguments, result.stdout_bytes, fixtures)
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
        shown = f"{command} vector {index} (seed {seed}): {arguments!r} stdin={stdin!r:.80}\n{detail}"
        tally.add(kind, shown, bool(changed))
    return tally


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


CHECKS: dict[str, Callable[[list[str], bytes, Fixtures], str]] = {
    "lstm-gen": _check_gen,
    "lstm-export": _check_export,
    "lstm-train": lambda arguments, stdout, fixtures: "",
}


def _named_outputs(command: str, arguments: list[str], fixtures: Fixtures) -> set[Path]:
    """The paths a vector names as outputs (and lstm-export's int8 twin of its output)."""
    from lstm_edge.runtime.contract import int8_twin

    flags = {"lstm-export": ("-o", "--output"), "lstm-gen": ("--output",), "lstm-train": ("-o", "--out")}[command]
    named = {Path(arguments[i + 1]) for i, part in enumerate(arguments[:-1]) if part in flags}
    return named | {int8_twin(path) for path in named if path.name}


def _snapshot(fixtures: Fixtures) -> dict[str, tuple[int, int]]:
    """The fixtures no command may change: the inputs and the special files."""
    names = ["descriptions.csv", "prompts.csv", "a-file.txt", "empty.csv", "binary.bin", "a-fifo", "a-socket"]
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
                command, capture_output=True, text=True, cwd=workdir, env=environment, timeout=timeout
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

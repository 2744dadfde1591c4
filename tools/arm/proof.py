"""`make arm-proof`: lstm-gen on emulated ARM (64- and 32-bit) and RISC-V prints what it prints on x86-64.

Each target is a Debian root (debian_root.py) run under qemu user emulation, called explicitly
(`qemu-aarch64 -L ROOT ROOT/usr/bin/python3 …`; the host's binfmt_misc is never touched), with the
wheel built from this tree installed the way a user would:

- aarch64, Debian bookworm (Raspberry Pi OS 12 64-bit, Jetson): Python 3.11 from the root; the wheel
  and the aarch64 wheels of numpy, onnxruntime and click installed from the host with
  `pip install --platform … --only-binary=:all: --target …` (nothing inside the emulator spawns
  another emulated process). Backends: onnxruntime and numpy.
- armv7l, Debian bookworm armhf (Raspberry Pi OS 12 32-bit): onnxruntime has no wheel here and
  numpy none on PyPI, so Debian's python3-numpy (1.24) and python3-pip; inside the emulator, a
  virtualenv with --system-site-packages and `pip install lstm-edge` from a folder holding the wheel
  and click's: the markers leave onnxruntime out and the system's numpy satisfies numpy. `auto` runs
  the numpy backend.
- armv7l, Debian trixie armhf with Debian's python3-onnxruntime (1.21) and numpy 2: the same install;
  `auto` runs onnxruntime, whose ~570 lines of schema-registration noise on stderr must not show.
- riscv64, Debian trixie (the first Debian release with riscv64) with python3-onnxruntime: the same
  install as armv7l; PyPI has neither an onnxruntime nor a numpy wheel for it.

On each, lstm-gen continues the same prompts with the shipped model and its int8 twin on every backend
(one process per model and backend, prompts on stdin, --json); the texts must equal the x86-64 run's
(same wheel, same backend). Then, emulated and so only relative: cold start beside its floors, and
`lstm-gen --bench --json` (per word, words/s, inside the emulator). Results: build/arm/results.json and
a Markdown table on stdout. Roots, qemu and pip's downloads are cached under build/arm/.

    python tools/arm/proof.py [--targets aarch64,armv7l,armv7l-onnxruntime,riscv64] [--cold-runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from debian_root import RootSpec, build_root, library_path, qemu

REPOSITORY = Path(__file__).resolve().parents[2]
BUILD = REPOSITORY / "build" / "arm"
PROMPTS = [
    "A cream coat",
    "A black leather jacket",
    "These wide-leg trousers",
    "A purple zebra coat",
    "Our slim jeans",
    "A linen shirt",
    "A silk scarf",
    "This wool jumper",
    "A relaxed cotton",
    "The denim skirt",
    "A floral summer dress",
]
WORDS = 20


@dataclass(frozen=True)
class Target:
    name: str
    machine: str  # qemu's name: aarch64, arm
    root: RootSpec
    install: str  # "target": wheels placed from the host; "venv": pip inside the emulator
    backends: tuple[str, ...]
    platform_tags: tuple[str, ...] = ()  # for "target"
    python_version: str = ""  # for "target"
    notes: list[str] = field(default_factory=list)


TARGETS = {
    "aarch64": Target(
        "aarch64",
        "aarch64",
        RootSpec("bookworm-arm64", "arm64", "bookworm", ("python3", "libstdc++6")),  # C++ runtime: manylinux wheels
        "target",
        ("onnxruntime", "numpy"),
        ("manylinux_2_28_aarch64", "manylinux2014_aarch64"),
        "3.11",
    ),
    "armv7l": Target(
        "armv7l",
        "arm",
        RootSpec("bookworm-armhf", "armhf", "bookworm", ("python3", "python3-numpy", "python3-pip")),
        "venv",
        ("numpy",),
    ),
    "armv7l-onnxruntime": Target(
        "armv7l-onnxruntime",
        "arm",
        RootSpec("trixie-armhf", "armhf", "trixie", ("python3", "python3-onnxruntime", "python3-pip")),
        "venv",
        ("onnxruntime", "numpy"),
    ),
    "riscv64": Target(
        "riscv64",
        "riscv64",
        RootSpec("trixie-riscv64", "riscv64", "trixie", ("python3", "python3-onnxruntime", "python3-pip")),
        "venv",
        ("onnxruntime", "numpy"),
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", default=",".join(TARGETS), help=f"comma-separated, of {', '.join(TARGETS)}")
    parser.add_argument("--cold-runs", type=int, default=5, help="emulated cold starts per command (median)")
    arguments = parser.parse_args()
    chosen = [TARGETS[name] for name in arguments.targets.split(",")]
    BUILD.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    wheelhouse = build_wheelhouse()
    expected = host_outputs()
    results, failures = [], []
    for target in chosen:
        log(f"== {target.name} ({target.root.suite} {target.root.architecture})")
        guest = Guest.prepare(target, wheelhouse)
        result = {"target": target.name, "suite": target.root.suite, "architecture": target.root.architecture}
        result["versions"] = guest.versions()
        result["auto"] = guest.auto_backend()
        result["runs"] = []
        for model in ("fashion-lstm.onnx", "fashion-lstm.int8.onnx"):
            for backend in target.backends:
                texts, stderr = guest.generate(model, backend)
                wanted = expected[model, backend]
                same = sum(a == b for a, b in zip(texts, wanted, strict=True))
                run = {"model": model, "backend": backend, "identical": same, "prompts": len(PROMPTS)}
                run["stderr_lines"] = len(stderr.splitlines())
                result["runs"].append(run)
                log(f"   {model} on {backend}: {same}/{len(PROMPTS)} texts as on x86-64, {len(stderr)} bytes on stderr")
                if same != len(PROMPTS) or stderr.strip():
                    failures.append(f"{target.name} {model} {backend}: {same}/{len(PROMPTS)}; stderr {stderr[-300:]!r}")
                    for ours, theirs in zip(texts, wanted, strict=True):
                        if ours != theirs:
                            log(f"     emulated: {ours}\n     x86-64:   {theirs}")
        result["cold_start"] = guest.cold_starts(arguments.cold_runs)
        result["bench"] = guest.bench()
        results.append(result)
        save(results)
    print_table(json.loads((BUILD / "results.json").read_text()))
    log(f"({time.perf_counter() - started:.0f} s; results in {BUILD / 'results.json'})")
    if failures:
        raise SystemExit("NOT the same as x86-64:\n  " + "\n  ".join(failures))
    log("every emulated text equals the x86-64 text")


def save(results: list[dict]) -> None:
    """build/arm/results.json: these targets' results, beside earlier runs' of other targets."""
    path = BUILD / "results.json"
    kept = json.loads(path.read_text()) if path.is_file() else []
    done = {result["target"] for result in results}
    merged = [r for r in kept if r["target"] not in done] + results
    path.write_text(json.dumps(sorted(merged, key=lambda r: list(TARGETS).index(r["target"])), indent=2))


def log(text: str) -> None:
    print(text, flush=True)


def build_wheelhouse() -> Path:
    """build/arm/wheelhouse: the wheel of this tree (built from a clean copy) and click's."""
    wheelhouse = BUILD / "wheelhouse"
    shutil.rmtree(wheelhouse, ignore_errors=True)
    wheelhouse.mkdir(parents=True)
    log("building the wheel")
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "lstm-edge"
        ignore = shutil.ignore_patterns(
            ".git", ".venv", "build", "dist", "runs", "*.egg-info", "__pycache__", ".*cache"
        )
        shutil.copytree(REPOSITORY, copy, ignore=ignore)
        _check([sys.executable, "-m", "build", "--wheel", "--outdir", str(wheelhouse), str(copy)])
    _check(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--only-binary=:all:",
            "--no-deps",
            "-d",
            str(wheelhouse),
            "click>=8.1",
        ]
    )
    return wheelhouse


def host_outputs() -> dict[tuple[str, str], list[str]]:
    """What x86-64 prints: this interpreter's lstm-edge, every model and backend, the same prompts."""
    log("generating on x86-64")
    from lstm_edge.runtime.generator import Generator

    models = REPOSITORY / "models"
    return {
        (model, backend): [g.text for g in Generator(models / model, backend=backend).generate_many(PROMPTS, WORDS)]
        for model in ("fashion-lstm.onnx", "fashion-lstm.int8.onnx")
        for backend in ("onnxruntime", "numpy")
    }


@dataclass
class Guest:
    """A prepared root: how to run its Python under qemu with lstm-edge installed."""

    target: Target
    root: Path
    qemu: Path
    python: Path  # host path of the interpreter to run
    environment: dict[str, str]

    @classmethod
    def prepare(cls, target: Target, wheelhouse: Path) -> Guest:
        root = build_root(target.root, BUILD, log=log)
        emulator = qemu(BUILD, target.machine, log=log)
        environment = {
            "PATH": "/usr/bin:/bin",
            "LC_ALL": "C.UTF-8",
            "LD_LIBRARY_PATH": library_path(root, target.root),
            "OPENBLAS_NUM_THREADS": "1",
            "HOME": str(BUILD / "home"),
        }
        (BUILD / "home").mkdir(exist_ok=True)
        interpreter = root / "usr" / "bin" / "python3"
        guest = cls(target, root, emulator, interpreter, environment)
        if target.install == "target":
            site = BUILD / f"site-{target.name}"
            shutil.rmtree(site, ignore_errors=True)
            (wheel,) = wheelhouse.glob("lstm_edge-*.whl")
            log(f"   pip install --platform {target.platform_tags[0]} --target {site.relative_to(REPOSITORY)}")
            command = [sys.executable, "-m", "pip", "install", "--quiet", "--only-binary=:all:", "--target", str(site)]
            command += ["--python-version", target.python_version, "--implementation", "cp"]
            command += [part for tag in target.platform_tags for part in ("--platform", tag)]
            _check([*command, str(wheel)])
            guest.environment["PYTHONPATH"] = str(site)
        else:
            venv = BUILD / f"venv-{target.name}"
            shutil.rmtree(venv, ignore_errors=True)
            log(f"   (emulated) python3 -m venv --system-site-packages {venv.relative_to(REPOSITORY)}")
            guest.check("-m", "venv", "--system-site-packages", "--without-pip", str(venv))
            guest.python = venv / "bin" / "python3"
            log("   (emulated) pip install --no-index --find-links wheelhouse lstm-edge")
            pip = ["-m", "pip", "install", "--no-index", "--find-links", str(wheelhouse), "--no-cache-dir", "lstm-edge"]
            installed = guest.check(*pip, timeout=3600)
            target.notes.append(installed.stdout.strip().splitlines()[-1] if installed.stdout.strip() else "")
        return guest

    def command(self, *arguments: str) -> list[str]:
        return [str(self.qemu), "-L", str(self.root), str(self.python), *arguments]

    def run(self, *arguments: str, stdin: str | None = None, timeout: float = 1800) -> subprocess.CompletedProcess:
        return subprocess.run(
            self.command(*arguments),
            input=stdin,
            capture_output=True,
            text=True,
            env=self.environment,
            timeout=timeout,
            cwd=self.environment["HOME"],  # not the repository: its lstm_edge/ would shadow the installed package
        )

    def check(
        self, *arguments: str, stdin: str | None = None, timeout: float = 1800
    ) -> subprocess.CompletedProcess[str]:
        result = self.run(*arguments, stdin=stdin, timeout=timeout)
        if result.returncode != 0:
            raise SystemExit(f"{self.target.name}: {' '.join(arguments)[:200]} failed:\n{result.stderr[-3000:]}")
        return result

    def versions(self) -> dict[str, str]:
        code = (
            "import json, platform, numpy, click\n"
            "import lstm_edge, lstm_edge.runtime.backend as b\n"
            "found = {'machine': platform.machine(), 'python': platform.python_version(), 'numpy': numpy.__version__,"
            " 'lstm_edge': lstm_edge.__version__}\n"
            "try:\n    found['onnxruntime'] = b.import_onnxruntime().__version__\n"
            "except ImportError:\n    found['onnxruntime'] = None\n"
            "print(json.dumps(found))\n"
        )
        found: dict[str, str] = json.loads(self.check("-c", code).stdout)
        log(f"   {found}")
        return found

    def auto_backend(self) -> str:
        info = json.loads(self.check("-m", "lstm_edge.runtime", "--info", "--json").stdout)
        log(f"   --backend auto runs {info['backend']}")
        return str(info["backend"])

    def model_path(self, model: str) -> str:
        code = "import lstm_edge.models as m, os; print(os.path.dirname(m.__file__))"
        return str(Path(self.check("-c", code).stdout.strip()) / model)

    def generate(self, model: str, backend: str) -> tuple[list[str], str]:
        arguments = ["-m", "lstm_edge.runtime", "--model", self.model_path(model), "--backend", backend, "--json"]
        result = self.check(*arguments, "-n", str(WORDS), stdin="\n".join(PROMPTS) + "\n")
        texts = [json.loads(line)["text"] for line in result.stdout.splitlines()]
        stderr = "\n".join(line for line in result.stderr.splitlines() if not line.startswith("Unknown words"))
        return texts, stderr

    def cold_starts(self, runs: int) -> dict[str, dict[str, float]]:
        """Wall ms and peak RSS (of qemu with its guest) of lstm-gen and its floors, median of `runs`, alternating."""
        commands = {"python -c pass": ["-c", "pass"], 'python -c "import numpy, click"': ["-c", "import numpy, click"]}
        if "onnxruntime" in self.target.backends:
            commands['python -c "import onnxruntime"'] = ["-c", "import onnxruntime"]
        for backend in self.target.backends:
            commands[f'lstm-gen "A cream coat" --backend {backend}'] = [
                "-m",
                "lstm_edge.runtime",
                "--backend",
                backend,
                "A cream coat",
            ]
        measured: dict[str, list[tuple[float, int]]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, arguments in commands.items():
                measured[name].append(_measure(self.command(*arguments), self.environment))
        summary = {
            name: {
                "wall_ms": statistics.median(m[0] for m in values) * 1000,
                "peak_rss_mb": statistics.median(m[1] for m in values) / 1e6,
            }
            for name, values in measured.items()
        }
        for name, figures in summary.items():
            log(f"   cold start (emulated) {name}: {figures['wall_ms']:.0f} ms, {figures['peak_rss_mb']:.1f} MB")
        return summary

    def bench(self) -> dict[str, object]:
        result = self.check("-m", "lstm_edge.runtime", "--bench", "--json", timeout=7200)
        document: dict[str, object] = json.loads(result.stdout)
        for row in document["results"]:  # type: ignore[union-attr]
            log(
                f"   bench (emulated) {row['backend']} {Path(row['model']).name}: "
                f"{row['per_word_us_batch_1']:.0f} µs/word, {row['words_per_second_batch_64']:.0f} words/s at 64"
            )
        return document


def _measure(command: list[str], environment: dict[str, str]) -> tuple[float, int]:
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=environment["HOME"]
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return time.perf_counter() - started, usage.ru_maxrss * 1024


def print_table(results: list[dict]) -> None:
    columns = ["target", "Python, numpy, onnxruntime", "auto runs", "backend", "texts as on x86-64 (fp32, int8)"]
    columns += ["cold start (emulated)", "per word, batch 1 (emulated; fp32 / int8)"]
    print("\n| " + " | ".join(columns) + " |\n|" + "---|" * len(columns))
    for result in results:
        versions = result["versions"]
        stack = f"{versions['python']}, {versions['numpy']}, {versions['onnxruntime'] or '—'}"
        for backend in sorted({run["backend"] for run in result["runs"]}):
            identical = [f"{r['identical']}/{r['prompts']}" for r in result["runs"] if r["backend"] == backend]
            cold = result["cold_start"][f'lstm-gen "A cream coat" --backend {backend}']["wall_ms"]
            words = [
                f"{r['per_word_us_batch_1']:.0f} µs" for r in result["bench"]["results"] if r["backend"] == backend
            ]
            cells = [f"{result['target']} ({result['suite']})", stack, result["auto"], backend, ", ".join(identical)]
            print("| " + " | ".join([*cells, f"{cold:.0f} ms", " / ".join(words)]) + " |")


def _check(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{result.stdout[-2000:]}{result.stderr[-2000:]}")


if __name__ == "__main__":
    main()

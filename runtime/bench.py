"""`lstm-gen --bench`: what this device does, per backend and model, in one command (like llama-bench).

For every backend that runs here (or the one asked for) and the model (the shipped one and its int8
twin by default, or `--model` and its twin), it measures:

- cold start: `lstm-gen "A cream coat"` as a whole new process, median of a few; its peak RSS too
  (started through a small launcher process, so the figure is the child's own, not this process's);
- per word at batch 1: one greedy step as the generator's batch-1 loop takes it (mask, argmax, step);
- words/s at batch 64: greedy steps of 64 rows at once.

Timings are medians of repeats sized to about 0.1 s each, so a slow board finishes too. Where a child
process cannot be started (under qemu user emulation without binfmt_misc), cold start is left out.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import click

PROMPT = "A cream coat"
COLD_RUNS = 5
LARGE_BATCH = 64
REPEATS = 5
REPEAT_SECONDS = 0.1

# Spawns argv[1:] and waits for it (os.wait4), then prints "exit-code seconds peak-rss-kib". Run with
# -I -S, it is small: a child it starts has its own peak RSS, not that of the process that measures.
_LAUNCHER = """
import os, sys, time
started = time.perf_counter()
quiet = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ, file_actions=quiet)
_, status, usage = os.wait4(pid, 0)
print(os.waitstatus_to_exitcode(status), time.perf_counter() - started, usage.ru_maxrss)
"""


def run_bench(model: str | os.PathLike[str] | None, backend: str | None, threads: int, as_json: bool) -> None:
    """Measure and print (a table, or one JSON document with `as_json`)."""
    from .backend import available
    from .contract import int8_twin
    from .model_file import default_model_path

    path = Path(model) if model is not None else default_model_path()
    models = [path] + ([int8_twin(path)] if int8_twin(path).is_file() and int8_twin(path) != path else [])
    backends = [backend] if backend else available()
    results = []
    for model_path in models:
        for name in backends:
            click.echo(f"measuring {name} on {model_path.name} …", err=True)
            results.append(measure(model_path, name, threads))
    document = {"device": device(), "threads": threads, "large_batch": LARGE_BATCH, "results": results}
    if as_json:
        click.echo(json.dumps(document, indent=2))
    else:
        print_table(document)


def measure(model: Path, backend: str, threads: int) -> dict[str, Any]:
    """Cold start and peak RSS of a fresh process, then per-word time and words/s in this one."""
    from .generator import Generator

    cold = cold_start(model, backend, threads)
    generator = Generator(model, threads=threads, backend=backend)
    return {
        "model": str(model),
        "backend": generator.backend.name,
        "size_bytes": generator.model.size_bytes,
        "cold_start_ms": None if cold is None else cold[0] * 1000,
        "peak_rss_mb": None if cold is None else cold[1] / 1e6,
        "cold_start_note": None if cold is not None else "no child process can be started here",
        "per_word_us_batch_1": step_seconds(generator, 1) * 1e6,
        f"words_per_second_batch_{LARGE_BATCH}": LARGE_BATCH / step_seconds(generator, LARGE_BATCH),
    }


def cold_start(model: Path, backend: str, threads: int) -> tuple[float, int] | None:
    """Median wall seconds and peak RSS bytes of `lstm-gen --model MODEL "A cream coat"`; None if no child
    process can be started (emulated)."""
    command = [sys.executable, "-m", "lstm_edge.runtime", "--model", str(model), "--backend", backend]
    command += ["--threads", str(threads), PROMPT]
    runs = []
    for _ in range(COLD_RUNS):
        try:
            launched = subprocess.run(
                [sys.executable, "-I", "-S", "-c", _LAUNCHER, *command], capture_output=True, text=True, timeout=600
            )
        except OSError:
            return None
        if launched.returncode != 0:
            return None
        code, seconds, peak_kib = launched.stdout.split()
        if int(code) != 0:
            raise click.ClickException(f"lstm-gen --backend {backend} --model {model} failed (exit {code})")
        runs.append((float(seconds), int(peak_kib) * (1 if sys.platform == "darwin" else 1024)))
    return statistics.median(r[0] for r in runs), int(statistics.median(r[1] for r in runs))


def step_seconds(generator: Any, batch: int) -> float:
    """Median seconds of one greedy step for `batch` rows: mask, argmax, feed the ids back, run the step."""
    from .contract import mask_never_emitted

    decoder = generator.backend.decoder(batch)
    state = generator.prefill([PROMPT])[0]
    for tensor, value in zip(decoder.state, state.state, strict=True):
        tensor[:] = value
    decoder.logits[:] = state.logits
    logits, ids = decoder.logits, decoder.ids

    def steps(count: int) -> float:
        started = time.perf_counter()
        for _ in range(count):
            ids[:, 0] = mask_never_emitted(logits).argmax(axis=1)
            decoder.step()
        return time.perf_counter() - started

    count = 1
    while (elapsed := steps(count)) < REPEAT_SECONDS / 4:  # size a repeat to about REPEAT_SECONDS
        count *= 4
    count = max(1, int(count * REPEAT_SECONDS / max(elapsed, 1e-9)))
    return statistics.median(steps(count) / count for _ in range(REPEATS))


def device() -> dict[str, Any]:
    import numpy

    versions = {"python": platform.python_version(), "numpy": numpy.__version__}
    if "onnxruntime" in sys.modules:
        versions["onnxruntime"] = sys.modules["onnxruntime"].__version__
    return {
        "machine": platform.machine(),
        "system": f"{platform.system()} {platform.release()}",
        "cpu": _cpu_name(),
        "cores": os.cpu_count(),
        **versions,
    }


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.lower().startswith(("model name", "hardware", "cpu model")):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def print_table(document: dict[str, Any]) -> None:
    device = document["device"]
    versions = ", ".join(f"{k} {device[k]}" for k in ("python", "numpy", "onnxruntime") if k in device)
    click.echo(f"{device['cpu']}, {device['cores']} cores, {device['system']} {device['machine']} | {versions}")
    click.echo(f'threads {document["threads"]}; cold start = lstm-gen "{PROMPT}" as a new process\n')
    headers = ["backend", "model", "cold start (ms)", "per word, batch 1 (µs)", f"words/s, batch {LARGE_BATCH}"]
    headers.append("peak RSS (MB)")
    rows = [
        [
            result["backend"],
            Path(result["model"]).name,
            _number(result["cold_start_ms"], ".0f"),
            _number(result["per_word_us_batch_1"], ".1f"),
            _number(result[f"words_per_second_batch_{LARGE_BATCH}"], ",.0f"),
            _number(result["peak_rss_mb"], ".1f"),
        ]
        for result in document["results"]
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    click.echo("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |")
    click.echo("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        click.echo("| " + " | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) + " |")
    notes = {r["cold_start_note"] for r in document["results"] if r["cold_start_note"]}
    for note in notes:
        click.echo(f"(cold start and peak RSS left out: {note})")


def _number(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)

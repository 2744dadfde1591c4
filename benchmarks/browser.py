"""In a browser: the shipped model files in headless Chromium and under Node (onnxruntime-web, wasm, one
thread), side by side with Python's onnxruntime, in one run.

- per word: greedy generation of up to WORDS words from each of the prompts, total time over words
  generated (the prompt's read included, as a user waits for it); median over repeats, after one
  untimed pass (V8 first runs wasm from a quick baseline compile and swaps in optimized code as it runs).
- load: reading the file, vetting it and opening the session with the runtime already started; median.
- first load: the first one in a fresh process or browser, which starts the runtime too (Python: the
  imports of numpy and onnxruntime; the browser: fetching and compiling onnxruntime-web's 14 MB wasm).
- page: opening `?prompt=A cream coat` in a fresh browser until the text is there, served from this
  machine; and the bytes the page fetches, raw and gzip -9 (a server that compresses sends the latter).

The browser is Debian's Chromium driven by playwright-core (web/tools/browser.mjs); without Node or
Chromium the table says why and stops. Quick mode: a few prompts, one repeat.

Reproduce: `make web && python -m benchmarks browser [--quick]`
"""

from __future__ import annotations

import gzip
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import print_table
from web import drivers

PROMPTS = ["A cream coat", "A black leather jacket", "These wide-leg trousers", "Our slim jeans", "A silk scarf"]
PROMPTS += ["Made from soft", "This relaxed shirt", "A linen dress", "Designed for long walks", ""]
WORDS = 20
FULL_REPEATS, QUICK_REPEATS = 7, 1
FULL_COLD_ROUNDS, QUICK_COLD_ROUNDS = 5, 1
MODELS = {"fp32": "fashion-lstm.onnx", "int8": "fashion-lstm.int8.onnx"}

# Runs inside the page (web/tools/browser.mjs imports ./lstm-edge.mjs and passes it in).
PAGE_BENCH = """async (lstmEdge, { url, prompts, words, repeats, threads }) => {
    const started = performance.now();
    const generator = await lstmEdge.Generator.load(url, { threads });
    const firstLoad = performance.now() - started;
    const loads = [];
    for (let i = 0; i < repeats; i++) loads.push((await lstmEdge.loadModel(url)).timings.total);
    const perWord = [];
    for (const prompt of prompts) await generator.generate(prompt, { maxWords: words }); // warm-up: wasm tiers up
    for (let i = 0; i < repeats; i++) {
        let count = 0;
        const begin = performance.now();
        for (const prompt of prompts) count += (await generator.generate(prompt, { maxWords: words })).words.length;
        perWord.push((performance.now() - begin) / count);
    }
    return { first_load_ms: firstLoad, load_ms: loads, per_word_ms: perWord, isolated: self.crossOriginIsolated };
}"""

PYTHON_FIRST_LOAD = """
import sys, time
started = time.perf_counter()
from lstm_edge.runtime.model_file import load_model
load_model(sys.argv[1])
print(time.perf_counter() - started)
"""


def main(quick: bool = False) -> None:
    repeats = QUICK_REPEATS if quick else FULL_REPEATS
    prompts = PROMPTS[:3] if quick else PROMPTS
    try:
        drivers.chromium()
        drivers.ensure_node_modules()
    except drivers.Unavailable as reason:
        print(f"\n### In a browser\n\nskipped: {reason}")
        return
    reproduce = f"make web && python -m benchmarks browser{' --quick' if quick else ''}"
    with tempfile.TemporaryDirectory() as scratch:
        site = Path(scratch) / "site"
        drivers.build_site(site)
        models = {name: site / "models" / file for name, file in MODELS.items()}
        rows: dict[str, dict[str, dict[str, float]]] = {name: {} for name in MODELS}
        versions: dict[str, str] = {}
        for name, path in models.items():
            rows[name]["python"] = _python(path, prompts, repeats, FULL_COLD_ROUNDS if not quick else QUICK_COLD_ROUNDS)
            rows[name]["node"] = _summary(
                drivers.harness(
                    {"op": "bench", "model": str(path), "prompts": prompts, "maxWords": WORDS, "repeats": repeats}
                )
            )
        pages: dict[str, float] = {}
        with drivers.serve(site) as base:
            for name in MODELS:  # a fresh browser per model: its first load is a cold one
                rows[name]["chromium"], versions["chromium"] = _in_chromium(base, name, prompts, repeats, threads=1)
                visit = drivers.browse(base, visits=[{"query": f"?prompt=A%20cream%20coat&model={name}"}])["visits"][0]
                _fail_on_problems(visit)
                pages[name] = visit["last"]["sincePageOpenedMs"]
        with drivers.serve(site, isolate=True) as base:  # COOP/COEP: SharedArrayBuffer, so wasm threads
            rows["fp32"]["chromium-2"], _ = _in_chromium(base, "fp32", prompts, repeats, threads=2)
        versions["node"] = subprocess.run([drivers.node(), "--version"], capture_output=True, text=True).stdout.strip()
        _print_speed(rows, versions, prompts, repeats, reproduce)
        _print_weight(site, pages, reproduce)


def _python(model: Path, prompts: list[str], repeats: int, cold_rounds: int) -> dict[str, float]:
    from lstm_edge.runtime.generator import Generator
    from lstm_edge.runtime.model_file import load_model

    generator = Generator(model)
    for prompt in prompts:  # warm-up, as on the JavaScript side
        generator.generate(prompt, WORDS)
    per_word = []
    for _ in range(repeats):
        started = time.perf_counter()
        words = sum(len(generator.generate(prompt, WORDS).words) for prompt in prompts)
        per_word.append((time.perf_counter() - started) / words * 1000)
    loads = []
    for _ in range(repeats):
        started = time.perf_counter()
        load_model(model)
        loads.append((time.perf_counter() - started) * 1000)
    first = [
        float(
            subprocess.run(
                [sys.executable, "-c", PYTHON_FIRST_LOAD, str(model)], capture_output=True, text=True, check=True
            ).stdout
        )
        * 1000
        for _ in range(cold_rounds)
    ]
    return {
        "per_word_ms": statistics.median(per_word),
        "load_ms": statistics.median(loads),
        "first_load_ms": statistics.median(first),
    }


def _in_chromium(base: str, model: str, prompts: list[str], repeats: int, threads: int) -> tuple[dict, str]:
    """PAGE_BENCH in a fresh browser (so its first load is a cold one); the summary and Chromium's version."""
    argument = {"url": f"models/{MODELS[model]}", "prompts": prompts, "words": WORDS, "repeats": repeats}
    answer = drivers.browse(base, scripts=[{"function": PAGE_BENCH, "argument": argument | {"threads": threads}}])
    report = answer["scripts"][0]
    _fail_on_problems(report)
    if threads > 1 and not report["result"]["isolated"]:
        raise RuntimeError("the page is not cross-origin isolated: no wasm threads without COOP/COEP headers")
    return _summary(report["result"]), answer["browser"]


def _summary(measured: dict[str, Any]) -> dict[str, float]:
    return {
        "per_word_ms": statistics.median(measured["per_word_ms"]),
        "load_ms": statistics.median(measured["load_ms"]) if measured["load_ms"] else float("nan"),
        "first_load_ms": measured["first_load_ms"],
    }


def _fail_on_problems(report: dict[str, Any]) -> None:
    if report.get("problems"):
        raise RuntimeError(f"the page reported problems: {json.dumps(report['problems'])}")


def _print_speed(rows: dict, versions: dict[str, str], prompts: list[str], repeats: int, reproduce: str) -> None:
    import onnxruntime

    runtimes = {
        "python": f"Python onnxruntime {onnxruntime.__version__} (native)",
        "node": f"Node {versions['node']}, onnxruntime-web (wasm)",
        "chromium": f"Chromium {versions['chromium']}, onnxruntime-web (wasm)",
        "chromium-2": "the same, 2 wasm threads (COOP/COEP headers)",
    }
    table = []
    for model, by_runtime in rows.items():
        reference = by_runtime["python"]["per_word_ms"]
        for runtime, label in runtimes.items():
            measured = by_runtime.get(runtime)
            if measured is None:
                continue
            table.append(
                [
                    label,
                    model,
                    measured["per_word_ms"] * 1000,
                    f"{measured['per_word_ms'] / reference:.1f}×",
                    measured["load_ms"],
                    measured["first_load_ms"],
                ]
            )
    print_table(
        f"In a browser: greedy per-word time and load time, one thread ({len(prompts)} prompts × up to {WORDS} "
        f"words, median of {repeats})",
        ["runtime", "model", "per word (µs)", "× Python", "load (ms)", "first load, runtime start included (ms)"],
        table,
        reproduce,
    )


def _print_weight(site: Path, pages: dict[str, float], reproduce: str) -> None:
    common = ["index.html", "page.css", "page.mjs", "lstm-edge.mjs"]
    common += sorted(f"lib/{path.name}" for path in (site / "lib").glob("*.mjs"))
    onnxruntime = sorted(f"ort/{path.name}" for path in (site / "ort").iterdir())

    def sizes(files: list[str]) -> tuple[float, float]:
        data = [(site / file).read_bytes() for file in files]
        return sum(len(d) for d in data) / 1e3, sum(len(gzip.compress(d, compresslevel=9)) for d in data) / 1e3

    rows = [
        ["the page and the lstm-edge module", *sizes(common), ""],
        ["onnxruntime-web (wasm build: .mjs, glue, .wasm)", *sizes(onnxruntime), ""],
    ]
    for file in MODELS.values():
        rows.append([f"model {file}", *sizes([f"models/{file}"]), ""])
    for name, file in MODELS.items():
        rows.append([f"**page with {name}**", *sizes([*common, *onnxruntime, f"models/{file}"]), f"{pages[name]:,.0f}"])
    print_table(
        "In a browser: what the page fetches, and opening a link to a text (served from this machine)",
        ["what", "raw (kB)", "gzip -9 (kB)", "open to text (ms)"],
        rows,
        reproduce,
    )

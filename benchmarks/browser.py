"""In a browser: the shipped model files in headless Chromium and under Node (onnxruntime-web, wasm, one
thread), side by side with Python's onnxruntime, in one run.

- per word: greedy generation of up to WORDS words from each of the prompts, total time over words
  generated (the prompt's read included, as a user waits for it). The runtimes take turns, round by
  round (Python, Node, Chromium, Chromium with two threads), after one untimed round each (V8 first runs
  wasm from a quick baseline compile and swaps in optimized code as it runs); medians over the rounds.
- load: reading the file, vetting it and opening the session with the runtime already started; median.
- first load: the first one in a fresh process or browser, which starts the runtime too (Python: the
  imports of numpy and onnxruntime; the browser: fetching and compiling onnxruntime-web's 14 MB wasm).
- page: opening `?prompt=A cream coat` in a fresh browser until the text is there, served from this
  machine; and the bytes the page fetches, raw and gzip -9 (a server that compresses sends the latter).

Two wasm threads need a cross-origin-isolated page: that row's page is served with COOP/COEP headers.
The browser is Debian's Chromium driven by playwright-core (web/tools/browser.mjs); without Node or
Chromium the table says why and stops. Quick mode: a few prompts, two rounds.

Reproduce: `make web && python -m benchmarks browser [--quick]`
"""

from __future__ import annotations

import gzip
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from benchmarks.common import print_table
from web import drivers

PROMPTS = ["A cream coat", "A black leather jacket", "These wide-leg trousers", "Our slim jeans", "A silk scarf"]
PROMPTS += ["Made from soft", "This relaxed shirt", "A linen dress", "Designed for long walks", ""]
WORDS = 20
FULL_ROUNDS, QUICK_ROUNDS = 9, 2
FULL_COLD_ROUNDS, QUICK_COLD_ROUNDS = 5, 1
MODELS = {"fp32": "fashion-lstm.onnx", "int8": "fashion-lstm.int8.onnx"}
RUNTIMES = ["python", "node", "chromium", "chromium-2"]

# One round in the page (web/tools/browser.mjs passes the imported module); generators stay on globalThis.
PAGE_ROUND = """async (lstmEdge, { url, prompts, words, threads }) => {
    globalThis.generators ??= new Map();
    if (!globalThis.generators.has(url)) {
        globalThis.generators.set(url, await lstmEdge.Generator.load(url, { threads }));
    }
    const generator = globalThis.generators.get(url);
    let count = 0;
    const begin = performance.now();
    for (const prompt of prompts) count += (await generator.generate(prompt, { maxWords: words })).words.length;
    const perWord = (performance.now() - begin) / count;
    const load = (await lstmEdge.loadModel(url)).timings.total;
    return { per_word_ms: perWord, load_ms: load, isolated: self.crossOriginIsolated };
}"""

PAGE_FIRST_LOAD = """async (lstmEdge, { url }) => {
    const started = performance.now();
    await lstmEdge.Generator.load(url);
    return performance.now() - started;
}"""

PYTHON_FIRST_LOAD = """
import sys, time
started = time.perf_counter()
from lstm_edge.runtime.model_file import load_model
load_model(sys.argv[1])
print(time.perf_counter() - started)
"""


def main(quick: bool = False) -> None:
    try:
        drivers.chromium()
        drivers.ensure_node_modules()
    except drivers.Unavailable as reason:
        print(f"\n### In a browser\n\nskipped: {reason}")
        return
    rounds = QUICK_ROUNDS if quick else FULL_ROUNDS
    prompts = PROMPTS[:3] if quick else PROMPTS
    reproduce = f"make web && python -m benchmarks browser{' --quick' if quick else ''}"
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as stack:
        site = Path(scratch) / "site"
        drivers.build_site(site)
        base = stack.enter_context(drivers.serve(site))
        isolated = stack.enter_context(drivers.serve(site, isolate=True))
        node = stack.enter_context(drivers.node_session())
        page = stack.enter_context(drivers.page_session(base))
        threaded = stack.enter_context(drivers.page_session(isolated))
        runners = _runners(site, prompts, node, page, threaded)
        measured: dict[tuple[str, str], list[dict[str, float]]] = {key: [] for key in runners}
        for round_number in range(rounds + 1):  # round 0 warms every runtime up and is not counted
            for key, runner in runners.items():
                result = runner()
                if round_number:
                    measured[key].append(result)
        first_loads = _first_loads(site, base, QUICK_COLD_ROUNDS if quick else FULL_COLD_ROUNDS)
        pages = {name: _open_to_text(base, name) for name in MODELS}
        versions = {
            "node": subprocess.run([drivers.node(), "--version"], capture_output=True, text=True).stdout.strip(),
            "chromium": page.greeting["browser"],
        }
        _print_speed(measured, first_loads, versions, prompts, rounds, reproduce)
        _print_weight(site, pages, reproduce)


def _runners(
    site: Path, prompts: list[str], node: drivers.LineSession, page: drivers.LineSession, threaded: drivers.LineSession
) -> dict[tuple[str, str], Callable[[], dict[str, float]]]:
    """(runtime, model) → one timed round: per-word time and one load."""
    from lstm_edge.runtime.decoding import PLAIN
    from lstm_edge.runtime.generator import Generator

    runners: dict[tuple[str, str], Callable[[], dict[str, float]]] = {}
    for name, file in MODELS.items():
        path, url = site / "models" / file, f"models/{file}"
        generator = Generator(path, decoding=PLAIN)  # the web module decodes greedy, rules not ported yet
        in_page = {"url": url, "prompts": prompts, "words": WORDS}
        runners[("python", name)] = lambda generator=generator, path=path: _python_round(generator, path, prompts)
        runners[("node", name)] = lambda path=path: node(
            {"op": "bench-round", "model": str(path), "prompts": prompts, "maxWords": WORDS}
        )
        runners[("chromium", name)] = lambda in_page=in_page: _page_round(page, {**in_page, "threads": 1})
        if name == "fp32":  # threads are fixed per page: one isolated page, one model
            runners[("chromium-2", name)] = lambda in_page=in_page: _page_round(threaded, {**in_page, "threads": 2})
    return runners


def _python_round(generator: Any, path: Path, prompts: list[str]) -> dict[str, float]:
    from lstm_edge.runtime.model_file import load_model

    started = time.perf_counter()
    words = sum(len(generator.generate(prompt, WORDS).words) for prompt in prompts)
    per_word = (time.perf_counter() - started) / words
    started = time.perf_counter()
    load_model(path)
    return {"per_word_ms": per_word * 1000, "load_ms": (time.perf_counter() - started) * 1000}


def _page_round(page: drivers.LineSession, argument: dict[str, Any]) -> dict[str, float]:
    answer = page({"function": PAGE_ROUND, "argument": argument})
    if answer["problems"]:
        raise RuntimeError(f"the page reported problems: {answer['problems']}")
    if argument["threads"] > 1 and not answer["result"]["isolated"]:
        raise RuntimeError("the page is not cross-origin isolated: no wasm threads without COOP/COEP headers")
    return answer["result"]


def _first_loads(site: Path, base: str, rounds: int) -> dict[tuple[str, str], float]:
    """The first load of each model in a fresh process or browser (median over `rounds` for Python)."""
    loads: dict[tuple[str, str], float] = {}
    for name, file in MODELS.items():
        path = site / "models" / file
        command = [sys.executable, "-c", PYTHON_FIRST_LOAD, str(path)]
        seconds = [
            float(subprocess.run(command, capture_output=True, text=True, check=True).stdout) for _ in range(rounds)
        ]
        loads[("python", name)] = statistics.median(seconds) * 1000
        loads[("node", name)] = drivers.harness({"op": "first-load", "model": str(path)})["first_load_ms"]
        script = {"function": PAGE_FIRST_LOAD, "argument": {"url": f"models/{file}"}}
        loads[("chromium", name)] = drivers.browse(base, scripts=[script])["scripts"][0]["result"]
    return loads


def _open_to_text(base: str, model: str) -> float:
    """Milliseconds from opening `?prompt=A cream coat&model=…` in a fresh browser to the text on the page."""
    visit = drivers.browse(base, visits=[{"query": f"?prompt=A%20cream%20coat&model={model}"}])["visits"][0]
    if visit["problems"] or visit["state"] != "done":
        raise RuntimeError(f"the page did not generate: {visit}")
    return float(visit["last"]["sincePageOpenedMs"])


def _print_speed(
    measured: dict[tuple[str, str], list[dict[str, float]]],
    first_loads: dict[tuple[str, str], float],
    versions: dict[str, str],
    prompts: list[str],
    rounds: int,
    reproduce: str,
) -> None:
    import onnxruntime

    labels = {
        "python": f"Python onnxruntime {onnxruntime.__version__} (native)",
        "node": f"Node {versions['node']}, onnxruntime-web (wasm)",
        "chromium": f"Chromium {versions['chromium']}, onnxruntime-web (wasm)",
        "chromium-2": "the same, 2 wasm threads (COOP/COEP headers)",
    }
    rows = []
    for model in MODELS:
        python = statistics.median(r["per_word_ms"] for r in measured[("python", model)])
        for runtime in RUNTIMES:
            results = measured.get((runtime, model))
            if results is None:
                continue
            per_word = statistics.median(r["per_word_ms"] for r in results)
            first = first_loads.get((runtime, model))
            rows.append(
                [
                    labels[runtime],
                    model,
                    per_word * 1000,
                    f"{per_word / python:.1f}×",
                    statistics.median(r["load_ms"] for r in results),
                    "—" if first is None else first,
                ]
            )
    print_table(
        f"In a browser: greedy per-word time and load time ({len(prompts)} prompts × up to {WORDS} words; "
        f"medians of {rounds} rounds, the runtimes taking turns)",
        ["runtime", "model", "per word (µs)", "× Python", "load (ms)", "first load, runtime start included (ms)"],
        rows,
        reproduce,
    )


def _print_weight(site: Path, pages: dict[str, float], reproduce: str) -> None:
    module = ["index.html", "page.css", "page.mjs", "lstm-edge.mjs"]
    module += sorted(f"lib/{path.name}" for path in (site / "lib").glob("*.mjs"))
    onnxruntime = sorted(f"ort/{path.name}" for path in (site / "ort").iterdir())

    def sizes(files: list[str]) -> list[float]:
        data = [(site / file).read_bytes() for file in files]
        return [sum(len(d) for d in data) / 1e3, sum(len(gzip.compress(d, compresslevel=9)) for d in data) / 1e3]

    rows = [
        ["the page and the lstm-edge module", *sizes(module), ""],
        ["onnxruntime-web (wasm build: .mjs, glue, .wasm)", *sizes(onnxruntime), ""],
        *([f"model {file}", *sizes([f"models/{file}"]), ""] for file in MODELS.values()),
        *(
            [f"**page with {name}**", *sizes([*module, *onnxruntime, f"models/{file}"]), f"{pages[name]:,.0f}"]
            for name, file in MODELS.items()
        ),
    ]
    print_table(
        "In a browser: what the page fetches, and opening a link to a text (served from this machine)",
        ["what", "raw (kB)", "gzip -9 (kB)", "open to text (ms)"],
        rows,
        reproduce,
    )

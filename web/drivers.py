"""The Python side of web/tools: run the module under Node, build and serve the site, drive Chromium.

tests/test_web.py and benchmarks/browser.py use these. Each tool that cannot run here raises
`Unavailable` with the reason and the fix (tests skip with it, the benchmark prints it); Chromium is
Debian's (`/usr/bin/chromium`, or `LSTM_EDGE_CHROMIUM`), never a browser a tool downloads.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

WEB = Path(__file__).resolve().parent
ROOT = WEB.parent
NODE_MODULES_STAMP = WEB / "node_modules" / ".package-lock.json"  # written by npm ci
INSTALL_HINT = "apt-get install nodejs npm chromium (bash .ci/run does)"


class Unavailable(Exception):
    """A tool the web tests need is not installed here, and cannot be."""


def node() -> str:
    found = shutil.which("node")
    if found is None:
        raise Unavailable(f"node is not installed: {INSTALL_HINT}")
    return found


def ensure_node_modules() -> None:
    """`npm ci --ignore-scripts` in web/ unless it ran already (what `make web` does first)."""
    node()
    if NODE_MODULES_STAMP.is_file():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise Unavailable(f"npm is not installed: {INSTALL_HINT}")
    done = subprocess.run(
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=WEB, capture_output=True, text=True
    )
    if done.returncode != 0:
        last = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
        raise Unavailable(f"npm ci in web/ failed ({last})")


def chromium() -> Path:
    path = Path(os.environ.get("LSTM_EDGE_CHROMIUM", "/usr/bin/chromium"))
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise Unavailable(f"Chromium is not installed at {path}: {INSTALL_HINT}")
    return path


def run_node(script: Path, request: dict[str, Any], timeout: float = 300) -> Any:
    """Run a web/tools script with a JSON request on stdin; its JSON answer."""
    done = subprocess.run(
        [node(), str(script)], input=json.dumps(request), capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )
    if done.returncode != 0:
        raise RuntimeError(f"{script.name} failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(done.stdout)


def harness(request: dict[str, Any], timeout: float = 300) -> Any:
    """The module under Node: see web/tools/node-harness.mjs for the operations."""
    ensure_node_modules()
    return run_node(WEB / "tools" / "node-harness.mjs", request, timeout)


def build_site(out: Path) -> str:
    """`node web/build.mjs OUT`; what it printed (the file sizes)."""
    ensure_node_modules()
    done = subprocess.run([node(), str(WEB / "build.mjs"), str(out)], capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"web/build.mjs failed: {done.stderr.strip()}")
    return done.stdout


@contextmanager
def serve(directory: Path, isolate: bool = False) -> Iterator[str]:
    """web/serve.py on a free port of 127.0.0.1 while the block runs; yields the base URL."""
    command = [sys.executable, str(WEB / "serve.py"), str(directory), "--port", "0", "--quiet"]
    server = subprocess.Popen([*command, *(["--isolate"] if isolate else [])], stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline() if server.stdout else ""
        if " at " not in line:
            raise RuntimeError(f"web/serve.py did not start: {line!r}")
        yield line.split(" at ", 1)[1].split()[0]
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout:
            server.stdout.close()


def browse(
    base: str, visits: Sequence[dict[str, Any]] = (), scripts: Sequence[dict[str, Any]] = (), timeout: float = 300
) -> dict[str, Any]:
    """Open the served page in headless Chromium: see web/tools/browser.mjs for the request and answer."""
    request = {"base": base, "executable": str(chromium()), "visits": list(visits), "scripts": list(scripts)}
    ensure_node_modules()
    return run_node(WEB / "tools" / "browser.mjs", request, timeout)


class LineSession:
    """A web/tools script run with --lines: one JSON request per line in, one answer per line out.
    Benchmarks keep one for all their rounds, so runtimes are measured side by side, round by round."""

    def __init__(self, script: Path, first: dict[str, Any] | None = None) -> None:
        ensure_node_modules()
        self._errors = tempfile.TemporaryFile("w+")  # noqa: SIM115 (closed by close())
        self._process = subprocess.Popen(
            [node(), str(script), "--lines"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._errors,
            text=True,
            cwd=ROOT,
        )
        self.greeting = self(first) if first is not None else None

    def __call__(self, request: dict[str, Any]) -> Any:
        assert self._process.stdin and self._process.stdout
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        if not line:
            self._errors.seek(0)
            raise RuntimeError(f"web/tools session ended (exit {self._process.wait()}):\n{self._errors.read()[-4000:]}")
        return json.loads(line)

    def close(self) -> None:
        if self._process.stdin:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout:
            self._process.stdout.close()
        self._errors.close()


@contextmanager
def node_session() -> Iterator[LineSession]:
    """web/tools/node-harness.mjs kept running: call it with one request at a time."""
    session = LineSession(WEB / "tools" / "node-harness.mjs")
    try:
        yield session
    finally:
        session.close()


@contextmanager
def page_session(base: str) -> Iterator[LineSession]:
    """One page of headless Chromium kept open at `base`, the module imported: call it with scripts
    ({"function", "argument"}); `.greeting["browser"]` is Chromium's version."""
    session = LineSession(WEB / "tools" / "browser.mjs", {"base": base, "executable": str(chromium())})
    try:
        yield session
    finally:
        session.close()


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (a fetch from it fails as a network error)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def screenshot(site: Path, query: str, out: Path, size: tuple[int, int] = (1000, 470)) -> dict[str, Any]:
    """Open the page at `query` in headless Chromium and save what it shows to `out` (PNG); the visit."""
    with serve(site) as base:
        request = {"base": base, "executable": str(chromium()), "viewport": {"width": size[0], "height": size[1]}}
        request["visits"] = [{"query": query, "screenshot": str(Path(out).resolve())}]
        ensure_node_modules()
        return run_node(WEB / "tools" / "browser.mjs", request)["visits"][0]

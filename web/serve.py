"""Serve a folder over HTTP on this machine: `python web/serve.py [DIR] [--port N] [--isolate]`.

The page must be served (a `file://` page cannot fetch onnxruntime-web's wasm). Any static server
does; this one only makes sure `.mjs`, `.wasm` and `.onnx` go out with the right types, binds to
127.0.0.1, and with `--isolate` sends the two headers a page needs for more than one wasm thread
(Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy). `--port 0` picks a free port; the first
line printed names the address.
"""

from __future__ import annotations

import argparse
import functools
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

TYPES = {
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".wasm": "application/wasm",
    ".onnx": "application/octet-stream",
}
ISOLATION_HEADERS = {"Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp"}


class SiteHandler(SimpleHTTPRequestHandler):
    extensions_map: ClassVar[dict[str, str]] = {**SimpleHTTPRequestHandler.extensions_map, **TYPES}
    isolate = False
    quiet = False

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        if self.isolate:
            for name, value in ISOLATION_HEADERS.items():
                self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        if not self.quiet:
            super().log_message(format, *args)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python web/serve.py", description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", default="build/web", help="folder to serve (default: build/web)")
    parser.add_argument("--port", type=int, default=8000, help="port (0: any free one; default 8000)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--isolate", action="store_true", help="send COOP/COEP headers (needed for wasm threads)")
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    arguments = parser.parse_args(argv)
    directory = Path(arguments.directory)
    if not (directory / "index.html").is_file():
        sys.exit(f"Error: {directory} has no index.html; build the site first with `make web`")
    handler = type("Handler", (SiteHandler,), {"isolate": arguments.isolate, "quiet": arguments.quiet})
    try:
        server = ThreadingHTTPServer(
            (arguments.host, arguments.port), functools.partial(handler, directory=str(directory))
        )
    except OSError as error:
        sys.exit(f"Error: cannot listen on {arguments.host}:{arguments.port} ({error.strerror})")
    host, port = server.server_address[:2]
    print(f"Serving {directory} at http://{host}:{port}/ (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()

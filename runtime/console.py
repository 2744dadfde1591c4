"""What every lstm-edge command shares: one-line errors, exit codes, `--version`, a clean exit.

    @click.command()
    @version_option
    @one_line_errors
    def main(...): ...                       # raise LstmEdgeError subclasses freely

    def run() -> None:                       # the console script
        run_command(main, "lstm-x")

Exit codes: 0 done, 1 an error (`Error: …` on stderr, one line), 2 bad usage (click's), 130
interrupted. An exception outside the family is a bug: it keeps its traceback, with a line asking
for a report.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import io
import os
import signal
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from lstm_edge import __version__

from .errors import LstmEdgeError

EXIT_ERROR = 1
EXIT_INTERRUPTED = 130
BUG_HINT = "This is a bug in lstm-edge: please report it with the command you ran and the traceback above."

F = TypeVar("F", bound=Callable[..., Any])

version_option = click.version_option(__version__, "-V", "--version", message="%(prog)s (lstm-edge) %(version)s")


class FiniteFloatRange(click.FloatRange):
    """click's FloatRange, refusing NaN and infinities (which pass every range check as NaN compares false)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if number != number or number in (float("inf"), float("-inf")):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


def one_line_errors(function: F) -> F:
    """Turn the error family and OS errors into `Error: …` (exit 1); let bugs show their traceback."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _print_file_names_as_given()
        try:
            return function(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except LstmEdgeError as error:
            raise click.ClickException(one_line(str(error))) from None
        except OSError as error:
            if isinstance(error, BrokenPipeError):
                raise  # click handles a reader that left (`… | head -1`) quietly
            if error.filename is None and _raised_in_echo(error):
                _silence_stdout()
                raise click.ClickException(f"cannot write to standard output: {_reason(error)}") from None
            raise click.ClickException(describe_os_error(error)) from None
        except MemoryError:
            raise click.ClickException("out of memory; try a smaller batch or model") from None
        except RecursionError:
            raise click.ClickException("input nested too deeply to process") from None
        except Exception:
            import traceback

            traceback.print_exc()
            click.echo(BUG_HINT, err=True)
            raise SystemExit(EXIT_ERROR) from None

    return wrapper  # type: ignore[return-value]


def _print_file_names_as_given() -> None:
    """A file name that is not UTF-8 reaches Python as surrogate escapes; print its bytes as they were
    instead of failing (what Python does on its own in the POSIX locale). Text we generate never holds
    surrogates, so `--json` stays valid UTF-8."""
    stdout = sys.stdout
    if isinstance(stdout, io.TextIOWrapper) and stdout.errors == "strict":
        with contextlib.suppress(ValueError, OSError):
            stdout.reconfigure(errors="surrogateescape")


def one_line(text: str) -> str:
    """A message on one line: newlines and control characters (from file names or data) made visible."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in " ".join(text.split("\n")))


def describe_os_error(error: OSError) -> str:
    """`out/model.onnx: No space left on device`, in the system's words."""
    reason = _reason(error)
    if error.errno == errno.ENOSPC:
        reason += " (free some space and run again; nothing half-written was kept)"
    target = error.filename
    return one_line(f"{target}: {reason}" if target else reason)


def _reason(error: OSError) -> str:
    return error.strerror or os.strerror(error.errno or 0) or type(error).__name__


def _raised_in_echo(error: BaseException) -> bool:
    """Whether `error` came from click.echo: writing to standard output (or error) failed."""
    frame = error.__traceback__
    while frame is not None:
        code = frame.tb_frame.f_code
        if code.co_name == "echo" and code.co_filename.endswith(os.path.join("click", "utils.py")):
            return True
        frame = frame.tb_next
    return False


def run_command(command: click.Command, prog_name: str, fast_exit: bool = False) -> None:
    """Run `command` as a console script and exit with its status.

    SIGTERM and SIGHUP become an exit through every `finally` (temporary files are removed), with status
    128 + the signal's number. Output is flushed here, so a full disk or closed stdout is reported instead
    of a Python message at shutdown. With `fast_exit`, the process then leaves without tearing the
    interpreter down (finalizing onnxruntime and numpy costs about 25 ms, more than a short generation).
    """
    if sys.stdout is None or sys.stderr is None:  # started with >&- or 2>&-
        _write_raw(2 if sys.stderr is not None else None, f"Error: {prog_name}: standard output is closed\n")
        os._exit(EXIT_ERROR)
    if sys.stdin is None:  # started with <&-: hold descriptor 0, so no file we open later becomes "stdin"
        with contextlib.suppress(OSError):
            os.open(os.devnull, os.O_RDONLY)
    for signum in _TERMINATING_SIGNALS:
        signal.signal(signum, _exit_on_signal)
    try:
        command.main(prog_name=prog_name)
        code = 0
    except SystemExit as exit_request:
        code = exit_request.code if isinstance(exit_request.code, int) else (0 if exit_request.code is None else 1)
    except BrokenPipeError:  # the reader of click's own output left
        _silence_stdout()
        code = EXIT_ERROR
    except OSError as error:  # writing click's own output (--help, a usage error) failed
        _silence_stdout()
        _write_raw(2, f"Error: cannot write to standard output: {_reason(error)}\n")
        code = EXIT_ERROR
    code = _flush(code)
    if fast_exit:
        os._exit(code)
    sys.exit(code)


_TERMINATING_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def _exit_on_signal(signum: int, _frame: object) -> None:
    """Leave through every `finally` (cleanup runs); a second signal during the cleanup is ignored."""
    for terminating in _TERMINATING_SIGNALS:
        signal.signal(terminating, signal.SIG_IGN)
    raise SystemExit(128 + signum)


def _flush(code: int) -> int:
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # the reader left; nothing more to say
        _silence_stdout()
    except OSError as error:
        _silence_stdout()
        _write_raw(2, f"Error: cannot write to standard output: {_reason(error)}\n")
        return code or EXIT_ERROR
    with contextlib.suppress(OSError):
        sys.stderr.flush()
    return code


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's own flush at exit has nothing left to fail on."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _write_raw(descriptor: int | None, text: str) -> None:
    if descriptor is not None:
        with contextlib.suppress(OSError):
            os.write(descriptor, text.encode("utf-8", "replace"))

"""Writing files without touching anything of the user's except the named output.

    with atomic_path("out/model.onnx") as temporary:   # out/.model.onnx.lstm-edge-k3x9/model.onnx
        write(temporary)                                # out/model.onnx: the old file, or none, until ...
    # ... here: the new file, complete and synced

- The temporary file lives in a private directory (mode 0700) beside the target: the same file system, so
  the final rename is atomic, and a tool that writes files beside its output (onnxruntime's quantizer writes
  `NAME-inferred.onnx`) writes them in there, never next to the user's files.
- The directory goes on every exit path: success, exceptions, Ctrl-C, and SIGTERM (the commands' `run_command`
  turns it into an exception). A `kill -9` cannot be caught: each private directory holds a lock while its
  process lives, and the next write into the same directory removes those whose process is gone.
- An existing target that is not a regular file (directory, FIFO, device, socket, or a link to one) is never
  replaced: `NotARegularFile`, an OSError, so every command reports it in one line.
- A replaced file keeps its permission bits; a new one gets the usual ones (0666 less the umask).
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no flock; leftovers of killed runs are then left alone (and ignored)
    fcntl = None  # type: ignore[assignment]

PRIVATE_MARK = ".lstm-edge-"  # in the name of every private directory: `.{target}.lstm-edge-XXXX`
LOCK_NAME = ".lstm-edge-lock"  # held (flock) by the process that owns the directory
_PRIVATE_NAME = re.compile(r"\..*\.lstm-edge-[A-Za-z0-9_]+\Z", re.DOTALL)
_MKDTEMP_NAME = re.compile(r"\..*\.lstm-edge-[a-z0-9_]{8}\Z", re.DOTALL)  # exactly as tempfile names ours
_WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}  # what a write to the temporary file can raise
_NAME_ROOM = 100  # characters of the target's name kept in the private directory's name
_ATTEMPTS = 20  # private directories tried before giving up (each lost only to a concurrent cleanup)


class NotARegularFile(OSError):
    """The output path holds a directory, FIFO, device or socket, which lstm-edge never replaces."""


def special_kind(path: str | os.PathLike[str]) -> str | None:
    """What `path` is when it exists and is not a regular file ("a FIFO", …; links followed), else None."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISREG(mode):
        return None
    kinds = [
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ]
    return next((kind for test, kind in kinds if test(mode)), "not a regular file")


def check_replaceable(path: str | os.PathLike[str]) -> None:
    """Raise `NotARegularFile` when `path` exists and is not a regular file."""
    kind = special_kind(path)
    if kind is not None:
        code = errno.EISDIR if kind == "a directory" else errno.EEXIST
        raise NotARegularFile(code, f"is {kind}; lstm-edge replaces only regular files, choose another path", str(path))


def unwritable_reason(path: str | os.PathLike[str], command: str = "lstm-edge") -> str | None:
    """Why `atomic_path(path)` would fail, found before any work is done; None when it can go ahead.

    Makes the missing parent directories (as `atomic_path` would). Checks: `path` is not a directory or
    another special file; its directory exists and this process may create and rename files in it (a
    read-only file system included); in a sticky directory (like /tmp), an existing `path` is this
    user's or the directory's (else the kernel refuses the rename over it). A full disk shows only when
    writing.
    """
    target = Path(path)
    kind = special_kind(target)
    if kind == "a directory":
        return "it is a directory"
    if kind is not None:
        return f"it is {kind}; {command} replaces only regular files"
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # mkdir's "File exists" would hide the real problem
        return f"{parent} is not a directory"
    except OSError as error:
        return error.strerror or str(error)
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"directory {parent} is not writable"
    if _sticky_refuses(target):
        return f"it belongs to another user, in {parent}: a sticky directory, where only its owner may replace it"
    return None


def _sticky_refuses(target: Path) -> bool:
    """Whether the kernel's sticky-directory rule forbids replacing the existing entry `target`."""
    euid = getattr(os, "geteuid", lambda: 0)()
    try:
        entry, directory = os.lstat(target), os.stat(target.parent)
    except OSError:
        return False
    sticky = bool(directory.st_mode & stat.S_ISVTX)
    return sticky and euid != 0 and euid not in (entry.st_uid, directory.st_uid)


@contextmanager
def private_directory(near: str | os.PathLike[str]) -> Iterator[Path]:
    """A new directory (mode 0700) beside `near`, locked while the block runs and removed after it.

    Directories left by killed processes beside `near` are removed first.
    """
    target = Path(near)
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(parent)
    for _ in range(_ATTEMPTS):
        try:
            directory = Path(tempfile.mkdtemp(prefix=f".{_utf8(target.name)[:_NAME_ROOM]}{PRIVATE_MARK}", dir=parent))
        except OSError as error:
            raise _about(error, target) from None
        try:
            lock = _locked(directory)
            if lock is None:  # another process's cleanup took it before we locked it: start again
                continue
            try:
                yield directory
            finally:
                os.close(lock)
            return
        finally:
            shutil.rmtree(directory, ignore_errors=True)
    raise _about(OSError(errno.EAGAIN, "other processes keep removing our temporary directory"), target)


def _utf8(name: str) -> str:
    """`name` with the bytes of a non-UTF-8 file name as U+FFFD: onnx and onnxruntime, which work inside the
    private directory, can open only paths that are UTF-8."""
    return os.fsencode(name).decode("utf-8", "replace")


def _locked(directory: Path) -> int | None:
    """Open and lock `directory`'s lock file; None when the directory was removed before the lock was ours.

    Between creating the lock file and locking it, another process's `remove_leftovers` may find it free
    and remove the directory; so after locking, check that the path still names the file we locked.
    """
    path = directory / LOCK_NAME
    try:
        lock = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except FileNotFoundError:
        return None
    try:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if os.stat(path).st_ino == os.fstat(lock).st_ino:
            return lock
    except (FileNotFoundError, BlockingIOError):
        pass
    except BaseException:
        os.close(lock)
        raise
    os.close(lock)
    return None


def remove_leftovers(directory: str | os.PathLike[str]) -> list[Path]:
    """Remove the private directories in `directory` whose process is gone; returns them.

    Only entries named like ours are touched: those holding our lock file when the lock can be taken, and
    empty ones named exactly as `tempfile` names ours (a process killed before it made its lock file).
    """
    if fcntl is None:
        return []
    removed = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return []
    for entry in entries:
        if not (PRIVATE_MARK in entry.name and _PRIVATE_NAME.match(entry.name)):
            continue
        with suppress(OSError):
            if not entry.is_dir(follow_symlinks=False):
                continue
            try:
                lock = os.open(Path(entry.path) / LOCK_NAME, os.O_RDWR | os.O_NOFOLLOW)
            except FileNotFoundError:
                if not _MKDTEMP_NAME.match(entry.name):
                    continue
                os.rmdir(entry.path)  # fails unless empty
                removed.append(Path(entry.path))
                continue
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises while the owner lives
                shutil.rmtree(entry.path)
                removed.append(Path(entry.path))
            finally:
                os.close(lock)
    return removed


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path (an empty file, named like `path`, in a private directory beside it); when
    the block succeeds, move it over `path`. See the module docstring for what is guaranteed."""
    target = Path(path)
    check_replaceable(target)
    with private_directory(target) as directory:
        temporary = directory / target.name
        try:
            os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            yield temporary
            with open(temporary, "rb+") as written:
                os.fsync(written.fileno())
            check_replaceable(target)  # still not something special (it may have appeared meanwhile)
            with suppress(OSError):
                os.chmod(temporary, stat.S_IMODE(os.stat(target).st_mode))  # a replaced file keeps its mode
            os.replace(temporary, target)
        except OSError as error:
            raise _about(error, target, directory) from None
    _sync_directory(target.parent)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    with atomic_path(path) as temporary:
        temporary.write_bytes(data)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def _about(error: OSError, target: Path, directory: Path | None = None) -> OSError:
    """`error`, naming `target` instead of a file in our private directory (or the directory itself); a
    full disk or quota with no file named (a failed `write`) is about the target too."""
    name = str(error.filename or "")
    ours = directory is None or name == str(directory) or name.startswith(str(directory) + os.sep)
    if (name and ours) or (not name and error.errno in _WRITE_ERRORS):
        error.filename = str(target)
    return error


def _sync_directory(directory: Path) -> None:
    """Make the rename durable (where the platform and file system allow it)."""
    with suppress(OSError, AttributeError):
        descriptor = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

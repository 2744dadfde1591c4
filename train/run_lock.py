"""One training at a time per run directory.

The lock is an `flock` on `RUN_DIR/.lstm-train.lock`, which names its holder (pid, host, start time).
The kernel drops an flock when its process ends, however it ends (`kill -9` included), so the lock
file of a dead run is simply taken over; a live holder makes the next `lstm-train` refuse at once.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import stat
import time
from pathlib import Path

from lstm_edge.runtime.errors import TrainingError
from lstm_edge.runtime.files import special_kind

LOCK_NAME = ".lstm-train.lock"


class RunLock:
    """`with RunLock(run_dir):` holds the directory for this process, or raises `TrainingError`."""

    def __init__(self, run_dir: Path) -> None:
        self.path = run_dir / LOCK_NAME
        self._descriptor: int | None = None

    def __enter__(self) -> RunLock:
        while self._descriptor is None:
            descriptor = self._open()
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _holder(descriptor)
                os.close(descriptor)
                raise TrainingError(
                    f"{self.path.parent} is in use by another lstm-train ({holder}); "
                    "wait for it to end, or choose another --out"
                ) from None
            if _same_file(descriptor, self.path):
                self._descriptor = descriptor
            else:  # its previous holder removed the file between our open and our lock: lock the new one
                os.close(descriptor)
        record = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.strftime("%Y-%m-%d %H:%M:%S")}
        os.ftruncate(self._descriptor, 0)
        os.pwrite(self._descriptor, json.dumps(record).encode(), 0)
        return self

    def _open(self) -> int:
        """The lock file, created if missing; never through a link, never a FIFO, device or directory (a
        name of ours the user made into one is refused rather than written through or removed)."""
        flags = os.O_RDWR | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
        try:
            if self.path.is_symlink():
                raise OSError(errno.ELOOP, "a symbolic link")
            descriptor = os.open(self.path, flags, 0o644)
        except OSError as error:
            reason = "it is a symbolic link" if error.errno == errno.ELOOP else error.strerror or str(error)
            raise TrainingError(f"cannot write the lock file {self.path}: {reason}") from None
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            os.close(descriptor)
            kind = special_kind(self.path) or "not a regular file"
            raise TrainingError(f"cannot use {self.path} as the lock file: it is {kind}; move it away")
        return descriptor

    def __exit__(self, *_exc: object) -> None:
        if self._descriptor is not None:
            self.path.unlink(missing_ok=True)  # while still locked: nobody else is writing it
            os.close(self._descriptor)
            self._descriptor = None


def _holder(descriptor: int) -> str:
    try:
        record = json.loads(os.pread(descriptor, 4096, 0))
        return f"pid {int(record['pid'])} on host {str(record['host'])[:100]}, since {str(record['since'])[:40]}"
    except (OSError, ValueError, KeyError, TypeError):
        return "its holder has not said who it is yet"


def _same_file(descriptor: int, path: Path) -> bool:
    try:
        on_disk = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(descriptor)
    return (mine.st_dev, mine.st_ino) == (on_disk.st_dev, on_disk.st_ino)

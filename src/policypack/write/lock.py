"""Write stage: one build at a time per pack folder, from the check of its owner to the end of its swap.

Two processes building two schools that share a name (or the same school twice) must not
both check the folder, both build, and both swap: the last to finish would silently replace
the other's pack. Each build holds an exclusive lock on `.<folder>.lock` beside the pack
folder while it checks who owns the folder, stages its files and puts them in place; a second
build of the same folder waits for it, then checks the owner again. The lock is the kernel's
(`flock`), so it is released when its holder dies, however it dies, and it also tells live
staging folders from dead ones without trusting process ids (which another PID namespace reuses).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from policypack.errors import PolicypackError

log = logging.getLogger("policypack")
LOCK_SUFFIX = ".lock"


class FolderBusy(PolicypackError):
    """The pack folder's lock file cannot be used."""


def lock_path(folder: Path) -> Path:
    return folder.parent / f".{folder.name}{LOCK_SUFFIX}"


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold the pack folder's lock; wait (saying so) while another build holds it."""
    path = lock_path(folder)
    flags = os.O_RDWR | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags, 0o644)  # an OSError here (read-only, no permission) is named by the caller
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise FolderBusy(f"{path} is not a regular file; remove it so that builds can lock the pack folder")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("%s: another build of this pack is running; waiting for it to finish", folder.name)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)

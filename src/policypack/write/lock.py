"""Write stage: one build at a time per pack folder, from the check of its owner to the end of its swap.

Two processes building two schools that share a name (or the same school twice) must not
both check the folder, both build, and both swap: the last to finish would silently replace
the other's pack. Each build holds an exclusive lock on the pack folder while it checks who
owns it, stages its files and puts them in place; a second build of the same folder waits
for it, then checks the owner again. The lock is the kernel's
(`flock`), so it is released when its holder dies, however it dies, and it also tells live
staging folders from dead ones without trusting process ids (which another PID namespace reuses).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger("policypack")


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold the pack folder's lock; wait (saying so) while another build holds it.

    The lock is on the folder itself, made for the purpose when it does not exist yet and
    removed again if the build leaves it empty, so a failed first build leaves nothing behind.
    A symbolic link or a file where the folder should be is not locked: the owner's check
    refuses it straight after.
    """
    while True:
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            yield
            return
        created = _made(folder)
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC)
        try:
            _wait_for(fd, folder)
            if _same(folder, fd):  # not removed by the build that held it while we waited
                try:
                    yield
                finally:
                    if created:
                        with contextlib.suppress(OSError):
                            folder.rmdir()  # only if still empty: the build failed before its swap
                return
        finally:
            os.close(fd)


def _made(folder: Path) -> bool:
    try:
        folder.mkdir()
    except FileExistsError:
        return False
    return True


def _wait_for(fd: int, folder: Path) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        log.warning("%s: another build of this pack is running; waiting for it to finish", folder.name)
        fcntl.flock(fd, fcntl.LOCK_EX)


def _same(folder: Path, fd: int) -> bool:
    try:
        return folder.lstat().st_ino == os.fstat(fd).st_ino
    except OSError:
        return False


def remove_if_unheld_and_empty(folder: Path) -> None:
    """Remove `folder` if it is empty and no build holds its lock (one a stopped build had made)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            folder.rmdir()  # fails, harmlessly, unless it is empty
        finally:
            os.close(fd)

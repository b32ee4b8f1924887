"""Reading files a school sends: only regular files, only inside allowed folders, size-capped.

Every path is resolved (symlinks followed) before it is checked, so a link inside a
school's folder cannot reach out of it; FIFOs, devices and /proc files are refused
before they are opened, so they can neither hang a build nor fill its memory.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class UnreadableFile(Exception):
    """A file that may not or cannot be read; the message says why, in plain words."""


def inside(path: Path, folder: Path) -> bool:
    """Whether `path`, with symlinks resolved, lies within `folder` (also resolved)."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError, ValueError):  # a loop of links, a name too long
        return False


def resolved(path: Path) -> Path:
    """`path` with its symbolic links followed; UnreadableFile for a loop of links or a bad name."""
    try:
        return path.resolve()
    except RuntimeError as exc:  # Python 3.11 reports a loop of links this way
        raise UnreadableFile(f"'{path.name}' is a symbolic link that leads back to itself (a loop)") from exc
    except (OSError, ValueError) as exc:
        raise UnreadableFile(f"cannot read '{path.name}': {getattr(exc, 'strerror', None) or exc}") from exc


def is_file(path: Path) -> bool:
    """Whether a path is a regular file; False, not an error, for any bad name."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except (OSError, ValueError):
        return False


def is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def read_bytes(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; UnreadableFile otherwise.

    The file is opened without following a FIFO's promise of data (O_NONBLOCK) and checked
    on the open descriptor, so it cannot be swapped for another between check and read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise UnreadableFile(f"cannot read file: {exc.strerror or exc}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # checked before fdopen, which refuses a folder with its own error
            raise UnreadableFile(f"cannot read file: it is {_kind(info.st_mode)}, not a regular file")
        if info.st_size > limit:
            raise UnreadableFile(f"file is {info.st_size:,} bytes; the limit is {limit:,}")
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise UnreadableFile(f"cannot read file: {exc.strerror or exc}") from exc
    if len(data) > limit:  # /proc and friends report a size of 0 and then stream
        raise UnreadableFile(f"file is over the limit of {limit:,} bytes")
    return data


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a socket" if stat.S_ISSOCK(mode) else "a special file"

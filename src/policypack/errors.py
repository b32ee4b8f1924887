"""Problems as data, and the exceptions that carry them to the command line.

Every stage reports what is wrong as `Problem` values with an exact location, so a
user sees all of them in one run. Only the CLI turns exceptions into exit codes.
"""

from __future__ import annotations

import difflib
import errno
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"  # for information only: never fails a run, not even with --strict


@dataclass(frozen=True, order=True)
class Location:
    """A place in an input file; line and column are 1-based (0 means unknown)."""

    file: Path
    line: int = 0
    col: int = 0

    def display(self, base: Path | None = None) -> str:
        text = printable(display_path(self.file, base))
        if self.line:
            text += f":{self.line}:{self.col or 1}"
        return text


@dataclass(frozen=True)
class Problem:
    location: Location
    message: str
    hint: str | None = None
    severity: Severity = Severity.ERROR
    excerpt: str | None = None  # the line of the file it is on, shown with a caret under the column

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        return (str(loc.file), loc.line, loc.col, self.message)

    def format(self, base: Path | None = None) -> str:
        text = f"{self.location.display(base)}: {self.severity.value}: {self.message}"
        if self.excerpt is not None and self.location.line:
            number = str(self.location.line)
            shown = self.excerpt.replace("\t", "\u2192")  # a tab shows as an arrow, one column wide
            caret = " " * (max(self.location.col, 1) - 1) + "^"
            text += f"\n  {number} | {shown}\n  {' ' * len(number)} | {caret}"
        if self.hint:
            first, *examples = self.hint.split("\n")
            text += f"\n  hint: {first}" + "".join(f"\n        {line}" for line in examples)
        return text

    def as_json(self, base: Path | None = None) -> dict[str, object]:
        return {
            "file": display_path(self.location.file, base),
            "line": self.location.line,
            "col": self.location.col,
            "severity": self.severity.value,
            "message": self.message,
            "hint": self.hint,
        }


def display_path(path: Path, base: Path | None = None) -> str:
    """The path relative to `base` (default: the working directory) when inside it."""
    base = base or Path.cwd()
    try:
        return os.path.relpath(path, base) if path.is_absolute() and path.is_relative_to(base) else str(path)
    except ValueError:
        return str(path)


def printable(text: str) -> str:
    """Text safe to print on an operator's terminal: control, format and separator characters escaped.

    File names come from schools: one holding an escape sequence could retitle the window, fill
    the clipboard (OSC 52) or overwrite the line with a fake "ok" (a carriage return).
    """
    if text.isprintable():
        return text
    return "".join(
        ch if ch.isprintable() or ch == " " else (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        for ch in text
    )


ERRNO_REASONS = {
    errno.ENOSPC: ("the disk is full", "free some space and build again"),
    errno.EDQUOT: ("the disk quota is used up", "free some space and build again"),
    errno.EROFS: ("the file system is read-only", "build into a folder you can write to (-o)"),
    errno.EACCES: ("permission denied", "check the folder's owner and permissions, or build elsewhere (-o)"),
    errno.EPERM: ("the operation is not permitted", "check the folder's owner and permissions"),
    errno.EBUSY: ("the file is in use (busy)", "close whatever holds it and build again"),
    errno.ENAMETOOLONG: ("the name is too long for the file system", "build into a folder with a shorter path"),
    errno.ELOOP: ("a symbolic link leads back to itself (a loop)", "remove the link"),
    errno.ENOENT: ("a folder on the way does not exist (or went away)", "check the path"),
    errno.ENOTDIR: ("a part of the path is a file, not a folder", "check the path"),
    errno.EISDIR: ("it is a folder", "choose a file name"),
    errno.EXDEV: ("it is on another file system", "build into an ordinary folder"),
}


def os_error_message(exc: OSError) -> str:
    """An error from the operating system in plain words, naming the file and what to do."""
    reason, hint = ERRNO_REASONS.get(exc.errno or 0, (exc.strerror or str(exc), "check the path and try again"))
    where = f" {printable(os.fsdecode(exc.filename))}" if exc.filename else ""
    return f"cannot write or read{where}: {reason}; {hint}. Every pack not built is as it was"


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    return sorted(set(problems), key=Problem.sort_key)


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity is Severity.ERROR for p in problems)


class PolicypackError(Exception):
    """Base class; the CLI maps subclasses to exit codes."""

    exit_code = 1


@dataclass
class InvalidInput(PolicypackError):
    """Input files have problems; nothing was written."""

    problems: list[Problem] = field(default_factory=list)
    reported: bool = False  # True when the command already printed the problems

    def __str__(self) -> str:
        count = sum(p.severity is Severity.ERROR for p in self.problems)
        return f"{count} problem{'s' if count != 1 else ''} found"


class ToolMissing(PolicypackError):
    """A required external program or library is not installed."""

    exit_code = 3


class ToolFailed(PolicypackError):
    """An external program ran but failed or timed out."""


def suggest(word: str, choices: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'?" if matches else None

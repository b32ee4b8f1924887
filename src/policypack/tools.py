"""The one place that runs external programs (dot, pdftoppm, git): find, run, time-limit.

A program that is not installed is `ToolMissing` (exit 3) with the install hint; one
that fails or outlives its time limit is `ToolFailed` (exit 1) with its last words.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from policypack.errors import ToolFailed, ToolMissing

INSTALL_HINTS = {
    "dot": "install Graphviz with its Pango plugin: apt-get install graphviz (macOS: brew install graphviz)",
    "pdftoppm": "apt-get install poppler-utils (macOS: brew install poppler)",
    "git": "apt-get install git",
    "rsvg-convert": "apt-get install librsvg2-bin (macOS: brew install librsvg)",
}


@dataclass(frozen=True)
class Done:
    returncode: int
    stdout: bytes
    stderr: bytes

    def last_line(self) -> str:
        lines = self.stderr.decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else "no message"


def find_tool(name: str) -> str:
    """The path of an installed program, or ToolMissing naming how to install it."""
    found = shutil.which(name)
    if found is None:
        raise ToolMissing(f"'{name}' was not found; {INSTALL_HINTS.get(name, f'install {name}')}")
    return found


def run_tool(
    name: str,
    args: list[str],
    *,
    timeout: float,
    stdin: bytes | None = None,
    cwd: Path | None = None,
    check: bool = True,
    memory_limit: int | None = None,
) -> Done:
    """Run `name` with `args`; with `check`, a non-zero exit is ToolFailed with its message.

    `memory_limit` caps the program's address space (bytes): past it, it fails instead of growing.
    """
    program = find_tool(name)

    def cap() -> None:
        if memory_limit:
            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    try:
        done = subprocess.run(
            [program, *args],
            input=stdin,
            capture_output=True,
            timeout=timeout,
            cwd=cwd,
            check=False,
            preexec_fn=cap if memory_limit else None,  # only setrlimit in the child, no locks taken
        )
    except subprocess.TimeoutExpired as exc:
        raise ToolFailed(f"{name} did not finish within {timeout:g} seconds") from exc
    except OSError as exc:
        raise ToolFailed(f"{name} could not be started: {exc.strerror or exc}") from exc
    result = Done(done.returncode, done.stdout, done.stderr)
    if check and done.returncode != 0:
        label = f"{name} {args[0]}" if args and not args[0].startswith("-") else name  # "git ls-tree"
        raise ToolFailed(f"{label} failed (exit {done.returncode}): {result.last_line()}")
    return result


# Debian packages of the fonts schools' brands name most (others: the hint says how to add one).
FONT_PACKAGES = {
    "open sans": "fonts-open-sans",
    "dejavu sans": "fonts-dejavu-core",
    "liberation sans": "fonts-liberation2",
    "noto sans": "fonts-noto-core",
    "lato": "fonts-lato",
    "roboto": "fonts-roboto",
    "comic neue": "fonts-comic-neue",
}


def font_install_hint(font: str) -> str:
    """How to install a font: its Debian package when known, else how to add its files."""
    package = FONT_PACKAGES.get(font.casefold())
    if package:
        return f"install it: apt-get install {package}"
    return (
        "install it: copy its .ttf or .otf files into ~/.local/share/fonts (or /usr/local/share/fonts) and run fc-cache"
    )

"""Write stage: put a staged pack in place whole, or not at all.

1. the pack folder's `manifest.json` becomes `.pending-manifest.json`, so a pack caught
   half-moved is never taken as up to date, and the files it lists are still known;
2. each file's old version is set aside (into the staging folder), then the new one moved in;
3. if any move fails (a file in use, a full disk, no permission), every file moved so far
   goes back, the old manifest is restored, and the error is raised: the old pack is whole;
4. files the previous build made and this one does not are removed, but only regular
   files whose bytes are still what policypack wrote;
5. the new `manifest.json` goes in last, and the pending one is removed.
A build that is killed anywhere leaves a folder the next build recognises and repairs.
"""

from __future__ import annotations

import contextlib
import hashlib
import stat
from pathlib import Path

from policypack.errors import PolicypackError
from policypack.write.manifest import MANIFEST

PENDING = ".pending-manifest.json"
ASIDE = ".previous"


class OutputRefused(PolicypackError):
    """The output folder cannot safely take this pack; nothing was written."""


def put_in_place(stage: Path, folder: Path, written_before: dict[str, str]) -> list[str]:
    """Move a staged pack (its manifest included) into `folder`; returns the files now there.

    `written_before` maps the files the previous build wrote to their SHA-256.
    """
    folder.mkdir(exist_ok=True)
    files = sorted(p.name for p in stage.iterdir() if p.name not in (MANIFEST, ASIDE))
    in_the_way = [name for name in [*files, MANIFEST, PENDING] if _occupied(folder / name)]
    if in_the_way:  # found before anything moves, so the old pack stays whole
        raise OutputRefused(f"cannot replace {folder / in_the_way[0]}: it is a folder or a link, not a file")
    aside = stage / ASIDE
    aside.mkdir(exist_ok=True)
    moved: list[tuple[str, bool]] = []
    had_manifest = (folder / MANIFEST).exists()
    try:
        if had_manifest:
            (folder / MANIFEST).replace(folder / PENDING)
        for name in files:
            had = (folder / name).exists()
            if had:
                (folder / name).replace(aside / name)
            moved.append((name, had))
            (stage / name).replace(folder / name)
    except BaseException:
        _roll_back(stage, folder, aside, moved, had_manifest)
        raise
    for name, sha in sorted(written_before.items()):
        if name not in files:
            remove_if_ours(folder / name, sha)
    (stage / MANIFEST).replace(folder / MANIFEST)
    (folder / PENDING).unlink(missing_ok=True)
    return [*files, MANIFEST]


def _roll_back(stage: Path, folder: Path, aside: Path, moved: list[tuple[str, bool]], had_manifest: bool) -> None:
    """Every file back as it was before the swap began, as far as the file system lets it."""
    for name, had in reversed(moved):
        with contextlib.suppress(OSError):
            if not (stage / name).exists():  # else the new file never left the staging folder
                (folder / name).replace(stage / name)
        if had:
            with contextlib.suppress(OSError):
                (aside / name).replace(folder / name)
    if had_manifest:
        with contextlib.suppress(OSError):
            (folder / PENDING).replace(folder / MANIFEST)


def _occupied(path: Path) -> bool:
    """Whether something other than a regular file (a folder, a link) sits where a file must go."""
    try:
        return not stat.S_ISREG(path.lstat().st_mode)
    except FileNotFoundError:
        return False


def remove_if_ours(path: Path, sha: str) -> None:
    """Remove a file the previous build wrote, unless someone has changed or replaced it since."""
    with contextlib.suppress(OSError):
        if stat.S_ISREG(path.lstat().st_mode) and sha256_of(path) == sha:
            path.unlink()


def sha256_of(path: Path) -> str | None:
    """The SHA-256 of a regular file, or None for anything else or anything unreadable."""
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            return None
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()
    except OSError:
        return None

"""Write stage: put a staged pack in place so that no kill or failure leaves it wrong for good.

A pack is built whole in a staging folder beside its pack folder. Putting it in place:
the pack folder is locked from the check of its owner to the end of the swap (`lock.py`),
and the swap is all-or-nothing (`swap.py`). A build that is killed anywhere leaves a folder
the next build recognises and repairs.
Nothing outside the pack folder is ever deleted, and a folder policypack did not make,
or one made for another profile, is an error rather than something to overwrite.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import stat
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policypack.load.pack import CheckedPack
from policypack.render.pack import Rendered
from policypack.write.formats import write_documents
from policypack.write.lock import folder_lock, remove_if_unheld_and_empty
from policypack.write.manifest import MANIFEST, write_manifest
from policypack.write.swap import PENDING, OutputRefused, put_in_place, sha256_of

__all__ = ["PENDING", "OutputRefused", "put_in_place"]  # where callers have always found them

log = logging.getLogger("policypack")

STAGING_MARK = ".staging-"
MAX_MANIFEST_BYTES = 1_000_000


def slug(name: str) -> str:
    """A folder name from a school's name: ASCII, lower case, hyphens; '' when nothing is left.

    Apostrophes vanish rather than split a word ("St Mary's" -> st-marys).
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"['\u2019`]", "", text.lower())
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


MAX_SLUG_BYTES = 80  # leaves room for the staging and lock names within a file system's 255


def pack_folder_name(school_name: str, profile: Path) -> str:
    """The pack's folder: the school's name as a slug, else the profile's own file or folder name.

    A slug longer than 80 characters is cut and given a short hash of the whole, so two long
    names that share a beginning still get folders of their own.
    """
    named = slug(school_name)
    if not named:
        stem = profile.parent.name if profile.stem in ("school", "profile") else profile.stem
        named = slug(stem) or "school"
    if len(named) <= MAX_SLUG_BYTES:
        return named
    return named[: MAX_SLUG_BYTES - 9].rstrip("-") + "-" + hashlib.sha256(named.encode()).hexdigest()[:8]


@contextlib.contextmanager
def staging(folder: Path) -> Iterator[Path]:
    """A fresh folder beside `folder` to build into; removed afterwards whatever happens.

    Leftovers of earlier builds that were killed (their process is gone) are removed first.
    """
    check_output_root(folder.parent)
    folder.parent.mkdir(parents=True, exist_ok=True)
    _remove_dead_staging(folder)
    stage = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}{STAGING_MARK}{os.getpid()}-"))
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def check_output_root(root: Path) -> None:
    """The folder packs go into must be a real folder (or not exist yet), never a file or /proc."""
    resolved = root.resolve()
    if resolved.is_relative_to("/proc") or resolved.is_relative_to("/sys") or resolved.is_relative_to("/dev"):
        raise OutputRefused(f"cannot write packs into {root}: choose an ordinary folder")
    for parent in (resolved, *resolved.parents):
        if parent.exists():
            if not parent.is_dir():
                raise OutputRefused(f"cannot write packs into {root}: {parent} is a file, not a folder")
            return


def check_pack_folder(folder: Path, profile: Path) -> dict[str, Any] | None:
    """The previous manifest of a pack folder that this profile may write into, or None if new.

    Refuses a symlink, a file, a folder some other tool made, and one made for another profile.
    """
    if folder.is_symlink():
        raise OutputRefused(f"the pack folder {folder} is a symbolic link; policypack only writes real folders")
    if not folder.exists():
        return None
    if not folder.is_dir():
        raise OutputRefused(f"the pack folder {folder} is a file, not a folder")
    manifest = read_manifest(folder / MANIFEST) or read_manifest(folder / PENDING)
    if manifest is None:
        if any(not p.name.startswith(".") for p in folder.iterdir()):
            raise OutputRefused(
                f"the folder {folder} was not made by policypack (no valid {MANIFEST}); "
                "move it away or build into another folder with -o"
            )
        return None
    owner = manifest.get("profile")
    if isinstance(owner, str) and Path(owner) != profile.resolve():
        raise OutputRefused(
            f"the pack folder {folder} belongs to the school of {owner}, not {profile}: two schools would share "
            "one folder; give one of them a different name"
        )
    return manifest


def read_manifest(path: Path) -> dict[str, Any] | None:
    """A policypack manifest, or None when the file is missing, not ours, or malformed."""
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_MANIFEST_BYTES:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        return None
    tools = data.get("tools")
    if not isinstance(tools, dict) or not isinstance(tools.get("policypack"), str):
        return None  # written by something else
    for entry in data["files"]:
        if not (
            isinstance(entry, dict) and isinstance(entry.get("name"), str) and isinstance(entry.get("sha256"), str)
        ):
            return None
    return data


def manifest_files(manifest: dict[str, Any] | None) -> dict[str, str]:
    """File name -> SHA-256 for the plain file names a manifest lists (nothing with a path)."""
    if not manifest:
        return {}
    entries = ((str(e["name"]), str(e["sha256"])) for e in manifest["files"])
    return {name: sha for name, sha in entries if _plain_name(name) and name not in (MANIFEST, PENDING)}


def is_intact(folder: Path) -> bool:
    """Whether a pack folder holds exactly what its manifest says, byte for byte."""
    manifest = read_manifest(folder / MANIFEST)
    if manifest is None or (folder / PENDING).exists():
        return False
    return all(sha256_of(folder / name) == sha for name, sha in manifest_files(manifest).items())


def _plain_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name and "\0" not in name


def _remove_dead_staging(folder: Path) -> None:
    """Staging folders of this pack left by builds that are gone.

    Called with the pack folder's lock held: every build of this pack stages under that lock,
    so any staging folder found now is a dead build's (whatever its process id says, in
    whichever PID namespace it ran).
    """
    prefix = f".{folder.name}{STAGING_MARK}"
    with contextlib.suppress(OSError):
        for leftover in folder.parent.iterdir():
            if leftover.name.startswith(prefix) and not leftover.is_symlink() and leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)


def remove_staging(output_root: Path, pid: int) -> None:
    """The staging folders a stopped build process left in `output_root`, and a pack folder it
    had just made to lock and left empty (nothing else is ever removed: only an empty folder
    that no build holds)."""
    with contextlib.suppress(OSError):
        for leftover in output_root.iterdir():
            name = leftover.name
            if leftover.is_symlink() or not leftover.is_dir():
                continue
            if name.startswith(".") and f"{STAGING_MARK}{pid}-" in name:
                shutil.rmtree(leftover, ignore_errors=True)
            elif not name.startswith("."):
                remove_if_unheld_and_empty(leftover)


@dataclass(frozen=True)
class PackResult:
    school: str
    folder: Path
    files: list[str]


def write_pack(checked: CheckedPack, documents: Sequence[Rendered], output_root: Path) -> PackResult:
    """Write every rendered document and the manifest, then put the pack in place as a whole."""
    inputs = checked.inputs
    name = inputs.school.model.school.name
    folder = output_root / pack_folder_name(name, inputs.school.profile.path)
    check_output_root(output_root)
    output_root.mkdir(parents=True, exist_ok=True)
    with folder_lock(folder):  # from the owner's check to the end of the swap: one build of this folder at a time
        previous = check_pack_folder(folder, inputs.school.profile.path)
        written_before = {**manifest_files(read_manifest(folder / PENDING)), **manifest_files(previous)}
        with staging(folder) as stage:
            write_documents(checked, documents, stage)
            write_manifest(stage, inputs, checked.approval)
            files = put_in_place(stage, folder, written_before)
    _note_contact_update(previous, checked)
    return PackResult(name, folder, files)


def _note_contact_update(previous: dict[str, Any] | None, checked: CheckedPack) -> None:
    """A contact change keeps the text (and its approval): say how to list it in the review history."""
    approval = checked.approval
    if (
        not previous
        or previous.get("version") != approval.version
        or previous.get("contacts") in (None, approval.contacts)
    ):
        return
    log.info(
        "%s: contact details changed since the last build; the text and its approval are unchanged. "
        "List it in the review history: policy.history: - {date: YYYY-MM-DD, change: what changed, kind: contacts}",
        checked.inputs.school.model.school.name,
    )

"""Write stage: put a staged pack in place so that no kill or failure leaves it wrong for good.

A pack is built whole in a staging folder beside its pack folder. Putting it in place:
1. the pack folder's `manifest.json` becomes `.pending-manifest.json`, so a pack caught
   half-moved is never taken as up to date, and the files it lists are still known;
2. each file replaces its old version with one atomic rename;
3. files the previous build made and this one does not are removed, but only regular
   files whose bytes are still what policypack wrote;
4. the new `manifest.json` goes in last, and the pending one is removed.
A build that is killed anywhere leaves a folder the next build recognises and repairs.
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

from policypack.errors import PolicypackError
from policypack.load.pack import CheckedPack
from policypack.render.pack import Rendered
from policypack.write.documents import write_documents
from policypack.write.manifest import MANIFEST, write_manifest

log = logging.getLogger("policypack")

PENDING = ".pending-manifest.json"
STAGING_MARK = ".staging-"
MAX_MANIFEST_BYTES = 1_000_000


class OutputRefused(PolicypackError):
    """The output folder cannot safely take this pack; nothing was written."""


def slug(name: str) -> str:
    """A folder name from a school's name: ASCII, lower case, hyphens; '' when nothing is left.

    Apostrophes vanish rather than split a word ("St Mary's" -> st-marys).
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"['\u2019`]", "", text.lower())
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def pack_folder_name(school_name: str, profile: Path) -> str:
    """The pack's folder: the school's name as a slug, else the profile's own file or folder name."""
    named = slug(school_name)
    if named:
        return named
    stem = profile.parent.name if profile.stem in ("school", "profile") else profile.stem
    return slug(stem) or "school"


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
    return all(_sha256(folder / name) == sha for name, sha in manifest_files(manifest).items())


def put_in_place(stage: Path, folder: Path, previous: dict[str, Any] | None) -> list[str]:
    """Move a staged pack (its manifest included) into `folder`; returns the files now there."""
    folder.mkdir(exist_ok=True)
    files = sorted(p.name for p in stage.iterdir() if p.name != MANIFEST)
    in_the_way = [name for name in [*files, MANIFEST, PENDING] if _occupied(folder / name)]
    if in_the_way:  # found before anything moves, so the old pack stays whole
        raise OutputRefused(f"cannot replace {folder / in_the_way[0]}: it is a folder or a link, not a file")
    written_before = {**manifest_files(read_manifest(folder / PENDING)), **manifest_files(previous)}
    if (folder / MANIFEST).exists():
        (folder / MANIFEST).replace(folder / PENDING)
    for name in files:
        (stage / name).replace(folder / name)
    for name, sha in sorted(written_before.items()):
        if name not in files:
            _remove_if_ours(folder / name, sha)
    (stage / MANIFEST).replace(folder / MANIFEST)
    (folder / PENDING).unlink(missing_ok=True)
    return [*files, MANIFEST]


def _occupied(path: Path) -> bool:
    """Whether something other than a regular file (a folder, a link) sits where a file must go."""
    try:
        return not stat.S_ISREG(path.lstat().st_mode)
    except FileNotFoundError:
        return False


def _remove_if_ours(path: Path, sha: str) -> None:
    """Remove a file the previous build wrote, unless someone has changed or replaced it since."""
    with contextlib.suppress(OSError):
        if stat.S_ISREG(path.lstat().st_mode) and _sha256(path) == sha:
            path.unlink()


def _sha256(path: Path) -> str | None:
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


def _plain_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name and "\0" not in name


def _remove_dead_staging(folder: Path) -> None:
    """Staging folders of this pack left by builds whose process no longer runs."""
    prefix = f".{folder.name}{STAGING_MARK}"
    with contextlib.suppress(OSError):
        for leftover in folder.parent.iterdir():
            if not leftover.name.startswith(prefix) or leftover.is_symlink() or not leftover.is_dir():
                continue
            pid = leftover.name[len(prefix) :].split("-", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(leftover, ignore_errors=True)


def remove_staging(output_root: Path, pid: int) -> None:
    """The staging folders a stopped build process left in `output_root`."""
    with contextlib.suppress(OSError):
        for leftover in output_root.iterdir():
            name = leftover.name
            if (
                name.startswith(".")
                and f"{STAGING_MARK}{pid}-" in name
                and leftover.is_dir()
                and not leftover.is_symlink()
            ):
                shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class PackResult:
    school: str
    folder: Path
    files: list[str]


def write_pack(checked: CheckedPack, documents: Sequence[Rendered], output_root: Path) -> PackResult:
    """Write every rendered document and the manifest, then put the pack in place as a whole."""
    pack = checked.inputs
    name = pack.school.model.school.name
    folder = output_root / pack_folder_name(name, pack.school.profile.path)
    previous = check_pack_folder(folder, pack.school.profile.path)
    with staging(folder) as stage:
        write_documents(checked, documents, stage)
        write_manifest(stage, pack, checked.approval)
        files = put_in_place(stage, folder, previous)
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

"""Write stage: the manifest of a pack, and the digest of everything the pack was made from."""

from __future__ import annotations

import functools
import hashlib
import json
import platform
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from policypack import __version__
from policypack.errors import PolicypackError
from policypack.load.files import UnreadableFile, read_bytes
from policypack.load.pack import PackInputs
from policypack.model.approval import Approval
from policypack.resources import bundled_path
from policypack.tools import run_tool

MANIFEST = "manifest.json"
MAX_INPUT_BYTES = 10_000_000  # a file bigger than any input load accepts is a change, not a read


def write_manifest(stage: Path, inputs: PackInputs, approval: Approval) -> None:
    """Every file with its SHA-256, the flows and editions used, and the tools that made them.

    `version` is the text's fingerprint, the value a school records as policy.approved_version;
    `contacts` fingerprints the contact details alone, which change without a new edition.
    """
    profile = inputs.school.model
    nation = profile.school.nation
    flows = [d.model for d in inputs.flows.flows if d.model.nation == nation]
    manifest = {
        "school": profile.school.name,
        "profile": str(inputs.school.profile.path),
        "inputs": inputs_digest(inputs),
        # what the digest was taken of, so that a rebuild can tell "unchanged" without parsing anything
        "sources": {
            "files": sorted(str(path) for path, _ in inputs.school.inputs),
            "templates": str(inputs.school.templates) if inputs.school.templates else None,
        },
        "nation": nation,
        "version": approval.version,
        # data, not words: the documents print it in the pack's language
        "edition": approval.edition,
        "edition_date": approval.edition_date.isoformat() if approval.edition_date else None,
        "approved": approval.approved_text,
        "contacts": approval.contacts,
        "policy": {
            "adopted": profile.policy.adopted.isoformat(),
            "next_review": profile.policy.next_review.isoformat(),
        },
        "flows": [{"id": f.id, "edition": f.edition, "reviewed": f.reviewed.isoformat()} for f in flows],
        "tools": tool_versions(),
        "files": [
            {"name": p.name, "sha256": hashlib.sha256(p.read_bytes()).hexdigest(), "bytes": p.stat().st_size}
            for p in sorted(stage.iterdir())
        ],
    }
    (stage / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


@functools.cache
def tool_versions() -> dict[str, str]:
    """The versions that shape the output (read without importing WeasyPrint)."""
    try:
        graphviz = run_tool("dot", ["-V"], timeout=10).stderr.decode().strip()
    except PolicypackError:
        graphviz = "missing"
    return {
        "policypack": __version__,
        "weasyprint": metadata.version("weasyprint"),
        "graphviz": graphviz.removeprefix("dot - graphviz version "),
        "python": platform.python_version(),
    }


def inputs_digest(inputs: PackInputs) -> str:
    """A SHA-256 of everything a inputs is made from: when it is unchanged, so is the inputs.

    The profile and the shared profile it extends, the brand file and logo, the letterhead,
    the school's own templates (each as the bytes read and checked at load, never the file
    as it is now), the bundled flows and templates, and the tools' versions.
    """
    return _digest(inputs.school.inputs)


def recorded_digest(manifest: dict[str, Any]) -> str | None:
    """The inputs digest of the files a manifest says its pack was made from, as they are now;
    None when it cannot say (an older manifest, or a file added to the templates folder)."""
    sources = manifest.get("sources")
    if not isinstance(sources, dict) or not isinstance(sources.get("files"), list):
        return None
    files = [Path(name) for name in sources["files"] if isinstance(name, str)]
    templates = sources.get("templates")
    if isinstance(templates, str) and not set(_files_under(Path(templates))) <= set(files):
        return None  # a new file in the school's templates folder: load it properly
    return _digest((path, hashlib.sha256(_content(path)).hexdigest()) for path in files)


def _digest(inputs: Iterable[tuple[Path, str]]) -> str:
    digest = hashlib.sha256(json.dumps(tool_versions(), sort_keys=True).encode())
    digest.update(_bundled_digest().encode())
    for path, sha in sorted(inputs):
        digest.update(str(path).encode() + b"\0" + sha.encode())
    return digest.hexdigest()


def _content(path: Path) -> bytes:
    """A school's file as it is now; anything unreadable counts as changed, never as a crash."""
    try:
        return read_bytes(path, MAX_INPUT_BYTES)
    except UnreadableFile as exc:
        return f"unreadable: {exc}".encode()


@functools.cache
def _bundled_digest() -> str:
    digest = hashlib.sha256()
    for folder in ("flows", "templates"):
        root = bundled_path(folder)
        for path in _files_under(root):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []

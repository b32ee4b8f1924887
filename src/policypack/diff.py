"""What changed between two versions of a flow: for maintainers, and for telling schools.

Steps are matched by id. A version is a file, or `REV:path` for the file at a git
revision; a revision's whole flow folder is taken out of git, so that a variant is
resolved against its base as it was then.
"""

from __future__ import annotations

import difflib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policypack.errors import InvalidInput, Location, Problem
from policypack.load.flows import SOURCES_FILE, flow_set_for, registry_root
from policypack.model.flow import Flow, Step
from policypack.model.route import number_steps
from policypack.tools import run_tool

GIT_TIMEOUT_SECONDS = 30


@dataclass
class StepChange:
    id: str
    old_number: int | None
    new_number: int | None
    title: str
    changes: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class FlowDiff:
    old_id: str
    new_id: str
    flow: list[dict[str, Any]]
    added: list[StepChange]
    removed: list[StepChange]
    changed: list[StepChange]

    @property
    def empty(self) -> bool:
        return not (self.flow or self.added or self.removed or self.changed)


def diff_flows(old: Flow, new: Flow) -> FlowDiff:
    old_numbers, new_numbers = number_steps(old), number_steps(new)
    old_steps = {s.id: s for s in old.steps}
    new_steps = {s.id: s for s in new.steps}
    added = [StepChange(s.id, None, new_numbers[s.id], s.title) for s in new.steps if s.id not in old_steps]
    removed = [StepChange(s.id, old_numbers[s.id], None, s.title) for s in old.steps if s.id not in new_steps]
    changed = []
    for step in sorted(new.steps, key=lambda s: new_numbers[s.id]):
        before = old_steps.get(step.id)
        if before is None:
            continue
        changes = list(_step_changes(before, step))
        if changes:
            changed.append(StepChange(step.id, old_numbers[step.id], new_numbers[step.id], step.title, changes))
    flow_changes = [
        {"field": name, "old": getattr(old, name), "new": getattr(new, name)}
        for name in ("title", "edition")
        if getattr(old, name) != getattr(new, name)
    ]
    return FlowDiff(old.id, new.id, flow_changes, added, removed, changed)


def _step_changes(old: Step, new: Step) -> Iterator[dict[str, Any]]:
    for name in ("title", "text"):
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            yield {"field": name, "kind": "reworded", "words": word_diff(before, after)}
    if _routes(old) != _routes(new):
        yield {"field": "route", "kind": "rewired", "old": _routes(old), "new": _routes(new)}
    for name in ("kind", "lane", "continues"):
        if getattr(old, name) != getattr(new, name):
            yield {"field": name, "kind": "changed", "old": getattr(old, name), "new": getattr(new, name)}
    old_cites, new_cites = _citations(old), _citations(new)
    if old_cites != new_cites:
        yield {
            "field": "cites",
            "kind": "citations",
            "added": sorted(new_cites - old_cites),
            "removed": sorted(old_cites - new_cites),
        }


def word_diff(old: str, new: str) -> str:
    """The new text with removed words as [-...-] and added words as {+...+}."""
    before, after = old.split(), new.split()
    parts: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
        if op == "equal":
            parts += before[i1:i2]
            continue
        if op in ("delete", "replace"):
            parts.append("[-" + " ".join(before[i1:i2]) + "-]")
        if op in ("insert", "replace"):
            parts.append("{+" + " ".join(after[j1:j2]) + "+}")
    return " ".join(parts)


def _routes(step: Step) -> list[str]:
    if step.kind == "decision":
        return [f"{b.label} → {b.to}" for b in step.branches]
    return [f"→ {step.next}"] if step.next else []


def _citations(step: Step) -> set[str]:
    return {
        c.source + (f", {c.section}" if c.section else "") + (" (pending)" if c.is_pending else "") for c in step.cites
    }


def diff_text(diff: FlowDiff) -> str:
    """The diff for a terminal; step numbers are the new ones (old ones in brackets)."""
    if diff.empty:
        return f"{diff.new_id}: no changes\n"
    lines = [f"{diff.old_id} → {diff.new_id}" if diff.old_id != diff.new_id else diff.new_id]
    lines += [f"  {c['field']}: {c['old']!s} → {c['new']!s}" for c in diff.flow]
    lines += [f"  added   step {s.new_number}: {s.title} ({s.id})" for s in diff.added]
    lines += [f"  removed step {s.old_number}: {s.title} ({s.id})" for s in diff.removed]
    for step in diff.changed:
        moved = f" (was {step.old_number})" if step.old_number != step.new_number else ""
        lines.append(f"  changed step {step.new_number}{moved}: {step.id}")
        for change in step.changes:
            lines.append("    " + _change_text(change))
    return "\n".join(lines) + "\n"


def _change_text(change: dict[str, Any]) -> str:
    kind = change["kind"]
    if kind == "reworded":
        return f"{change['field']} reworded: {change['words']}"
    if kind == "rewired":
        return f"route: {' · '.join(change['old']) or '(end)'}  ⇒  {' · '.join(change['new']) or '(end)'}"
    if kind == "citations":
        added = "; ".join(f"+{c}" for c in change["added"])
        removed = "; ".join(f"-{c}" for c in change["removed"])
        return "cites: " + "; ".join(part for part in (removed, added) if part)
    return f"{change['field']}: {change['old']} → {change['new']}"


def diff_data(diff: FlowDiff) -> dict[str, Any]:
    def step(change: StepChange) -> dict[str, Any]:
        return {
            "id": change.id,
            "old_number": change.old_number,
            "new_number": change.new_number,
            "title": change.title,
            "changes": change.changes,
        }

    return {
        "old": diff.old_id,
        "new": diff.new_id,
        "flow": diff.flow,
        "added": [step(s) for s in diff.added],
        "removed": [step(s) for s in diff.removed],
        "changed": [step(s) for s in diff.changed],
    }


@contextmanager
def flow_version(spec: str) -> Iterator[Flow]:
    """The resolved flow a version names: a file path, or REV:path in this git checkout."""
    revision, _, name = spec.rpartition(":") if ":" in spec and not Path(spec).exists() else ("", "", spec)
    path = Path(name)
    if not revision:
        yield _load(path, path)
        return
    with tempfile.TemporaryDirectory(prefix="policypack-diff-") as temp:
        yield _load(_checkout(revision, path, Path(temp)), path)


def _load(path: Path, shown: Path) -> Flow:
    if not path.is_file():
        raise InvalidInput([Problem(Location(shown), "no such flow file")])
    flow_set = flow_set_for(path)
    doc = next((d for d in flow_set.flows if d.path == path.resolve()), None)
    if doc is None:
        raise InvalidInput(
            [p for p in flow_set.problems if p.location.file == path.resolve()]
            or [Problem(Location(shown), "not a flow")]
        )
    return doc.model


def _checkout(revision: str, path: Path, into: Path) -> Path:
    """Copy the flow folder holding `path` at `revision` into `into`; the file's new path."""
    root = registry_root(path.resolve()) or path.resolve().parent
    top = Path(_git("rev-parse", "--show-toplevel", cwd=root).strip())
    folder = root.relative_to(top)
    names = _git("ls-tree", "-r", "--name-only", revision, "--", str(folder), cwd=top).splitlines()
    if not names:
        raise InvalidInput([Problem(Location(path), f"'{folder}' does not exist at revision {revision}")])
    for name in names:
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_git_bytes("show", f"{revision}:{name}", cwd=top))
    if not (into / folder / SOURCES_FILE).is_file():
        raise InvalidInput([Problem(Location(path), f"no {SOURCES_FILE} in '{folder}' at revision {revision}")])
    return into / path.resolve().relative_to(top)


def _git(*args: str, cwd: Path) -> str:
    return _git_bytes(*args, cwd=cwd).decode()


def _git_bytes(*args: str, cwd: Path) -> bytes:
    return run_tool("git", list(args), cwd=cwd, timeout=GIT_TIMEOUT_SECONDS).stdout

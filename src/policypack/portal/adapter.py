"""The portal's one door into the build: every call to policypack's pipeline goes through here.

The portal never lays out, renders or writes a document itself. It checks a profile with the
same functions as `policypack validate`, builds with the same batch code as `policypack build`
(the same per-school time limit, memory cap and atomic pack folder), and makes previews with
the same functions as `policypack flowchart` and `build`. When the pipeline's public functions
change, this module is the only one to follow.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import shutil
import tempfile
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from policypack.batch import build_many
from policypack.build import PosterRequest, build_flowchart, school_flow_set
from policypack.check.pack import check_pack
from policypack.check.pending import pending_report
from policypack.diff import diff_flows, diff_text, flow_version
from policypack.errors import PolicypackError, Problem, Severity
from policypack.load.flows import flow_files
from policypack.load.pack import PackInputs, load_pack
from policypack.load.profile import load_school
from policypack.load.yamlsource import YamlLoadError, parse_yaml
from policypack.resources import bundled_path
from policypack.tools import run_tool
from policypack.validate import validate_school
from policypack.write.manifest import MANIFEST
from policypack.write.pack import read_manifest, slug

__all__ = ["Problem", "Severity"]
PREVIEW_DPI = 60


@dataclass(frozen=True)
class BuildResult:
    status: str  # built | unchanged | failed
    message: str
    folder: Path | None


def check_profile(profile: Path, today: dt.date) -> list[Problem]:
    """The problems `policypack validate` reports for this profile (load, check, fonts)."""
    return validate_school(profile, today)


@contextmanager
def beside_its_files(folder: Path, text: str) -> Iterator[Path]:
    """A profile text as school.yaml in a temporary copy of the school's folder, so its files are found.

    A copy, not a second profile beside the real one: a folder that holds two profiles asks each
    file to carry its profile's name, which the portal's one-school folders do not.
    """
    with tempfile.TemporaryDirectory(prefix="policypack-candidate-") as work:
        copy = Path(work) / "school"
        shutil.copytree(folder, copy, symlinks=True, ignore=shutil.ignore_patterns(".*"))
        candidate = (copy / "school.yaml").resolve()
        candidate.write_text(text, encoding="utf-8")
        yield candidate


def school_facts(profile: Path) -> tuple[str, str] | None:
    """(name, nation) of a profile that loads, else None."""
    school, _ = load_school(profile)
    return (school.model.school.name, school.model.school.nation) if school else None


def named_files(profile: Path) -> list[Path]:
    """Every file a loadable profile names (logo, brand, letterhead, templates), inside its folder."""
    school, _ = load_school(profile)
    if school is None:
        return []
    templates = sorted(p for p in school.templates.rglob("*") if p.is_file()) if school.templates else []
    return [f for f in [*school.files, *templates] if f != profile.resolve()]


def build(profile: Path, output_root: Path, today: dt.date) -> BuildResult:
    """One school's pack, exactly as `policypack build PROFILE -o OUTPUT_ROOT` makes it."""
    output_root.mkdir(parents=True, exist_ok=True)
    (outcome,) = build_many([profile], output_root, jobs=1, today=today)
    return BuildResult(outcome.status, outcome.message, outcome.folder)


def preview_poster(profile: Path, out: Path, today: dt.date) -> None:
    """The staff poster (the staff-response chart on A4, the school's branding) as a PNG."""
    request = PosterRequest(size="A4", fmt="png", dpi=PREVIEW_DPI, profile=profile)
    build_flowchart("staff-response", request, out, today)  # the profile's nation's chart, as flowchart does


def preview_staff_card(profile: Path, out: Path, today: dt.date) -> None:
    """The one-page staff card as a PNG: the school's profile built with the staff card alone."""
    data = yaml.safe_load(profile.read_text(encoding="utf-8"))
    data["outputs"] = {**(data.get("outputs") or {}), "documents": ["staff-card"], "formats": ["pdf"]}
    data["outputs"].pop("word_template", None)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    with beside_its_files(profile.parent, text) as copy, tempfile.TemporaryDirectory(prefix="policypack-card-") as work:
        (outcome,) = build_many([copy], Path(work) / "out", jobs=1, today=today)
        card = outcome.folder / "staff-card.pdf" if outcome.folder else None
        if card is None or not card.is_file():
            raise PolicypackError(outcome.message or "the staff card was not made")
        stem = Path(work) / "card"
        run_tool("pdftoppm", ["-png", "-r", str(PREVIEW_DPI), "-singlefile", str(card), str(stem)], timeout=60)
        shutil.copyfile(stem.with_suffix(".png"), out)


def guidance_snapshot(store: Path) -> str:
    """Keep a copy of the bundled flows under STORE/<digest>/ and return the digest.

    A school's build records it, so the dashboard can say what changed in the guidance since.
    """
    root = bundled_path("flows")
    files = sorted(flow_files(root) + sorted(root.rglob("sources.yaml")))
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    name = digest.hexdigest()[:16]
    target = store / name
    if not target.is_dir():
        store.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=store) as temp:
            for path in files:
                copy = Path(temp) / "flows" / path.relative_to(root)
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, copy)
            with contextlib.suppress(OSError):  # another worker kept the same copy first
                (Path(temp) / "flows").rename(target)
    return name


def guidance_changes(store: Path, old: str, new: str, nation: str) -> list[str]:
    """What changed in the nation's flows between two snapshots, as `policypack diff` prints it."""
    changes = []
    for path in sorted((store / new).glob(f"{nation}/*.yaml")):
        before = store / old / path.relative_to(store / new)
        if not before.is_file():
            changes.append(f"new flow: {path.stem}\n")
            continue
        with flow_version(str(before)) as old_flow, flow_version(str(path)) as new_flow:
            result = diff_flows(old_flow, new_flow)
        if not result.empty:
            changes.append(diff_text(result))
    return changes


def key_positions(text: str, path: Path) -> dict[tuple[str | int, ...], tuple[int, int]]:
    """Where each key of a profile's YAML text sits (line, column), as the loader records it."""
    try:
        return dict(parse_yaml(text, path).positions.marks)
    except YamlLoadError:  # the check reports it; no key is placed
        return {}


def school_slug(name: str) -> str:
    """The folder name `policypack build` gives this school's pack (without the profile's suffix)."""
    return slug(name)


def next_review(profile: Path) -> dt.date | None:
    """When the school's policy is next due for review, as its documents print it."""
    school, _ = load_school(profile)
    return school.model.policy.next_review if school else None


def remove_other_packs(output_root: Path, kept: Path) -> None:
    """Remove the packs in a school's output folder that an earlier name of the school made.

    A pack folder is named after the school, so a renamed school's next build makes a new one;
    the old one is removed once the new one is whole, and only if its manifest names the same
    profile (nothing another tool or school put there is touched).
    """
    manifest = read_manifest(kept / MANIFEST)
    if manifest is None:
        return
    with contextlib.suppress(OSError):
        for folder in output_root.iterdir():
            if folder == kept or folder.name.startswith(".") or folder.is_symlink() or not folder.is_dir():
                continue
            other = read_manifest(folder / MANIFEST)
            if other is not None and other.get("profile") == manifest.get("profile"):
                shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class SignOffState:
    """What an approver signs: the text's version (the manifest's fingerprint), the parts still
    awaiting a check, and the text itself in readable lines (kept, so a later change can be shown)."""

    version: str | None  # None when the profile has errors
    pending: list[tuple[str, str, str]]  # (flow, step, title) of each part not yet verified or checked
    text: str
    problems: list[str]


def sign_off_state(profile: Path, today: dt.date) -> SignOffState:
    """The version a build of this profile prints, and what stands in the way of approving it."""
    inputs, problems = load_pack(profile)
    checked, found = check_pack(inputs, today) if inputs else (None, [])
    if inputs is None or checked is None:
        return SignOffState(None, [], "", [str(p) for p in [*problems, *found] if p.severity is Severity.ERROR])
    titles = {(f.id, s.id): s.title for f in checked.charts.values() for s in f.steps}
    pending = [(flow, step, titles.get((flow, step), step)) for flow, step in checked.pending]
    return SignOffState(checked.approval.version, pending, approvable_text(inputs), [])


def approvable_text(inputs: PackInputs) -> str:
    """The procedure a school approves, as lines a diff can compare: every step and rule of its nation's flows."""
    profile = inputs.school.model
    nation = profile.school.nation
    lines = [f"{profile.school.name}: {nation}, {profile.school.phase}"]
    for flow in sorted((d.model for d in inputs.flows.flows if d.model.nation == nation), key=lambda f: f.id):
        lines += ["", f"== {flow.title} ({flow.id})"]
        for step in flow.steps:
            lines += ["", f"[{step.id}] {step.title}", *textwrap.wrap(step.text, 88)]
            lines += [f"  {branch.label}: go to {branch.to}" for branch in step.branches]
        for rule in flow.rules:
            lines += ["", f"[rule {rule.id}]", *textwrap.wrap(rule.text, 88)]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Claim:
    """One pending claim as `policypack review --format json --profile` lists it: what a check names."""

    flow: str
    step: str
    title: str
    source: str
    read: str  # what to read
    text: str  # the fingerprint of the part's text, which the check is tied to


def pending_claims(profile: Path, today: dt.date) -> list[Claim]:
    """The claims of a school's text that no maintainer verified and no one has checked yet."""
    try:
        report = pending_report(school_flow_set(profile), today)
    except PolicypackError:  # a profile with errors: its page says so
        return []
    return [Claim(c.flow, c.step, c.title, c.source, c.read, c.text) for c in report.pending]


def warm_up() -> None:
    """Import the renderer and load the bundled flows once, in a process that others fork from:
    in every phase's words, since a school's flows are loaded for its phase."""
    from typing import get_args

    from policypack.load.flows import bundled_flow_set
    from policypack.model.basics import Phase
    from policypack.write.pdf import load_weasyprint

    load_weasyprint()
    bundled_flow_set()
    for phase in get_args(Phase):
        bundled_flow_set(phase)

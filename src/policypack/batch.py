"""Many schools at once: check all, skip what has not changed, build the rest in worker processes.

Every profile is loaded and checked once, here, before any worker starts: a school with
a problem fails without one, an unchanged pack (same inputs, files intact) is skipped,
and two schools that would share a folder both fail. Each remaining school is built in
a process of its own, so one school that crashes, is killed or hangs past its time limit
fails alone and the batch goes on. Ctrl-C stops the batch promptly: running builds are
ended (each leaves the previous pack intact) and queued ones never start.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from policypack.build import load_checked_pack, make_pack
from policypack.errors import InvalidInput, PolicypackError, os_error_message
from policypack.layout.fonts import font_problems, require_tools
from policypack.load.pack import CheckedPack
from policypack.workers import MEMORY_LIMIT_BYTES, TimeLimitReached, run_here, run_in_workers, stop_signals
from policypack.write.clash import clashes
from policypack.write.manifest import MANIFEST, inputs_digest, recorded_digest
from policypack.write.pack import is_intact, pack_folder_name, read_manifest, remove_staging

Status = Literal["built", "unchanged", "failed", "stopped"]
SCHOOL_TIME_LIMIT_SECONDS = 300.0
PLAN_TIME_LIMIT_SECONDS = 60.0  # to read and check one profile, here in the parent, before any worker starts
STOP_GRACE_SECONDS = 2.0
log = logging.getLogger("policypack")


@dataclass(frozen=True)
class Outcome:
    profile: Path
    status: Status
    school: str
    message: str = ""
    seconds: float = 0.0
    folder: Path | None = None


Progress = Callable[[Outcome, int, int], None]


class Interrupted(Exception):
    """Ctrl-C during a batch: the outcomes so far, the rest marked stopped."""

    def __init__(self, outcomes: list[Outcome], signum: int = signal.SIGINT) -> None:
        super().__init__("interrupted")
        self.outcomes = outcomes
        self.signum = signum  # SIGINT, SIGTERM or SIGHUP: the exit status is 128 + it


@dataclass
class _Plan:
    todo: list[tuple[Path, CheckedPack]] = field(default_factory=list)
    done: dict[Path, Outcome] = field(default_factory=dict)


def build_many(
    profiles: Sequence[Path],
    output: Path,
    jobs: int,
    today: dt.date,
    progress: Progress | None = None,
    time_limit: float = SCHOOL_TIME_LIMIT_SECONDS,
) -> list[Outcome]:
    """Build every profile's pack; one outcome per profile, in the order given.

    Before the first build, the pre-flight: a missing `dot` (or Pango, or the house font)
    stops the batch with exit 3 before any worker starts, and a school whose brand names a
    font that is not installed fails alone.
    """
    outcomes: dict[Path, Outcome] = {}

    def record(outcome: Outcome) -> None:
        outcomes[outcome.profile] = outcome
        if progress:
            progress(outcome, len(outcomes), len(profiles))

    with stop_signals():  # SIGTERM and SIGHUP stop the batch as Ctrl-C does: the summary, then 128 + the signal
        return _build_all(profiles, output, jobs, today, record, outcomes, time_limit)


def _build_all(
    profiles: Sequence[Path],
    output: Path,
    jobs: int,
    today: dt.date,
    record: Callable[[Outcome], None],
    outcomes: dict[Path, Outcome],
    time_limit: float,
) -> list[Outcome]:
    try:
        plan = _plan(profiles, output, today)
    except KeyboardInterrupt as exc:  # still reading profiles: nothing was started
        stopped = [Outcome(p, "stopped", p.stem) for p in profiles]
        raise Interrupted(stopped, getattr(exc, "signum", signal.SIGINT)) from None
    if plan.todo:
        _preflight(plan)
    for profile in profiles:
        if profile in plan.done:
            record(plan.done[profile])
    try:
        for outcome in _run(plan.todo, output, jobs, time_limit):
            record(outcome)
    except KeyboardInterrupt as exc:
        names = {profile: _name(pack) for profile, pack in plan.todo}
        so_far = [outcomes.get(p) or Outcome(p, "stopped", names.get(p, p.stem)) for p in profiles]
        raise Interrupted(so_far, getattr(exc, "signum", signal.SIGINT)) from None
    return [outcomes[profile] for profile in profiles]


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _plan(profiles: Sequence[Path], output: Path, today: dt.date) -> _Plan:
    """Load and check every profile once; decide what to skip, fail, or build.

    A profile whose pack is intact and was made from exactly the files it is made from now
    (the manifest lists them) is skipped without being parsed: the same bytes load and
    check the same way, and nothing a pack prints depends on the day it is built.
    """
    plan = _Plan()
    folders: dict[str, list[Path]] = {}
    loaded: dict[Path, CheckedPack] = {}
    previous = _previous_packs(output)
    names: dict[Path, str] = {}
    paths: dict[Path, Path] = {}  # each profile as its pack's manifest names it
    for profile in dict.fromkeys(profiles):
        resolved = _resolved(profile)
        found = previous.get(resolved) if resolved else None
        if found and _still_made_from(*found, today):
            folder, manifest = found
            names[profile] = str(manifest.get("school", profile.stem))
            paths[profile] = Path(manifest["profile"])
            plan.done[profile] = Outcome(profile, "unchanged", names[profile], folder=folder)
            folders.setdefault(folder.name, []).append(profile)
            continue
        try:  # under a worker's memory limit and a time limit: one hostile profile cannot stall the batch
            pack = run_here(load_checked_pack, (profile, today), PLAN_TIME_LIMIT_SECONDS)
        except InvalidInput as exc:
            plan.done[profile] = Outcome(profile, "failed", profile.stem, _problems_text(exc))
            continue
        except TimeLimitReached:
            message = f"{profile}: stopped after {PLAN_TIME_LIMIT_SECONDS:g} seconds of reading and checking it"
            plan.done[profile] = Outcome(profile, "failed", profile.stem, message)
            continue
        except MemoryError:
            message = f"{profile}: reading and checking it needed more than {MEMORY_LIMIT_BYTES // 1024**3} GB"
            plan.done[profile] = Outcome(profile, "failed", profile.stem, message)
            continue
        except Exception as exc:  # a bug must fail this school, never the batch
            plan.done[profile] = Outcome(
                profile, "failed", profile.stem, f"internal error: {type(exc).__name__}: {exc}"
            )
            continue
        loaded[profile] = pack
        names[profile] = _name(pack)
        paths[profile] = pack.school.profile.path
        folders.setdefault(pack_folder_name(_name(pack), pack.school.profile.path), []).append(profile)
    for name, owners in folders.items():
        if len(owners) > 1:
            for profile, message in clashes(owners, output / name, {p: paths[p] for p in owners}):
                plan.done[profile] = Outcome(profile, "failed", names[profile], message)
    for profile, pack in loaded.items():
        if profile in plan.done:
            continue
        folder = output / pack_folder_name(_name(pack), pack.school.profile.path)
        if _unchanged(pack, folder):
            plan.done[profile] = Outcome(profile, "unchanged", _name(pack), folder=folder)
        else:
            plan.todo.append((profile, pack))
    return plan


def _resolved(path: Path) -> Path | None:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a link loop: the full load says so, at its place
        return None


def _previous_packs(output: Path) -> dict[Path, tuple[Path, dict[str, Any]]]:
    """The pack folders in `output` by the profile each was built from, with their manifests.

    Hidden folders are never packs: a staging folder a killed build left behind holds a whole
    manifest of a pack that was never put in place, and must not pass for it.
    """
    found: dict[Path, tuple[Path, dict[str, Any]]] = {}
    with contextlib.suppress(OSError):
        for folder in output.iterdir():
            if folder.name.startswith(".") or folder.is_symlink() or not folder.is_dir():
                continue
            manifest = read_manifest(folder / MANIFEST)
            if manifest is not None and isinstance(manifest.get("profile"), str):
                found[Path(manifest["profile"])] = (folder, manifest)
    return found


def _still_made_from(folder: Path, manifest: dict[str, Any], today: dt.date) -> bool:
    """Whether a pack is intact and its recorded inputs are byte for byte what they were.

    Its review date is the one thing that depends on the day: a pack past it is still
    unchanged, and the school hears of it as it would from a full check.
    """
    sources = manifest.get("sources")
    files = sources.get("files") if isinstance(sources, dict) else None
    if not isinstance(files, list) or manifest.get("profile") not in files:
        return False  # a manifest that does not list this very profile among its inputs (moved, or older)
    if manifest.get("inputs") != recorded_digest(manifest) or not is_intact(folder):
        return False
    due = manifest.get("policy", {}).get("next_review") if isinstance(manifest.get("policy"), dict) else None
    with contextlib.suppress(TypeError, ValueError):
        if due and dt.date.fromisoformat(due) < today:
            log.warning("%s: warning: the policy was due for review by %s", manifest["profile"], due)
    return True


def _preflight(plan: _Plan) -> None:
    """The tools for everyone (ToolMissing, exit 3), then each school's fonts (that school fails)."""
    require_tools()
    todo = []
    for profile, pack in plan.todo:
        problems = font_problems(pack.school, pack.theme)
        if problems:
            message = "\n".join(problem.format() for problem in problems)
            plan.done[profile] = Outcome(profile, "failed", _name(pack), message)
        else:
            todo.append((profile, pack))
    plan.todo = todo


def _unchanged(pack: CheckedPack, folder: Path) -> bool:
    """Whether the pack on disk was built from exactly these inputs and is still whole."""
    manifest = read_manifest(folder / MANIFEST)
    if manifest is None or manifest.get("profile") not in (None, str(pack.school.profile.path)):
        return False
    return manifest.get("inputs") == inputs_digest(pack.inputs) and is_intact(folder)


def _run(todo: list[tuple[Path, CheckedPack]], output: Path, jobs: int, time_limit: float) -> Iterator[Outcome]:
    if not todo:  # nothing changed: no renderer to load
        return
    if len(todo) == 1:  # one school: built here, under the same time limit, with nothing to fork
        profile, pack = todo[0]
        try:
            yield run_here(build_one, (profile, pack, output), time_limit)
        except TimeLimitReached:
            yield Outcome(profile, "failed", _name(pack), f"stopped after {time_limit:g} seconds, its time limit")
        return
    _preload_renderer(todo[0][1])  # WeasyPrint loaded and the bundled templates compiled once here, for every worker
    names = {profile: _name(pack) for profile, pack in todo}
    tasks = [(profile, (profile, pack, output)) for profile, pack in todo]
    for done in run_in_workers(build_one, tasks, max(1, jobs), time_limit, lambda pid: remove_staging(output, pid)):
        yield done.result or Outcome(done.key, "failed", names[done.key], done.failure, done.seconds)


def build_one(profile: Path, pack: CheckedPack, output: Path) -> Outcome:
    """Build one school's pack; every failure becomes an outcome, never an exception."""
    started = time.perf_counter()
    try:
        result = make_pack(pack, output)
        return Outcome(profile, "built", result.school, seconds=time.perf_counter() - started, folder=result.folder)
    except InvalidInput as exc:
        message = _problems_text(exc)
    except PolicypackError as exc:
        message = str(exc)
    except MemoryError:
        message = f"stopped: the build needed more than {MEMORY_LIMIT_BYTES // 1024**3} GB of memory"
    except OSError as exc:  # the disk is full, the folder read-only or not ours, a name too long
        message = os_error_message(exc)
    except Exception as exc:  # a bug: report it against this school and carry on
        message = f"internal error: {type(exc).__name__}: {exc}"
    return Outcome(profile, "failed", _name(pack), message, time.perf_counter() - started)


def _preload_renderer(pack: CheckedPack) -> None:
    from policypack.render.templating import warm_templates
    from policypack.write.pdf import warm_renderer

    warm_renderer(pack.inputs.strings.language, pack.theme.font)
    warm_templates()


def _name(pack: CheckedPack) -> str:
    return pack.school.model.school.name


def _problems_text(exc: InvalidInput) -> str:
    return "\n".join(problem.format() for problem in exc.problems)

"""Many schools at once: skip what has not changed, build the rest in parallel processes.

One school's failure never stops the others. The decision to skip is made in this
process from each profile's inputs digest (see `build.inputs_digest`), so a rebuild in
which nothing changed starts no worker and imports no WeasyPrint.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from policypack.build import build_pack, inputs_digest
from policypack.errors import InvalidInput, PolicypackError
from policypack.pack import slug
from policypack.school import load_school

Status = Literal["built", "unchanged", "failed"]


@dataclass(frozen=True)
class Outcome:
    profile: Path
    status: Status
    school: str
    message: str = ""
    seconds: float = 0.0


Progress = Callable[[Outcome, int, int], None]


def build_many(profiles: Sequence[Path], output: Path, jobs: int, progress: Progress | None = None) -> list[Outcome]:
    """Build every profile's pack; returns one outcome per profile, in the order given."""
    outcomes: dict[Path, Outcome] = {}
    total = len(profiles)

    def record(outcome: Outcome) -> None:
        outcomes[outcome.profile] = outcome
        if progress:
            progress(outcome, len(outcomes), total)

    todo = []
    for profile in profiles:
        unchanged = _unchanged(profile, output)
        if unchanged:
            record(unchanged)
        else:
            todo.append(profile)
    for outcome in _run(todo, output, jobs):
        record(outcome)
    return [outcomes[profile] for profile in profiles]


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _run(profiles: list[Path], output: Path, jobs: int) -> Iterable[Outcome]:
    if jobs <= 1 or len(profiles) <= 1:
        yield from (build_one(profile, output) for profile in profiles)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(profiles)), mp_context=context) as pool:
        futures = [pool.submit(build_one, profile, output) for profile in profiles]
        for future in as_completed(futures):
            yield future.result()


def build_one(profile: Path, output: Path) -> Outcome:
    """Build one school's pack; every failure becomes an outcome, never an exception."""
    started = time.perf_counter()
    name = profile.stem
    try:
        result = build_pack(profile, output)
        return Outcome(profile, "built", result.school, seconds=time.perf_counter() - started)
    except InvalidInput as exc:
        message = "\n".join(problem.format() for problem in exc.problems)
    except PolicypackError as exc:
        message = str(exc)
    except Exception as exc:  # a bug: report it against this school and carry on
        message = f"internal error: {type(exc).__name__}: {exc}"
    return Outcome(profile, "failed", name, message, time.perf_counter() - started)


def _unchanged(profile: Path, output: Path) -> Outcome | None:
    """An outcome when the pack on disk was built from exactly these inputs."""
    school, problems = load_school(profile)
    if school is None or problems:
        return None
    manifest_path = output / slug(school.profile.school.name) / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files_there = all((manifest_path.parent / entry["name"]).is_file() for entry in manifest.get("files", []))
    if manifest.get("inputs") != inputs_digest(school) or not files_there:
        return None
    return Outcome(profile, "unchanged", school.profile.school.name)

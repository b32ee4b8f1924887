"""Previews of a school's staff card and staff poster, each made in a child process of its own.

A preview is made from the saved profile, which is untrusted: it runs in a process of its
own (forked from a fork server that has the renderer imported), with a memory cap and a
time limit, so a hostile profile costs one child process, never the web process or its
threads. Requests for the same school and kind wait for the one render under way and then
take its picture; at most `MAX_RENDERS` run at once, and a request that cannot start one
within the time limit is told to try again.
"""

from __future__ import annotations

import functools
import hashlib
import multiprocessing
import multiprocessing.context
import threading
from pathlib import Path

from django.conf import settings

from policypack.portal.builds.preview_child import make_preview
from policypack.portal.schools.models import School
from policypack.portal.schools.store import today

KINDS = ("staff-card", "staff-poster")
TIME_LIMIT = 60.0
MAX_RENDERS = 2

_renders = threading.BoundedSemaphore(MAX_RENDERS)
_guard = threading.Lock()
_locks: dict[tuple[str, str], threading.Lock] = {}  # one per school and kind: bounded by the schools


class PreviewBusy(Exception):
    """Every render slot stayed taken for the whole time limit."""


def preview_key(school: School) -> str:
    return hashlib.sha256(school.profile_path.read_bytes()).hexdigest()[:16]


def preview_path(school: School, kind: str) -> Path | None:
    """The PNG for the saved profile, made if needed; None when the profile cannot be previewed."""
    folder = Path(settings.DATA) / "previews" / school.slug
    image = folder / f"{kind}-{preview_key(school)}.png"
    if image.is_file():
        return image
    with _lock_for(school.slug, kind):
        if image.is_file():  # made by the request this one waited for
            return image
        if not _renders.acquire(timeout=TIME_LIMIT):
            raise PreviewBusy
        try:
            made = _render(kind, school.profile_path, image)
        finally:
            _renders.release()
    if not made:
        return None
    for old in folder.glob(f"{kind}-*.png"):
        if old != image:
            old.unlink(missing_ok=True)
    return image


def _lock_for(slug: str, kind: str) -> threading.Lock:
    with _guard:
        return _locks.setdefault((slug, kind), threading.Lock())


def _render(kind: str, profile: Path, image: Path) -> bool:
    image.parent.mkdir(parents=True, exist_ok=True)
    part = image.with_name(f".{image.name}.part")
    child = _processes().Process(target=make_preview, args=(kind, str(profile), str(part), today().isoformat()))
    child.start()
    child.join(TIME_LIMIT)
    if child.is_alive():  # past its time limit
        child.kill()
        child.join()
    if child.exitcode != 0 or not part.is_file():
        part.unlink(missing_ok=True)
        return False
    part.replace(image)
    return True


@functools.cache
def _processes() -> multiprocessing.context.ForkServerContext:
    """A fork server (started once, with the renderer imported) that preview processes fork from."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["policypack.portal.builds.preview_server"])
    return context

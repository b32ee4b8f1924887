"""What runs in the process that makes one preview.

Previews are made in processes forked from a fork server that has already imported the
renderer (so each preview starts in milliseconds, not seconds), never from the web
process itself, whose threads serve other requests. The child caps its own address space
and is killed by the web process when it outlives the preview time limit.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
from pathlib import Path

from policypack.errors import PolicypackError
from policypack.portal import adapter
from policypack.workers import MEMORY_LIMIT_BYTES

CANNOT_PREVIEW = 2  # the exit code of a child whose profile cannot be previewed


def make_preview(kind: str, profile: str, out: str, day: str) -> None:
    """Write one preview PNG to `out` and exit 0, or exit CANNOT_PREVIEW."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = MEMORY_LIMIT_BYTES if hard == resource.RLIM_INFINITY else min(hard, MEMORY_LIMIT_BYTES)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    make = {"staff-card": adapter.preview_staff_card, "staff-poster": adapter.preview_poster}[kind]
    try:
        make(Path(profile), Path(out), dt.date.fromisoformat(day))
    except (PolicypackError, MemoryError):
        os._exit(CANNOT_PREVIEW)

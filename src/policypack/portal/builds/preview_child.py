"""The child process that makes one preview: `python -m policypack.portal.builds.preview_child
KIND PROFILE OUT DATE`. Exit 0 with the PNG written, 2 when the profile cannot be previewed.

It caps its own address space before importing the renderer, and is killed by its parent
when it outlives the preview time limit.
"""

from __future__ import annotations

import datetime as dt
import resource
import sys
from pathlib import Path

from policypack.workers import MEMORY_LIMIT_BYTES


def main(argv: list[str]) -> int:
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = MEMORY_LIMIT_BYTES if hard == resource.RLIM_INFINITY else min(hard, MEMORY_LIMIT_BYTES)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    kind, profile, out, day = argv

    from policypack.errors import PolicypackError
    from policypack.portal import adapter

    make = {"staff-card": adapter.preview_staff_card, "staff-poster": adapter.preview_poster}[kind]
    try:
        make(Path(profile), Path(out), dt.date.fromisoformat(day))
    except (PolicypackError, MemoryError):
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

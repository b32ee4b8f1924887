"""Write stage: who gets a pack folder when two profiles of one batch would be written to it.

The folder's recorded owner (the profile its manifest names) wins: it is built as before,
and only the newcomer fails, naming the owner, so one school copying another's name cannot
stop that school's pack being kept up to date. A profile that is only a link to another
profile of the batch is the same school twice: the real file is built, the link refused.
With no owner among them, every profile of the clash fails, naming the others.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from policypack.errors import printable
from policypack.write.manifest import MANIFEST
from policypack.write.pack import read_manifest
from policypack.write.swap import PENDING


def clashes(given: list[Path], folder: Path, resolved: dict[Path, Path]) -> Iterator[tuple[Path, str]]:
    """(profile, message) for each profile of `given` that must not build into `folder`."""
    manifest = read_manifest(folder / MANIFEST) or read_manifest(folder / PENDING)
    owner = manifest.get("profile") if manifest else None
    real = [p for p in given if resolved[p] == p.absolute()]
    links = {p for p in given if p not in real and any(resolved[p] == resolved[r] for r in real)}
    for link in sorted(links):
        target = next(r for r in real if resolved[r] == resolved[link])
        yield link, f"{_shown(link)}: this is a link to {_shown(target)}, which this batch builds already"
    left = [p for p in given if p not in links]
    winners = [p for p in left if isinstance(owner, str) and str(resolved[p]) == owner]
    if len(left) <= 1:
        return
    if winners:
        for profile in left:
            if profile != winners[0]:
                yield (
                    profile,
                    (
                        f"{_shown(profile)}: the pack folder {_shown(folder)} belongs to the school of "
                        f"{_shown(winners[0])}; give this school a different name"
                    ),
                )
        return
    for profile in left:
        others = ", ".join(_shown(o) for o in left if o != profile)
        yield (
            profile,
            f"{_shown(profile)}: this school and {others} would both be written to {_shown(folder)}; rename one",
        )


def _shown(path: Path) -> str:
    return printable(str(path))

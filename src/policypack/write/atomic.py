"""Write a file so that readers see the old version or the new one, never a broken one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(out: Path) -> Iterator[Path]:
    """Yield a temporary path beside `out`; on success it replaces `out`, else it is removed.

    The temporary file lives in the same folder so the final rename is atomic, and it gets
    the permissions a newly created file would get (mkstemp's are private).
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(handle)
    temp = Path(name)
    try:
        yield temp
        temp.chmod(0o666 & ~_umask())
        temp.replace(out)
    finally:
        temp.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

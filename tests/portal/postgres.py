"""A PostgreSQL server of Debian's package, started in a temporary folder for one test session.

It listens on a Unix socket in that folder only (no TCP port to collide with), trusts local
connections, and is stopped and removed afterwards. As root, it runs as the `postgres` user,
since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote


def _bindir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run scripts/system-deps.sh --with-test-tools (make test does)")
    return found[-1].parent


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a server; yield a POLICYPACK_DATABASE_URL for a fresh database on it."""
    bindir = _bindir()
    root = Path(tempfile.mkdtemp(prefix="policypack-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, timeout=120)

    try:
        run(
            str(bindir / "initdb"),
            "-D",
            str(root / "data"),
            "-U",
            "policypack",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        options = f"-k {root} -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
        run(str(bindir / "pg_ctl"), "-D", str(root / "data"), "-o", options, "-l", str(root / "log"), "-w", "start")
        try:
            run(str(bindir / "createdb"), "-h", str(root), "-U", "policypack", "portal")
            yield f"postgresql://policypack@{quote(str(root), safe='')}/portal"
        finally:
            run(str(bindir / "pg_ctl"), "-D", str(root / "data"), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)

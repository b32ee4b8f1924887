"""`policypack serve` on a fresh data folder: migrations applied, the sign-in page served, workers stopped with it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout
    return [int(line) for line in found.split()]


@pytest.mark.slow
def test_serve_starts_on_an_empty_data_folder_and_stops_its_workers(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "POLICYPACK_DATA": str(tmp_path / "data")}
    env.pop("POLICYPACK_DATABASE_URL", None)
    command = [sys.executable, "-m", "policypack", "serve", "--port", str(port), "--workers", "2", "--demo"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        page = None
        deadline = time.monotonic() + 60
        while page is None and time.monotonic() < deadline:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in/", timeout=5)
            except OSError:
                time.sleep(0.3)
        assert page is not None, "the portal did not answer"
        assert page.status == 200
        assert "script-src 'self'" in page.headers["Content-Security-Policy"]
        assert len(children(server.pid)) == 2
        workers = children(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        out, _ = server.communicate(timeout=30)
    assert (tmp_path / "data" / "portal.sqlite3").is_file()
    assert (tmp_path / "data" / "secret-key").stat().st_mode & 0o077 == 0
    demo = [line.split() for line in out.splitlines() if "@example.org" in line]
    assert [fields[0] for fields in demo] == ["dsl", "approver", "staff", "trust-admin"]
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()


@pytest.mark.slow
def test_workers_end_when_serve_is_killed_outright(tmp_path: Path) -> None:
    env = {**os.environ, "POLICYPACK_DATA": str(tmp_path / "data")}
    env.pop("POLICYPACK_DATABASE_URL", None)
    command = [sys.executable, "-m", "policypack", "serve", "--port", str(free_port()), "--workers", "1"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not children(server.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    (worker,) = children(server.pid)
    server.kill()
    server.wait(10)
    deadline = time.monotonic() + 20
    while Path(f"/proc/{worker}").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not Path(f"/proc/{worker}").exists(), "the worker outlived its serve"

"""Hostile corpus, second round: the output folder and the operator (security review 2026-12).

- RC2: one build of a pack folder at a time (C02, C08); a swap that fails half-way puts the
  old pack back whole (F04); the folder's recorded owner wins a name clash (X01, Y07).
- RC3: file names from schools never reach the operator's terminal raw (N09, N10).
- RC5: disk full, read-only, busy, names too long: plain messages, never "internal error"
  (F01, F03, F04, N03, N04, H07); SIGTERM and SIGHUP stop a batch like Ctrl-C (C04, C09);
  workers die with their parent and carry their own CPU limit (C05).
"""

from __future__ import annotations

import errno
import hashlib
import multiprocessing
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from policypack.errors import Location, Problem, os_error_message, printable
from policypack.workers import run_in_workers
from policypack.write.clash import clashes
from policypack.write.lock import folder_lock
from policypack.write.pack import pack_folder_name, put_in_place
from tests.test_hostile import school

MANIFEST = '{"files": [], "tools": {"policypack": "0"}, "profile": "%s"}'


def tree(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


# --- RC2: the swap, the lock, the owner ---------------------------------------------------------------


def staged(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "out" / "oak"
    folder.mkdir(parents=True)
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        (folder / name).write_text(f"old {name}")
    (folder / "manifest.json").write_text("old manifest")
    stage = tmp_path / "out" / ".oak.staging-1"
    stage.mkdir()
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        (stage / name).write_text(f"new {name}")
    (stage / "manifest.json").write_text("new manifest")
    return stage, folder


def test_a_swap_that_fails_half_way_puts_the_old_pack_back_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """F04: a file that cannot be moved (EBUSY: a mount over it) half-way through the swap."""
    stage, folder = staged(tmp_path)
    before = tree(folder)
    real = Path.replace

    def replace(self: Path, target: Path) -> Path:
        if self == folder / "b.pdf":
            raise OSError(errno.EBUSY, "Device or resource busy", str(self))
        return real(self, target)

    monkeypatch.setattr(Path, "replace", replace)
    with pytest.raises(OSError, match="busy"):
        put_in_place(stage, folder, {})
    assert tree(folder) == before, "every file of the old pack, and its manifest, as it was"
    assert not (folder / ".pending-manifest.json").exists()
    monkeypatch.setattr(Path, "replace", real)
    assert put_in_place(stage, folder, {}) == ["a.pdf", "b.pdf", "c.pdf", "manifest.json"]
    assert (folder / "b.pdf").read_text() == "new b.pdf" and (folder / "manifest.json").read_text() == "new manifest"


def _try_lock(folder: Path, answer: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    import fcntl

    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        answer.put("got it")
    except BlockingIOError:
        answer.put("busy")


def test_a_pack_folder_is_locked_against_another_process_while_a_build_holds_it(tmp_path: Path) -> None:
    """C02/C08: a second build of the folder waits, whatever namespace or process id it has."""
    folder = tmp_path / "out" / "oak"
    folder.parent.mkdir()
    context = multiprocessing.get_context("fork")
    answers: multiprocessing.Queue = context.Queue()  # type: ignore[type-arg]
    with folder_lock(folder):
        child = context.Process(target=_try_lock, args=(folder, answers))
        child.start()
        child.join(20)
        assert answers.get(timeout=5) == "busy"
    folder.mkdir()
    child = context.Process(target=_try_lock, args=(folder, answers))
    child.start()
    child.join(20)
    assert answers.get(timeout=5) == "got it", "released when the build is done"


def test_a_first_build_that_fails_leaves_no_folder_behind(tmp_path: Path) -> None:
    folder = tmp_path / "oak"
    with pytest.raises(RuntimeError), folder_lock(folder):
        assert folder.is_dir()
        raise RuntimeError("the build failed")
    assert not folder.exists()


def test_the_folders_recorded_owner_wins_a_name_clash_and_the_newcomer_is_named(tmp_path: Path) -> None:
    """X01: school B copies school A's name; A's pack exists, so A is built and B refused."""
    a, b = tmp_path / "a" / "school.yaml", tmp_path / "b" / "school.yaml"
    folder = tmp_path / "out" / "oak"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(MANIFEST % a)
    refused = dict(clashes([a, b], folder, {a: a, b: b}))
    assert list(refused) == [b]
    assert f"belongs to the school of {a}" in refused[b]
    (folder / "manifest.json").unlink()
    assert sorted(dict(clashes([a, b], folder, {a: a, b: b}))) == [a, b], "no owner: both fail, as before"


def test_a_profile_that_is_a_link_to_another_of_the_batch_is_refused_alone(tmp_path: Path) -> None:
    """Y07: b/school.yaml -> ../a/school.yaml; a is built, the link refused."""
    a, b = tmp_path / "a" / "school.yaml", tmp_path / "b" / "school.yaml"
    refused = dict(clashes([a, b], tmp_path / "out" / "oak", {a: a, b: a}))
    assert list(refused) == [b] and f"this is a link to {a}" in refused[b]


def test_long_names_give_capped_folder_names_that_stay_distinct() -> None:
    """N03, N04: a 600-byte slug would be longer than any file system allows with its staging name."""
    first = pack_folder_name("\u33af" * 120, Path("/s/school.yaml"))
    second = pack_folder_name("\u33af" * 119 + "x", Path("/s/school.yaml"))
    fallback = pack_folder_name("\U0001f3eb\U0001f3eb", Path("/" + "f" * 250 + "/school.yaml"))
    assert len(first) <= 80 and len(second) <= 80 and len(fallback) <= 80
    assert first != second


# --- RC3: the operator's terminal ---------------------------------------------------------------------


def test_names_from_schools_reach_the_terminal_escaped() -> None:
    """N09: an OSC 52 clipboard write and a carriage return that forges an 'ok' line."""
    name = Path("templates/x\x1b]52;c;cm0gLXJmIH4K\x07\rok: no problems\n.j2")
    line = Problem(Location(name, 1, 1), "template syntax error: unexpected '}'").format()
    assert "\x1b" not in line and "\r" not in line and "\x07" not in line and "\n" not in line
    assert "\\x1b]52" in line
    assert printable("Oakfield Academy") == "Oakfield Academy"


def test_a_template_named_with_escape_codes_is_printed_escaped_by_validate(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    profile = school(tmp_path)
    templates = profile.parent / "templates"
    templates.mkdir()
    (templates / "x\x1b]0;TITLE\x07\rok: every school checked\n.j2").write_text("{% if %}")
    profile.write_text(profile.read_text(encoding="utf-8") + "templates: templates\n", encoding="utf-8")
    result = cli("validate", str(profile))
    assert result.exit_code == 1 and "\x1b" not in result.output and "\r" not in result.output
    assert "x\\x1b]0;TITLE\\x07\\x0dok: every school checked\\x0a.j2:1:1: error" in result.output


# --- RC5: faults in plain words, signals, orphans --------------------------------------------------


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "the disk is full"),
        (errno.EROFS, "the file system is read-only"),
        (errno.EACCES, "permission denied"),
        (errno.EBUSY, "the file is in use (busy)"),
        (errno.ENAMETOOLONG, "the name is too long for the file system"),
    ],
)
def test_an_error_from_the_file_system_is_said_in_plain_words_with_its_file(code: int, words: str) -> None:
    message = os_error_message(OSError(code, os.strerror(code), "/srv/packs/oak/.oak.staging-1"))
    assert words in message and "/srv/packs/oak/.oak.staging-1" in message and "as it was" in message


@pytest.mark.usefixtures("needs_dot")
def test_flowchart_into_a_place_that_cannot_take_a_file_is_a_plain_error(cli: Callable[..., Result]) -> None:
    """H07: -o /proc/self/fd/1."""
    result = cli("flowchart", "england-staff-response", "--format", "svg", "-o", "/proc/self/fd/1")
    assert result.exit_code == 1
    assert "internal error" not in result.output and "policypack: error: cannot write or read" in result.output


def test_a_worker_carries_its_own_cpu_limit() -> None:
    """C05: the time limit holds in the worker itself, even with no parent to enforce it."""
    limits = list(run_in_workers(resource.getrlimit, [("cpu", (resource.RLIMIT_CPU,))], jobs=1, time_limit=7))
    assert limits[0].result is not None and limits[0].result[0] == 10  # the limit, the grace and a second


@pytest.mark.parametrize(("number", "status"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_sigterm_and_sighup_stop_a_batch_like_ctrl_c(tmp_path: Path, number: int, status: int) -> None:
    """C04, C09: the parent alone gets the signal; the workers stop, the summary is printed."""
    process = _hung_batch(tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    workers = _wait_for_children(process.pid, 2)
    process.send_signal(number)
    out, err = process.communicate(timeout=60)
    assert process.returncode == status, err
    assert "0 built, 0 unchanged, 0 failed, 2 stopped or not started" in out
    assert f"stopped by {signal.Signals(number).name}" in err
    time.sleep(0.5)
    assert not [pid for pid in workers if _running(pid)], "no worker outlives the batch"


def _hung_batch(tmp_path: Path, **pipes: Any) -> subprocess.Popen[str]:
    """A `build -j 2` of two schools whose workers sleep: a batch to signal or kill mid-build."""
    script = f"""
import sys, time
from policypack import batch
from policypack.cli import main
batch.build_one = lambda profile, pack, output: time.sleep(600)
batch._preflight = lambda plan: None
sys.argv = ["policypack", "build", {str(school(tmp_path))!r}, {str(_copy(tmp_path))!r},
            "-o", {str(tmp_path / "out")!r}, "-j", "2"]
main()
"""
    return subprocess.Popen([sys.executable, "-c", script], text=True, cwd=tmp_path, **pipes)


def _copy(tmp_path: Path) -> Path:
    other = tmp_path / "other"
    other.mkdir()
    profile = school(other)
    profile.write_text(profile.read_text(encoding="utf-8").replace("Oakfield Academy", "Birchwood Academy", 1))
    return profile


def _wait_for_children(pid: int, count: int) -> list[int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = [child for child in _pids() if _parent(child) == pid]
        if len(found) >= count:
            return found
        time.sleep(0.2)
    raise AssertionError("the batch never started its workers")


def _pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def test_a_worker_dies_with_its_parent(tmp_path: Path) -> None:
    """C05: the batch's parent killed outright (SIGKILL): its workers do not run on as orphans."""
    process = _hung_batch(tmp_path)
    workers = _wait_for_children(process.pid, 2)
    process.kill()
    process.wait(30)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_running(pid) for pid in workers):
        time.sleep(0.2)
    assert not [pid for pid in workers if _running(pid)]

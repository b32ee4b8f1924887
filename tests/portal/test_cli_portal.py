"""The portal's scripting commands, as a trust's IT lead runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "oakfield" / "school.yaml"


def run(data: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "POLICYPACK_DATA": str(data), "POLICYPACK_TODAY": "2026-12-01"}
    env.pop("POLICYPACK_DATABASE_URL", None)
    command = [sys.executable, "-m", "policypack", *args]
    return subprocess.run(command, env=env, input=stdin, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "portal-data"


def test_schools_add_imports_the_profile_and_its_files_and_prints_the_slug_last(data: Path) -> None:
    added = run(data, "schools", "add", str(EXAMPLE), "--trust", "Acorn Trust")
    assert added.returncode == 0, added.stderr
    assert added.stdout.splitlines()[-1] == "oakfield-academy"
    folder = data / "schools" / "oakfield-academy"
    assert (folder / "school.yaml").read_bytes() == EXAMPLE.read_bytes()
    assert (folder / "crest.svg").read_bytes() == (EXAMPLE.parent / "crest.svg").read_bytes()
    second = run(data, "schools", "add", str(EXAMPLE), "--trust", "Birch Trust")
    assert second.stdout.splitlines()[-1] == "oakfield-academy-2"
    listed = json.loads(run(data, "schools", "list", "--format", "json").stdout)
    assert [(s["slug"], s["trust"], s["status"], s["last_build"]) for s in listed] == [
        ("oakfield-academy", "Acorn Trust", "draft", None),
        ("oakfield-academy-2", "Birch Trust", "draft", None),
    ]


def test_a_profile_with_problems_is_refused_with_validates_messages(data: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad" / "school.yaml"
    bad.parent.mkdir()
    bad.write_text(EXAMPLE.read_text(encoding="utf-8").replace("01632 960 101", "call me"), encoding="utf-8")
    (bad.parent / "crest.svg").write_bytes((EXAMPLE.parent / "crest.svg").read_bytes())
    added = run(data, "schools", "add", str(bad), "--trust", "Acorn Trust")
    validated = run(data, "validate", str(bad))
    assert added.returncode == 1
    assert "Traceback" not in added.stderr
    problem = next(line for line in (validated.stdout + validated.stderr).splitlines() if "error:" in line)
    assert problem in added.stderr.splitlines()
    assert json.loads(run(data, "schools", "list", "--format", "json").stdout) == []


def test_users_add_hashes_with_argon2_and_checks_its_arguments(data: Path) -> None:
    run(data, "schools", "add", str(EXAMPLE), "--trust", "Acorn Trust")
    added = run(
        data,
        "users",
        "add",
        "dsl@oak.example.org",
        "--role",
        "dsl",
        "--school",
        "oakfield-academy",
        "--name",
        "Priya Raman",
        "--password-stdin",
        stdin="a-long-pass-phrase-42\n",
    )
    assert added.returncode == 0, added.stderr
    assert "a-long-pass-phrase-42" not in added.stdout
    made = run(data, "users", "add", "head@oak.example.org", "--role", "trust-admin", "--trust", "Acorn Trust")
    assert made.stdout.startswith("password for head@oak.example.org: ")
    weak = run(
        data,
        "users",
        "add",
        "x@oak.example.org",
        "--role",
        "staff",
        "--school",
        "oakfield-academy",
        "--password-stdin",
        stdin="password\n",
    )
    assert weak.returncode == 1 and "the password is refused" in weak.stderr
    nowhere = run(data, "users", "add", "y@oak.example.org", "--role", "dsl", "--school", "no-such-school")
    assert nowhere.returncode == 1 and "no school with the slug 'no-such-school'" in nowhere.stderr
    mixed = run(data, "users", "add", "z@oak.example.org", "--role", "dsl", "--trust", "Acorn Trust")
    assert mixed.returncode == 2
    stored = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("
            "\"select password from auth_user where username='dsl@oak.example.org'\").fetchone()[0])",
            str(data / "portal.sqlite3"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert stored.stdout.startswith("argon2$argon2id$")


def test_schools_build_needs_slugs_or_all(data: Path) -> None:
    assert run(data, "schools", "build").returncode == 2
    missing = run(data, "schools", "build", "nowhere")
    assert missing.returncode == 1 and "no school with the slug 'nowhere'" in missing.stderr


def test_schools_add_brings_a_brand_file_and_a_templates_folder(data: Path) -> None:
    profiles = ROOT / "tests" / "data" / "profiles"
    for name in ("brand-file", "override"):
        source = profiles / name
        added = run(data, "schools", "add", str(source / "school.yaml"), "--trust", "Acorn Trust")
        assert added.returncode == 0, added.stderr
        folder = data / "schools" / added.stdout.splitlines()[-1]
        given = sorted(p.relative_to(source) for p in source.rglob("*") if p.is_file())
        kept = sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
        assert kept == given
        assert run(data, "validate", str(folder / "school.yaml")).returncode == 0


def test_a_logo_outside_the_profiles_folder_is_refused_as_validate_refuses_it(data: Path) -> None:
    profile = ROOT / "tests" / "data" / "profiles" / "logo-outside" / "school.yaml"
    added = run(data, "schools", "add", str(profile), "--trust", "Acorn Trust")
    validated = run(data, "validate", str(profile))
    assert added.returncode == validated.returncode == 1
    assert "Traceback" not in added.stderr
    assert json.loads(run(data, "schools", "list", "--format", "json").stdout) == []

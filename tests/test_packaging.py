"""The wheel carries the flows and schemas, and the CLI finds them from anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.usefixtures("needs_weasyprint")
@pytest.mark.slow
def test_the_wheel_ships_flows_and_runs_from_any_folder(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", wheels, ROOT],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("policypack-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    for expected in (
        "policypack/flows/sources.yaml",
        "policypack/flows/england/dsl-review.yaml",
        "policypack/flows/wales/dsl-response.yaml",
        "policypack/schemas/flow.schema.json",
        "policypack/templates/poster.html.j2",
        "policypack/templates/documents/policy.html.j2",
        "policypack/examples/oakfield/school.yaml",
        "policypack/cli.py",
    ):
        assert expected in names
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    code = "from policypack.load.flows import bundled_path; print(bundled_path('flows'))"
    found = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert Path(found.stdout.strip()) == tmp_path / "site" / "policypack" / "flows"
    run = subprocess.run(
        [sys.executable, "-m", "policypack", "validate"], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "error" not in run.stdout and "site/policypack/flows/sources.yaml" in run.stdout

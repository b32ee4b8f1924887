from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from policypack.cli import main

# Review-date warnings depend on today's date: pin it, so that the suite gives the same
# answer next year. Tests about those warnings set their own dates.
os.environ["POLICYPACK_TODAY"] = "2026-11-24"

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
GOLDEN = ROOT / "tests" / "golden"
FLOWS = ROOT / "flows"


def error_markers(path: Path) -> Iterator[tuple[int, str]]:
    """(line, message) for each `# error: message` comment in a sample file."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        if "# error: " in line:
            yield number, line.split("# error: ", 1)[1].strip()


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run the CLI in-process from the repository root, as a user would."""
    monkeypatch.chdir(ROOT)

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return run

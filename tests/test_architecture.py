"""The package reads as the pipeline: each stage imports only the stages before it."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "src" / "policypack"
# Lower numbers come first; a module may import its own stage and any lower one.
STAGES = {"base": 0, "model": 1, "load": 2, "check": 3, "layout": 4, "render": 5, "write": 6, "top": 7}
BASE_MODULES = {"errors", "resources", "tools", "__init__"}
MAX_LINES = 300
LONGER_ALLOWED = {"cli.py"}  # only commands


def stage_of(module: str) -> str:
    parts = module.split(".")[1:]  # drop "policypack"
    if not parts or parts[0] in BASE_MODULES:
        return "base"
    return parts[0] if parts[0] in STAGES else "top"


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("policypack"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("policypack"))
    return found


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_module_imports_a_later_stage() -> None:
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = module_name(path)
        for target in imports(path):
            if target != "policypack" and STAGES[stage_of(target)] > STAGES[stage_of(here)]:
                upward.append(f"{here} imports {target}")
    assert upward == []


def test_render_and_write_take_the_checked_value_and_import_nothing_from_check() -> None:
    found = [
        f"{module_name(path)} imports {target}"
        for stage in ("render", "write")
        for path in sorted((PACKAGE / stage).rglob("*.py"))
        for target in imports(path)
        if stage_of(target) == "check"
    ]
    assert found == []


def test_there_is_no_import_cycle() -> None:
    graph = {module_name(p): {t for t in imports(p) if t != "policypack"} for p in PACKAGE.rglob("*.py")}
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(node: str, trail: tuple[str, ...]) -> None:
        assert node not in visiting, " -> ".join((*trail, node))
        if node in done:
            return
        visiting.add(node)
        for target in graph.get(node, ()):
            visit(target, (*trail, node))
        visiting.discard(node)
        done.add(node)

    for node in graph:
        visit(node, ())


def test_modules_stay_small() -> None:
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES and p.name not in LONGER_ALLOWED
    }
    assert long == {}


def test_every_format_a_profile_may_ask_for_has_a_writer() -> None:
    from typing import get_args

    from policypack.model.profile import Format
    from policypack.write.formats import WRITERS

    assert set(get_args(Format)) == set(WRITERS)

"""The portal is an outer layer: the pipeline never imports it, and it reaches the build through one adapter."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ROOT
from tests.test_architecture import PACKAGE, imports, module_name, stage_of

PORTAL = PACKAGE / "portal"
# What portal modules other than the adapter may use of policypack: problems, the bundled
# folders, and the per-process sandbox for previews.
SHARED = {"policypack.errors", "policypack.resources", "policypack.workers"}


def test_no_stage_imports_the_portal() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = module_name(path)
        if stage_of(here) == "top":
            continue
        found += [f"{here} imports {t}" for t in imports(path) if t.startswith(("policypack.portal", "policypack.cli"))]
    assert found == []


def test_only_the_adapter_calls_the_pipeline() -> None:
    found = []
    for path in sorted(PORTAL.rglob("*.py")):
        if path.name == "adapter.py":
            continue
        outside = {t for t in imports(path) if not t.startswith("policypack.portal") and t not in SHARED}
        found += [f"{module_name(path)} imports {t}" for t in sorted(outside)]
    assert found == []


def test_the_vendored_htmx_is_the_npm_packages_file() -> None:
    vendored = PORTAL / "static" / "portal" / "htmx.min.js"
    installed = ROOT / "node_modules" / "htmx.org" / "dist" / "htmx.min.js"
    assert installed.is_file(), "run `npm ci` (make test does)"
    assert vendored.read_bytes() == installed.read_bytes()
    assert '"htmx.org": "2.0.11"' in Path(ROOT / "package.json").read_text(encoding="utf-8")

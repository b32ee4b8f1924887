"""Folders shipped with policypack: the bundled flows, templates, schemas and example."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def bundled_path(name: str) -> Path:
    """A folder shipped with policypack (`flows`, `templates`, `schemas`, `examples`).

    In an installed wheel these live inside the package; in a source checkout
    (including an editable install) they are the top-level folders of the repository.
    """
    packaged = Path(str(resources.files("policypack"))) / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / name

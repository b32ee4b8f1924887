"""Imported by the preview fork server alone, once: the renderer and the bundled flows are loaded
there, so every preview process forked from it starts with them. The web process never imports
this module, and so never pays for them."""

from __future__ import annotations

from policypack.portal import adapter
from policypack.portal.builds import preview_child  # noqa: F401  (what the forked processes run)

adapter.warm_up()

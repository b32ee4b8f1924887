"""Render stage for the web page: the policy's own context, made self-contained for a browser.

The page must work when a school uploads that one file: the logo goes in as a `data:` URL
and each chart stays inline SVG, marked as one image whose name and description are the
title and numbered outline the renderer gave it.
"""

from __future__ import annotations

import base64
from dataclasses import replace
from typing import Any

from policypack.load.profile import School

WEB_DOCUMENTS = {"policy": "web/policy.html.j2"}  # document -> the template of its web page
MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}


def web_context(context: dict[str, Any], school: School) -> dict[str, Any]:
    """The pack's context with the logo inlined and the charts marked as images."""
    sections = [
        replace(s, page=replace(s.page, chart=replace(s.page.chart, svg=_as_image(s.page.chart.svg))))
        for s in context["sections"]
    ]
    logo = school.logo
    inlined = None
    if logo:
        data = base64.b64encode(logo.path.read_bytes()).decode("ascii")
        inlined = {"path": f"data:{MEDIA_TYPES[logo.path.suffix.lower()]};base64,{data}", "alt": logo.alt}
    return {**context, "logo": inlined, "sections": sections, "charts": {s.key: s for s in sections}}


def _as_image(svg: str) -> str:
    """One image to assistive technology, named by its <title> and described by its <desc>."""
    return svg.replace("<svg ", '<svg role="img" ', 1)

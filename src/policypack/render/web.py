"""Render stage for the web page: the policy's own context, made self-contained for a browser.

The page must work when a school uploads that one file: the logo is already a `data:` URL
(the load stage rebuilt it), and each chart stays inline SVG, marked as one image whose
name and description are the title and numbered outline the renderer gave it.

Only a pack whose text the governors approved, with nothing awaiting checking, is written
under the public name (`policy.html`); any other is a preview (`policy-preview.html`) that
says so, so that a draft is never uploaded by mistake under the name a school publishes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

WEB_DOCUMENTS = {"policy": "web/policy.html.j2"}  # document -> the template of its web page
PREVIEW_SUFFIX = "-preview"  # a draft's web page: policy-preview.html, never policy.html


def web_name(document: str, published: bool) -> str:
    """The web page's file stem: the document's own name only when it may be published."""
    return document if published else f"{document}{PREVIEW_SUFFIX}"


def web_context(context: dict[str, Any], published: bool) -> dict[str, Any]:
    """The pack's context with the charts marked as images, and whether this is the public copy."""
    sections = [
        replace(s, pages=[replace(p, chart=replace(p.chart, svg=_as_image(p.chart.svg))) for p in s.pages])
        for s in context["sections"]
    ]
    return {**context, "sections": sections, "charts": {s.key: s for s in sections}, "published": published}


def _as_image(svg: str) -> str:
    """One image to assistive technology, named by its <title> and described by its <desc>."""
    return svg.replace("<svg ", '<svg role="img" ', 1)

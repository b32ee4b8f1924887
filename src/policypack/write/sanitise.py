"""Write stage: the web page a school uploads is clean by construction, whatever its templates wrote.

`policy.html` is published "as it is" on a school's website, so it must never run or load
anything, even when a school's own template tried to add a script, an event handler, a
refresh or a remote stylesheet. The rendered page is rebuilt from parts:
- the body goes through an allow-list sanitiser (`nh3`, the Ammonia library): only the HTML
  and SVG elements and attributes a policy needs; links only to https, mailto, tel and the
  page's own anchors; pictures only as `data:` images;
- the style sheets keep their rules but lose every `@import`, `url()` other than a `data:`
  image, and anything that could close the `<style>` element;
- the head is written afresh: the charset, a Content-Security-Policy that forbids scripts
  and every remote load (so a browser enforces it even if something slipped through),
  the title and the plain `name`/`content` metadata.
"""

from __future__ import annotations

import html
import re

import lxml.html
import nh3

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
HTML_TAGS = {
    *("a", "abbr", "article", "aside", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup"),
    *("dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "footer", "h1", "h2"),
    *("h3", "h4", "h5", "h6", "header", "hr", "i", "img", "ins", "kbd", "li", "main", "mark", "nav", "ol", "p"),
    *("pre", "q", "s", "section", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td"),
    *("tfoot", "th", "thead", "time", "tr", "u", "ul", "wbr"),
}
SVG_TAGS = {
    *("svg", "g", "path", "polygon", "polyline", "line", "rect", "circle", "ellipse", "text", "tspan"),
    *("title", "desc", "defs", "marker", "linearGradient", "stop"),
}
GENERIC_ATTRIBUTES = {
    *("class", "id", "lang", "dir", "title", "role", "tabindex", "style", "hidden"),
    *("aria-label", "aria-labelledby", "aria-describedby", "aria-hidden", "aria-current", "aria-level"),
    "data-short",  # the school's short name, which the printed policy's running header shows
}
TAG_ATTRIBUTES = {
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "headers"},
    "th": {"colspan", "rowspan", "headers", "scope"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "time": {"datetime"},
    "col": {"span"},
    "colgroup": {"span"},
}
SVG_ATTRIBUTES = {
    *("viewBox", "width", "height", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "d", "points"),
    *("fill", "fill-opacity", "stroke", "stroke-width", "stroke-dasharray", "stroke-linecap", "stroke-linejoin"),
    *("stroke-opacity", "opacity", "transform", "font-family", "font-size", "font-style", "font-weight"),
    *("text-anchor", "dominant-baseline", "preserveAspectRatio", "xmlns", "focusable", "offset", "stop-color"),
    *("markerWidth", "markerHeight", "refX", "refY", "orient", "markerUnits", "marker-end", "marker-start"),
}
_DATA_IMAGE = re.compile(r"^data:image/(?:png|jpeg|gif|svg\+xml)(?:;[a-z0-9=.+-]+)*,", re.IGNORECASE)
_LINK = re.compile(r"^(?:https://|mailto:|tel:|#)", re.IGNORECASE)
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_CSS_DANGER = re.compile(r"@import[^;]*;?|expression\s*\(|-moz-binding|behavior\s*:|javascript:", re.IGNORECASE)


def clean_web_page(page: str) -> str:
    """The rendered web page rebuilt from its allowed parts: nothing in it can run or load."""
    tree = lxml.html.document_fromstring(page)
    title = tree.find(".//title")
    metas = [
        f'<meta name="{html.escape(meta.get("name", ""))}" content="{html.escape(meta.get("content", ""))}">'
        for meta in tree.xpath("//head/meta[@name]")
    ]
    styles = [clean_css(style.text or "") for style in tree.xpath("//style")]
    body = tree.find("body")
    inner = (body.text or "") if body is not None else ""
    inner = html.escape(inner, quote=False) + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in (body if body is not None else [])
    )
    lang = html.escape(tree.get("lang") or "en-GB")
    body_class = html.escape(body.get("class", "")) if body is not None else ""
    head = [
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        f"<title>{html.escape(title.text_content() if title is not None else '')}</title>",
        *metas,
        *(f"<style>\n{css}\n</style>" for css in styles),
    ]
    opening = f'<body class="{body_class}">' if body_class else "<body>"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n'
        + "\n".join(head)
        + f"\n</head>\n{opening}\n{clean_body(inner)}\n</body>\n</html>\n"
    )


def clean_body(fragment: str) -> str:
    """HTML and inline SVG through the allow-list; nothing that runs, redirects or loads survives."""
    attributes = {tag: GENERIC_ATTRIBUTES | TAG_ATTRIBUTES.get(tag, set()) for tag in HTML_TAGS}
    attributes |= dict.fromkeys(SVG_TAGS, GENERIC_ATTRIBUTES | SVG_ATTRIBUTES)
    return nh3.clean(
        fragment,
        tags=HTML_TAGS | SVG_TAGS,
        clean_content_tags={"script", "style", "template", "iframe", "object", "noscript"},
        attributes=attributes,
        attribute_filter=_attribute,
        url_schemes={"https", "mailto", "tel", "data"},
        link_rel=None,
        strip_comments=True,
    )


def _attribute(tag: str, name: str, value: str) -> str | None:
    if name == "src":
        return value if _DATA_IMAGE.match(value.strip()) else None
    if name == "href":
        return value if _LINK.match(value.strip()) else None
    if name == "style":
        return clean_css(value)
    return value


def clean_css(css: str) -> str:
    """Style rules without `@import`, remote `url()`, script hooks or a way out of the `<style>` element."""
    css = _CSS_DANGER.sub("", css)
    css = _CSS_URL.sub(lambda m: m.group(0) if _DATA_IMAGE.match(m.group(2).strip()) else "none", css)
    return re.sub(r"<\s*/?\s*style", "", css, flags=re.IGNORECASE).replace("<!--", "").replace("-->", "")

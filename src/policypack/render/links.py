"""Render stage: contact details and addresses as links that print unbroken.

Jinja filters: `tel` (a phone number that dials), `mailto`, `weblink`. Addresses may
break only after a slash; the templates' CSS keeps e-mails and phone numbers on one line.
"""

from __future__ import annotations

import re

from markupsafe import Markup


def tel_link(phone: str) -> Markup:
    """A phone number that dials: UK numbers as +44, an extension ("ext 22") left out of the link."""
    number = re.split(r"(?i)\s*(?:ext\.?|extension|x)\s*\d+\s*$", phone)[0]
    digits = re.sub(r"[^\d+]", "", number)
    if digits.startswith("0") and not digits.startswith("00") and len(digits) > 4:
        digits = "+44" + digits[1:]
    return Markup('<a class="tel" href="tel:{}">{}</a>').format(digits, phone)


def mailto_link(address: str) -> Markup:
    return Markup('<a class="email" href="mailto:{}">{}</a>').format(address, address)


def shown_address(url: str) -> str:
    """An address as documents print it: without https:// and www., without a final slash."""
    return re.sub(r"^https?://(www\.)?", "", url).rstrip("/")


def web_link(url: str) -> Markup:
    """A clickable address that may break only after a slash: never mid-word, never at a hyphen.

    Each piece between slashes is kept whole (a line end after a hyphen in an address
    reads as hyphenation, and a reader would type the address wrongly).
    """
    shown = shown_address(url)
    pieces = Markup("<wbr>").join(
        Markup('<span class="nobreak">{}</span>').format(piece) for piece in re.split(r"(?<=/)", shown)
    )
    return Markup('<a class="url" href="{}">{}</a>').format(url, pieces)


FILTERS = {"tel": tel_link, "mailto": mailto_link, "weblink": web_link}

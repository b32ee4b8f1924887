"""Characters no value a school or a maintainer writes may hold.

Control characters can rewrite a terminal or what a document shows; bidirectional overrides
make printed text read differently from what was checked (Trojan Source); format characters
print nothing, and line separators break a line where a reader expects one; noncharacters
cannot be held by XML, so not by a Word file either.
"""

from __future__ import annotations

import re

# Refused in every value and key: C0 controls but tab and newline, DEL, C1 controls, and the
# bidirectional overrides and isolates that can make printed text read differently (Trojan Source).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Also refused: characters that print nothing or break a line where a reader sees one line
# (Unicode's format characters, the line and paragraph separators) and the noncharacters XML
# and Word cannot hold. The zero-width joiner and non-joiner stay: emoji and some scripts need them.
_INVISIBLE = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b\u200e\u200f"
    "\u2028\u2029\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb\ufdd0-\ufdef\ufffe\uffff"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f\U0001fffe\U0001ffff\U000ffffe\U000fffff\U0010fffe\U0010ffff]"
)


def refused_character(value: str) -> tuple[str, str] | None:
    """Why `value` may not be used (a message and a hint), or None when every character is fine."""
    if control := _CONTROL.search(value):
        return (
            f"the text contains the control character U+{ord(control.group()):04X}",
            "remove it: control characters can rewrite a terminal or what a document shows",
        )
    if invisible := _INVISIBLE.search(value):
        return (
            f"the text contains the invisible or line-breaking character U+{ord(invisible.group()):04X}",
            "remove it: it prints nothing, or breaks a line, where a reader expects one line of text",
        )
    return None

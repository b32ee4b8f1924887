"""Text as every writer stores it.

Control characters a school's text may carry (YAML's "\\x07") cannot be stored in XML; they
print as their visible pictures (U+2400...), literally, as everything a school writes does.
"""

from __future__ import annotations

CONTROL_PICTURES = {c: 0x2400 + c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)} | {0x7F: 0x2421}
# Noncharacters XML (so Word) cannot hold print as the replacement character, never break the file.
CONTROL_PICTURES |= dict.fromkeys((*range(0xFDD0, 0xFDF0), 0xFFFE, 0xFFFF), 0xFFFD)


def visible_controls(text: str) -> str:
    """`text` with each control character other than tab and line breaks shown as its picture."""
    return text.translate(CONTROL_PICTURES)

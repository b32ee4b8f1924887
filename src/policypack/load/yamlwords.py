"""YAML syntax errors in a DSL's words: what is wrong on the line, the line itself, and a fix.

PyYAML names what its scanner expected ("mapping values are not allowed here", "found
character '\\t' that cannot start any token"). The mistakes behind those messages are few
and human: a tab, a line indented too far or not far enough, a colon inside a value, a
missing colon, a list item where one value goes, a quote never closed. Each is recognised
from the message and the lines around it, and explained with the line corrected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policypack.errors import Location
from policypack.load.files import UnreadableFile, read_bytes

_DASH_NO_SPACE = re.compile(r"^\s*-[^\s-]")


@dataclass(frozen=True)
class Explained:
    line: int  # 1-based: the line the mistake is on (sometimes the one before PyYAML's)
    col: int
    message: str
    hint: str


def explain_syntax_error(
    lines: list[str], line: int, col: int, problem: str, context: str | None, context_line: int | None
) -> Explained:
    """The mistake behind a PyYAML error at `line`:`col` (1-based) in plain words."""
    here = _line(lines, line)
    above = _previous(lines, line)
    if problem.startswith("found character '\\t'"):
        fixed = here.replace("\t", "  ")
        return Explained(
            line, col, "this line has a tab where YAML needs spaces", f"indent with spaces only, like this:\n{fixed}"
        )
    unclosed = _unclosed_quote(lines, line)
    if unclosed:
        return Explained(
            unclosed[0],
            unclosed[1],
            "a quote opened on this line is never closed",
            f"end the value with the same quote mark it starts with:\n{_closed(_line(lines, unclosed[0]))}",
        )
    if context == "while scanning a simple key" and context_line:
        return _no_colon(lines, context_line)
    if problem == "mapping values are not allowed here":
        return _mapping_value(lines, line, col, here, above)
    if "but found '<block mapping start>'" in problem or "but found '<block sequence start>'" in problem:
        fixed = _indent_like(here, above)
        return Explained(
            line,
            col,
            "this line is not lined up with the keys above it",
            f"indent it exactly as far as the key it belongs with, for example:\n{fixed}",
        )
    if problem.endswith("but found '-'") or problem == "sequence entries are not allowed here":
        return _list_item(lines, line, col, here, problem)
    if problem.startswith("found character") and "cannot start any token" in problem:
        char = problem.split("'")[1]
        return Explained(
            line,
            col,
            f"a value cannot start with {char} unless it is in quotes",
            f"put the value in quotes:\n{_quoted(here)}",
        )
    return Explained(
        line,
        col,
        f"YAML cannot read this line ({problem})",
        "check the indentation and quoting on this line and the one above",
    )


def _mapping_value(lines: list[str], line: int, col: int, here: str, above: str) -> Explained:
    key, sep, value = here.partition(": ")
    if sep and ":" in value and col - 1 > len(key) + 1:
        return Explained(
            line,
            len(key) + 3,
            "this value has a colon in it, which YAML reads as the start of another key",
            f"put the value in quotes:\n{_quoted(here)}",
        )
    before = line - 1
    while before > 0 and not _line(lines, before).strip():
        before -= 1
    if before > 0 and ":" not in above and not above.lstrip().startswith(("-", "#")):
        return _no_colon(lines, before)
    return Explained(
        line,
        len(here) - len(here.lstrip()) + 1,
        "this line is indented further than the line above, which already has its value",
        f"line it up with the key above it:\n{_indent_like(here, above)}",
    )


def _no_colon(lines: list[str], number: int) -> Explained:
    text = _line(lines, number)
    word, _, rest = text.strip().partition(" ")
    indent = text[: len(text) - len(text.lstrip())]
    return Explained(
        number,
        len(indent) + 1,
        "this line has no colon after its key",
        f"write the key, a colon and a space, then the value:\n{indent}{word}: {rest}",
    )


_OPENS_QUOTE = re.compile(r"""^\s*(?:-\s+)?(?:[^\s"'#][^:#]*:\s+)?(["'])""")


def _unclosed_quote(lines: list[str], line: int) -> tuple[int, int] | None:
    """The line above or at `line` whose value opens a quote that the line never closes."""
    for number in range(1, min(line, len(lines)) + 1):
        text = _line(lines, number)
        match = _OPENS_QUOTE.match(text)
        if match:
            rest = text[match.end() :].replace("\\" + match.group(1), "").replace(match.group(1) * 2, "")
            if match.group(1) not in rest:
                return number, match.start(1) + 1
    return None


def _list_item(lines: list[str], line: int, col: int, here: str, problem: str) -> Explained:
    dashed = next((n for n in (line - 1, line) if _DASH_NO_SPACE.match(_line(lines, n))), None)
    if dashed:
        text = _line(lines, dashed)
        return Explained(
            dashed,
            len(text) - len(text.lstrip()) + 1,
            "a list item needs a space after its dash",
            f"write it as:\n{text.replace('-', '- ', 1)}",
        )
    if problem == "sequence entries are not allowed here":
        return Explained(
            line,
            col,
            "a list item ('- ') where a single value goes",
            f"give one value after the colon, with no dash:\n{here.split(':', 1)[0]}: ...",
        )
    indent = len(here) - len(here.lstrip())
    parent = next(
        (
            _line(lines, n).strip()[:-1]
            for n in range(line - 1, 0, -1)
            if _line(lines, n).rstrip().endswith(":") and len(_line(lines, n)) - len(_line(lines, n).lstrip()) <= indent
        ),
        "deputies",
    )
    return Explained(
        line,
        col,
        "this list item ('- ') sits among keys instead of under a key of its own",
        f"put every item of the list under its key, each starting with '- ', for example:\n{parent}:\n"
        "  - name: ...\n    phone: ...",
    )


def _line(lines: list[str], number: int) -> str:
    return lines[number - 1].rstrip("\n") if 0 < number <= len(lines) else ""


def _previous(lines: list[str], number: int) -> str:
    for before in range(number - 1, 0, -1):
        if _line(lines, before).strip() and not _line(lines, before).lstrip().startswith("#"):
            return _line(lines, before)
    return ""


def _indent_like(here: str, above: str) -> str:
    return above[: len(above) - len(above.lstrip())] + here.lstrip()


def _quoted(here: str) -> str:
    key, sep, value = here.partition(": ")
    if not sep:
        return here
    text = value.strip().replace("\\", "\\\\").replace('"', '\\"')
    return f'{key}: "{text}"'


def _closed(opened: str) -> str:
    quote = next((c for c in opened if c in "\"'"), '"')
    return opened.rstrip() + quote


def source_line(where: Location, limit: int = 1_000_000) -> str | None:
    """The text of the line a problem is on, to show under its message; None when unknown."""
    if not where.line:
        return None
    try:
        lines = read_bytes(where.file, limit).decode("utf-8-sig", errors="replace").splitlines()
    except (UnreadableFile, OSError):
        return None
    return lines[where.line - 1] if where.line <= len(lines) else None

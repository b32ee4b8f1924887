"""Pydantic's type errors in a DSL's words: what was written, what goes there, an example.

"Input should be a valid list" and "valid integer" are a programmer's words. The mistakes
behind them are a list where one value goes (or the other way round), a group of keys
where one value goes, "1 year" for a number, a word that is not one of the choices, and a
nation policypack does not cover yet.
"""

from __future__ import annotations

import re
from typing import Any

UNCOVERED_NATIONS = re.compile(r"^\s*(scotland|northern[\s-]*ireland|ni|alba|ulster)\s*$", re.IGNORECASE)


def plain_type_error(kind: str, given: Any, field: str, ctx: dict[str, Any], keys: list[str]) -> tuple[str, str] | None:
    """(message, hint) for a type error at `field`, or None to keep pydantic's message.

    `keys` are the keys allowed where a group of keys was expected.
    """
    what = _what(given)
    if kind == "literal_error" and field == "nation" and isinstance(given, str) and UNCOVERED_NATIONS.match(given):
        return (
            "Scotland and Northern Ireland are not covered yet: their guidance differs, and policypack "
            "has England's and Wales's only",
            "nation: england or nation: wales, if the school is in one of them",
        )
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return (
            f"{_shown(given)} is not one of the choices: {', '.join(choices)}",
            f"write one of them exactly as shown, for example {field}: {choices[-1 if len(choices) > 2 else 0]}",
        )
    if kind == "string_type" and isinstance(given, list | dict | None):
        return f"{what} where one value goes", f"write the value after the colon, on the same line: {field}: ..."
    if kind == "list_type":
        return (
            f"{what} where a list goes: each item starts with '- ' on a line of its own",
            f"{field}:\n  - name: ...\n    phone: ...",
        )
    if kind in ("model_type", "dict_type") and keys:
        listed = ", ".join(f"{key}:" for key in keys[:4])
        return f"{what} where a group of keys goes ({listed} on lines indented under it)", _group_example(field, keys)
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{_shown(given)} is not a whole number", f"write the number alone, for example {field}: 12"
    if kind in ("bool_parsing", "bool_type"):
        return f"{_shown(given)} is not true or false", f"{field}: true  (or false)"
    return None


def _what(given: Any) -> str:
    if isinstance(given, list):
        return "a list ('- ' items)"
    if isinstance(given, dict):
        return "a group of keys"
    return "nothing" if given is None else f"the value {_shown(given)}"


def _shown(given: Any) -> str:
    text = str(given).lower() if isinstance(given, bool) else str(given)
    return f"'{text}'" if len(text) <= 60 else f"'{text[:60]}...'"


def _group_example(field: str, keys: list[str]) -> str:
    lines = "".join(f"\n  {key}: ..." for key in keys[:3])
    return f"{field}:{lines}"

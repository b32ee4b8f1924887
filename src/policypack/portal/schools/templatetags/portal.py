"""Template filters the portal's pages need."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: Any, key: str) -> Any:
    """mapping[key], or None: a form value or a field's problems by the field's name."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None

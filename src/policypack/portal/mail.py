"""E-mail through Django's e-mail backend (SMTP when POLICYPACK_SMTP_URL is set).

The words of each message live in a template, portal/email/NAME.txt: its first line is the
subject, the rest the body. Links are absolute, on POLICYPACK_BASE_URL.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string


def absolute(path: str) -> str:
    """A portal path as the address a reader of the e-mail follows."""
    return str(settings.BASE_URL).rstrip("/") + path


def send(name: str, to: list[str], context: dict[str, Any]) -> int:
    """Send the message portal/email/NAME.txt to each address (one message each, so no one sees another's)."""
    subject, _, body = render_to_string(f"portal/email/{name}.txt", context).partition("\n")
    return sum(send_mail(subject.strip(), body.strip() + "\n", None, [address]) for address in to if address)

"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the portal's e-mail tests, and the messages it received."""

from __future__ import annotations

import email
import email.policy
import re
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from policypack.portal.settings import smtp_settings


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["X-Envelope-To"] == address]

    @staticmethod
    def body(message: EmailMessage) -> str:
        part = message.get_body(("plain",))
        assert part is not None
        return str(part.get_content())

    @classmethod
    def link(cls, message: EmailMessage) -> str:
        found = re.search(r"https?://\S+", cls.body(message))
        assert found, cls.body(message)
        return found.group(0)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def inbox(settings: Any) -> Iterator[Inbox]:
    """Django sends through SMTP to a local aiosmtpd server; the test reads what arrived."""
    received = Inbox()
    port = free_port()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    for key, value in smtp_settings(f"smtp://127.0.0.1:{port}").items():
        setattr(settings, key, value)
    settings.BASE_URL = "https://portal.example.org"
    try:
        yield received
    finally:
        controller.stop()

"""Starting Django from the command line: settings from the environment, migrations applied."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def start(apply_migrations: bool = True) -> None:
    """Configure Django once per process and bring the database's tables up to date."""
    import django
    from django.apps import apps

    keep_secret_key(Path(os.environ.get("POLICYPACK_DATA") or "portal-data"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policypack.portal.settings")
    if not apps.ready:
        django.setup()
    if apply_migrations:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)


def keep_secret_key(data: Path) -> None:
    """Make the data folder's signing key once, readable by its owner only (sessions survive restarts)."""
    path = data / "secret-key"
    if os.environ.get("POLICYPACK_SECRET_KEY") or path.is_file():
        return
    data.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):  # another command made it first
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(50))

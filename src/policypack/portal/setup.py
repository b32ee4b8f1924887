"""Starting Django from the command line: settings from the environment, migrations applied."""

from __future__ import annotations

import os

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def start(apply_migrations: bool = True) -> None:
    """Configure Django once per process and bring the database's tables up to date."""
    import django
    from django.apps import apps

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policypack.portal.settings")
    if not apps.ready:
        django.setup()
    if apply_migrations:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)

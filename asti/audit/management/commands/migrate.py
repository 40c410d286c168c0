"""`manage.py migrate` prepares the business database and the audit trail's database (asti.audit.router).

Run without --database, it migrates `default` and then `audit`, creating the audit trail's PostgreSQL database
first when it does not exist yet (and the role may create databases). With --database it does just that one,
as Django's own command does; so does every programmatic call (the test runner migrates each test database
itself)."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import DEFAULT_DB_ALIAS, connections

from asti.audit.router import AUDIT_DB


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " Without --database: the main database and the audit trail's database."

    def run_from_argv(self, argv: list[str]) -> None:
        self._both = not any(a == "--database" or a.startswith("--database=") for a in argv[2:])
        super().run_from_argv(argv)

    def handle(self, *args: Any, **options: Any) -> None:
        both = getattr(self, "_both", False) and options["database"] == DEFAULT_DB_ALIAS
        super().handle(*args, **options)
        if both and AUDIT_DB in connections:
            ensure_database(AUDIT_DB)
            if options["verbosity"] >= 1:
                self.stdout.write(self.style.MIGRATE_HEADING(f"Audit trail database ({AUDIT_DB}):"))
            super().handle(*args, **{**options, "database": AUDIT_DB})


def ensure_database(alias: str) -> None:
    """Create a PostgreSQL database named in settings when the server does not have it yet."""
    conn = connections[alias]
    if conn.vendor != "postgresql":
        return  # SQLite creates its file on first connection
    name = conn.settings_dict["NAME"]
    with conn._nodb_cursor() as cursor:  # connects to the server's maintenance database
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE DATABASE {conn.ops.quote_name(name)}")

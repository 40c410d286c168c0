"""`manage.py purge_expired [--dry-run]`: removes what has outlived its retention period (docs/privacy.md), printing
per table what it removes (or would remove). The scheduler runs the same purge daily."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from asti.privacy.retention import purge_expired


class Command(BaseCommand):
    help = "Deletes or anonymises the rows whose retention period has ended."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count what would be removed, change nothing")
        parser.add_argument("--actor", default="command:purge_expired", help="who runs it (audit)")

    def handle(self, *args: Any, **options: Any) -> None:
        result = purge_expired(actor=options["actor"], dry_run=options["dry_run"])
        for line in result.lines():
            self.stdout.write(line)
        verb = "would be removed" if result.dry_run else "removed"
        self.stdout.write(f"{result.total} rows {verb}")

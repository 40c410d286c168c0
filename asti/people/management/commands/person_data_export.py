"""`manage.py person_data_export GUARDIAN_ID [--out FILE]`: everything Asti holds on a guardian and the children in
their custody, as JSON (a data subject's access request, GDPR articles 15 and 20; see docs/privacy.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from asti.audit.services import audit_log
from asti.people.export import person_data_export
from asti.people.models import Guardian


class Command(BaseCommand):
    help = "Writes everything Asti holds on a guardian and their children as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("guardian_id")
        parser.add_argument("--out", type=Path, help="file to write (default: standard output)")
        parser.add_argument("--actor", default="command:person_data_export", help="who made the request (audit)")

    def handle(self, *args: Any, **options: Any) -> None:
        guardian = Guardian.objects.filter(guardian_id=options["guardian_id"]).first()
        if guardian is None:
            raise CommandError(f"no guardian {options['guardian_id']}")
        data = person_data_export(guardian=guardian)
        text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
        audit_log(
            actor=options["actor"], operation="PERSONAL_DATA_EXPORT", target_type="guardian",
            target_id=guardian.guardian_id, details={"children": data["children"]},
        )  # fmt: skip
        if options["out"]:
            options["out"].write_text(text + "\n", encoding="utf-8")
            rows = sum(len(v) for v in data["tables"].values())
            self.stdout.write(f"wrote {rows} rows of {len(data['tables'])} tables to {options['out']}")
        else:
            self.stdout.write(text)

"""`manage.py person_erase GUARDIAN_ID --reason TEXT [--dry-run] [--test-family]`: erases a guardian (and the
children in their custody whom no other custodian keeps) where the law allows it, all or nothing; refuses with the
reason when an official record is among their data (asti.privacy.erasure, docs/privacy.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from asti.people.models import Guardian
from asti.privacy.erasure import ErasurePlan, ErasureRefused, erasure_plan, person_erase


class Command(BaseCommand):
    help = "Erases a guardian's data where the law allows it (GDPR article 17)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("guardian_id")
        parser.add_argument("--reason", required=True, help="why (the request, its date and reference; audited)")
        parser.add_argument("--dry-run", action="store_true", help="say what would be erased, change nothing")
        parser.add_argument(
            "--test-family", action="store_true", help="a test family (temporary identity codes only): erase all"
        )
        parser.add_argument("--actor", default="command:person_erase", help="who made the request (audit)")

    def handle(self, *args: Any, **options: Any) -> None:
        guardian = Guardian.objects.filter(guardian_id=options["guardian_id"]).first()
        if guardian is None:
            raise CommandError(f"no guardian {options['guardian_id']}")
        try:
            if options["dry_run"]:
                plan = erasure_plan(guardian=guardian, test_family=options["test_family"])
                if plan.official:
                    raise ErasureRefused(plan.refusal())
            else:
                plan = person_erase(
                    guardian=guardian, actor=options["actor"], reason=options["reason"],
                    test_family=options["test_family"],
                )  # fmt: skip
        except ErasureRefused as refused:
            raise CommandError(str(refused)) from refused
        self._report(plan, dry_run=options["dry_run"])

    def _report(self, plan: ErasurePlan, *, dry_run: bool) -> None:
        verb = "would be " if dry_run else ""
        for key, count in plan.counts().items():
            label, action = key.split(" ")
            self.stdout.write(f"{label}: {count} {verb}{action}")
        kept = ", ".join(c.child_id for c in plan.kept_children)
        if kept:
            self.stdout.write(f"kept (another custodian): {kept}")
        self.stdout.write(f"{plan.guardian.guardian_id} {verb}erased")

"""python manage.py demo_services [--seed S] [--periods open|city] [--per-kind N]"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from asti.demo.services import PERIOD_MODES, demo_services


class Command(BaseCommand):
    help = (
        "Demo only, after the registry extract is imported: schools for every admission area and language, the "
        "units' early childhood education places and shift care, the application periods of the school years one "
        "may apply for, a queue of applications of every kind already sent (through the real services, at earlier "
        "dates: references, due dates and timelines as they would be) and, among the guardians the test login "
        "lists, a family in every situation. Each part is made only when it is not there yet, so a second run "
        "changes nothing. "
        "Periods: the demo runs on the real date, which usually lies outside the city's application periods "
        "(the city profile's; Helsinki's: pre-primary 8.–21.1., first grade 12.–25.1., afternoon activities "
        "March–April). With --periods open "
        "(the default) a period of the coming school year that is not open today opened two weeks ago and stays "
        "open at least four more weeks, so a guardian can try every kind today and the queue has applications "
        "sent within the period; --periods city keeps the city's dates (then the coming year's pre-primary, "
        "first-grade and afternoon applications cannot be sent online before their period opens, and the queue "
        "has none of them yet). The year under way always keeps the real dates: applications for it are late."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2027, help="random seed (default 2027)")
        parser.add_argument(
            "--periods",
            choices=PERIOD_MODES,
            default="open",
            help="open (default): open around today; city: the city profile's dates",
        )
        parser.add_argument(
            "--per-kind", type=int, default=30, help="applications of each kind in the queue (default 30)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("demo services are never made in production")
        with transaction.atomic():
            lines = demo_services(seed=options["seed"], periods=options["periods"], per_kind=options["per_kind"])
        for line in lines:
            self.stdout.write(line)

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from asti.core import clock
from asti.offers import services
from asti.offers.models import OfferRound


class Command(BaseCommand):
    help = "Demo only: creates and allocates next year's pre-primary round unless one exists, ready for a planner."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("the demo round is never prepared in production")
        year = clock.today_helsinki().year + 1
        existing = OfferRound.objects.filter(year=year).first()
        if existing is not None:
            self.stdout.write(f"demo round: {existing} is {existing.status}")
            return
        offer_round = services.round_create(year=year, actor="demo")
        run = services.round_allocate(round_id=offer_round.pk, actor="demo")
        placed, kept, in_area, _ = run.result.objective
        self.stdout.write(
            f"demo round: {offer_round} allocated — {len(run.result.proposals)} eligible, {placed} placed, "
            f"{kept} keep their unit, {in_area} in their own area; send it from the staff pages"
        )

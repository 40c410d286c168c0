from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from asti.offers import services
from asti.offers.models import OfferRound
from asti.offers.selectors import round_stats


class Command(BaseCommand):
    help = "Pre-primary offer rounds: create, allocate (with --export), stats."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create the round for a pre-primary year")
        create.add_argument("--year", type=int, required=True)
        allocate = sub.add_parser("allocate", help="compute the proposals for every eligible child")
        allocate.add_argument("round_id", type=int)
        allocate.add_argument("--export", type=Path, help="write the proposals CSV here")
        stats = sub.add_parser("stats", help="the round's figures")
        stats.add_argument("round_id", type=int)
        stats.add_argument("--json", dest="as_json", action="store_true", help="one JSON object")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        actor = f"command:offer_round ({getpass.getuser()})"
        try:
            getattr(self, f"_{action}")(actor=actor, **options)
        except services.RoundError as exc:
            raise CommandError(str(exc)) from None

    def _create(self, *, actor: str, year: int, **_: Any) -> None:
        offer_round = services.round_create(year=year, actor=actor)
        self.stdout.write(f"created {offer_round} for children born in {offer_round.cohort_birth_year}")
        self.stdout.write(str(offer_round.pk))

    def _allocate(self, *, actor: str, round_id: int, export: Path | None, **_: Any) -> None:
        run = services.round_allocate(round_id=round_id, actor=actor)
        placed, kept, in_area, distance = run.result.objective
        eligible = len(run.result.proposals)
        self.stdout.write(
            f"eligible {eligible}, placed {placed}, kept current unit {kept}, in own area {in_area}, "
            f"total distance {distance / 1000:.1f} km"
        )
        self.stdout.write("timings: " + ", ".join(f"{k} {v:.3f} s" for k, v in run.timings.items()))
        if export:
            rows = services.proposals_export(round_id=round_id, path=export)
            self.stdout.write(f"wrote {rows} proposals to {export}")

    def _stats(self, *, round_id: int, as_json: bool, **_: Any) -> None:
        try:
            offer_round = OfferRound.objects.get(pk=round_id)
        except OfferRound.DoesNotExist:
            raise CommandError(f"no round with id {round_id}") from None
        figures = round_stats(offer_round=offer_round)
        if as_json:
            self.stdout.write(json.dumps(figures, ensure_ascii=False, sort_keys=True))
        else:
            for key, value in figures.items():
                self.stdout.write(f"{key}: {value}")

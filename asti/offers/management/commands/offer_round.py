from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from asti.offers import sending, services
from asti.offers.models import OfferRound
from asti.offers.selectors import round_stats


class Command(BaseCommand):
    help = "Pre-primary offer rounds: create, allocate (with --export), send, tick, stats."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create the round for a pre-primary year")
        create.add_argument("--year", type=int, required=True)
        allocate = sub.add_parser("allocate", help="compute the proposals for every eligible child")
        allocate.add_argument("round_id", type=int)
        allocate.add_argument("--export", type=Path, help="write the proposals CSV here")
        allocate.add_argument(
            "--proof-seconds",
            type=float,
            help="time the proof of optimality may take after the answer is chosen "
            "(default: ASTI_ALLOCATION_PROOF_SECONDS; the answer does not depend on it)",
        )
        send = sub.add_parser("send", help="queue the offers to guardians (the worker sends them)")
        send.add_argument("round_id", type=int)
        tick = sub.add_parser("tick", help="reminders before the deadline and the no-answer policy after it")
        tick.add_argument("round_id", type=int, nargs="?", help="default: every sent round")
        stats = sub.add_parser("stats", help="the round's figures")
        stats.add_argument("round_id", type=int)
        stats.add_argument("--json", dest="as_json", action="store_true", help="one JSON object")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        actor = f"command:offer_round ({getpass.getuser()})"
        try:
            getattr(self, f"_{action}")(actor=actor, **options)
        except (services.RoundError, sending.SendError) as exc:
            raise CommandError(str(exc)) from None

    def _create(self, *, actor: str, year: int, **_: Any) -> None:
        offer_round = services.round_create(year=year, actor=actor)
        self.stdout.write(f"created {offer_round} for children born in {offer_round.cohort_birth_year}")
        self.stdout.write(str(offer_round.pk))

    def _allocate(
        self, *, actor: str, round_id: int, export: Path | None, proof_seconds: float | None, **_: Any
    ) -> None:
        run = services.round_allocate(round_id=round_id, actor=actor, proof_seconds=proof_seconds)
        placed, kept, in_area, distance = run.result.objective
        eligible = len(run.result.proposals)
        self.stdout.write(
            f"eligible {eligible}, placed {placed}, kept current unit {kept}, in own area {in_area}, "
            f"total distance {distance / 1000:.1f} km"
        )
        if run.result.exact:
            self.stdout.write("proven optimal (placed, kept, own area, distance, in that order)")
        else:
            self.stdout.write("not proven optimal: " + "; ".join(run.result.notes))
        self.stdout.write("timings: " + ", ".join(f"{k} {v:.3f} s" for k, v in run.timings.items()))
        if export:
            rows = services.proposals_export(round_id=round_id, path=export, actor=actor)
            self.stdout.write(f"wrote {rows} proposals to {export}")

    def _send(self, *, actor: str, round_id: int, **_: Any) -> None:
        summary = sending.round_send(round_id=round_id, actor=actor)
        channels = ", ".join(f"{n} by {channel}" for channel, n in sorted(summary.messages_by_channel.items()))
        self.stdout.write(f"queued {summary.offers} offers: {channels or 'no messages'}")
        if summary.unreachable_families:
            self.stdout.write(f"{summary.unreachable_families} families have no phone or email: on the follow-up list")
        if summary.unplaced:
            self.stdout.write(f"{summary.unplaced} children have no proposed place and get no offer")

    def _tick(self, *, actor: str, round_id: int | None, **_: Any) -> None:
        for rid, (reminded, closed) in sending.rounds_tick(actor=actor, round_id=round_id).items():
            self.stdout.write(f"round {rid}: {reminded} reminded, {closed} closed at the deadline")

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

from __future__ import annotations

import datetime as dt
import getpass
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from asti.core import clock
from asti.decisions import services
from asti.decisions.models import DecisionBatch
from asti.offers.models import OfferRound


class Command(BaseCommand):
    help = "Decisions: prepare a round's batch, approve it as its decision-maker, release the batches that are due."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        prepare = sub.add_parser("prepare", help="decisions for a round's accepted offers and proposed applications")
        prepare.add_argument("round_id", type=int)
        prepare.add_argument("--decided-on", type=dt.date.fromisoformat, help="default: today")
        prepare.add_argument("--decision-maker", required=True, help='name and title, e.g. "Maija M, director"')
        prepare.add_argument("--decision-maker-username", required=True, help="the user who must approve it")
        prepare.add_argument("--background", action="store_true", help="leave the PDFs to the scheduler's job")
        approve = sub.add_parser("approve", help="approve a batch (as its decision-maker) and set its release")
        approve.add_argument("batch_id", type=int)
        approve.add_argument("--as", dest="approver", required=True)
        approve.add_argument("--release-at", type=dt.datetime.fromisoformat, help="ISO time; default: now")
        sub.add_parser("release-due", help="release every approved batch whose release time has come")
        sub.add_parser("list", help="the batches and their figures")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        actor = f"command:decisions ({getpass.getuser()})"
        try:
            getattr(self, "_" + action.replace("-", "_"))(actor=actor, **options)
        except (services.DecisionError, OfferRound.DoesNotExist, DecisionBatch.DoesNotExist) as exc:
            raise CommandError(str(exc)) from None

    def _prepare(self, *, actor: str, round_id: int, decided_on: dt.date | None, decision_maker: str,
                 decision_maker_username: str, background: bool, **_: Any) -> None:  # fmt: skip
        offer_round = OfferRound.objects.get(pk=round_id)
        started = time.perf_counter()
        prepared = services.decision_batch_prepare(
            title=f"{offer_round}", decided_on=decided_on or clock.today_helsinki(), decision_maker=decision_maker,
            decision_maker_username=decision_maker_username, prepared_by=actor, offer_round=offer_round,
            applications=services.decisions_pending_for(offer_round=offer_round),
        )  # fmt: skip
        took = time.perf_counter() - started
        self.stdout.write(
            f"prepared {prepared.decisions} decisions ({prepared.by_post} by post) in {took:.2f} s, "
            f"{prepared.decisions / max(took, 1e-9):.1f} decisions/s"
        )
        if not background:
            started = time.perf_counter()
            rendered = services.decision_batch_render(batch_id=prepared.batch.pk)
            took = time.perf_counter() - started
            self.stdout.write(f"rendered {rendered} PDFs in {took:.2f} s, {rendered / max(took, 1e-9):.1f} PDFs/s")
        self.stdout.write(str(prepared.batch.pk))

    def _approve(self, *, actor: str, batch_id: int, approver: str, release_at: dt.datetime | None, **_: Any) -> None:
        when = release_at or clock.now()
        if when.tzinfo is None:
            when = when.replace(tzinfo=clock.HELSINKI)
        batch = services.decision_batch_approve(batch_id=batch_id, approver=approver, release_at=when)
        self.stdout.write(f"approved {batch}; released at {batch.release_at:%Y-%m-%d %H:%M:%S %Z}")

    def _release_due(self, *, actor: str, **_: Any) -> None:
        started = time.perf_counter()
        released = services.decision_batches_release_due(actor=actor)
        took = time.perf_counter() - started
        self.stdout.write(f"released {len(released)} batches in {took:.2f} s: {released}")
        for batch_id in released:
            started = time.perf_counter()
            printed = services.decision_batch_print(batch_id=batch_id)
            self.stdout.write(
                f"print file of batch {batch_id}: {printed} decisions in {time.perf_counter() - started:.2f} s"
            )

    def _list(self, **_: Any) -> None:
        for batch in DecisionBatch.objects.order_by("-pk")[:50]:
            self.stdout.write(f"{batch.pk}\t{batch.status}\t{batch.title}\t{batch.figures}")

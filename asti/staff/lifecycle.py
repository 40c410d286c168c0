"""A round's lifecycle as the planners run it from the staff pages: which action the round's state allows now
(and why not), and starting the long ones as background jobs (asti.jobs), one at a time per round.

The domain services check the state again when the job runs (and audit what they do); this module decides what
the pages offer, and refuses clearly what the state forbids before anything is queued.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_stubs_ext import StrOrPromise

from asti.applications.models import SecondRoundPlacement
from asti.decisions.models import DecisionBatch
from asti.jobs.models import Job, JobStatus
from asti.jobs.services import job_enqueue
from asti.offers.models import Offer, OfferRound, OfferStatus, RoundStatus
from asti.offers.sending import round_close
from asti.staff.selectors import ROUND_JOB_KINDS
from asti.units.models import Unit

ALLOCATE = "offers.allocate"
SEND = "offers.send"
SECOND_ROUND = "applications.second_round"
OVERRIDE = "offers.override"
WHAT_IF = "offers.what_if"

ALLOWED: dict[str, tuple[RoundStatus, ...]] = {
    ALLOCATE: (RoundStatus.DRAFT, RoundStatus.ALLOCATED),
    SEND: (RoundStatus.ALLOCATED,),
    SECOND_ROUND: (RoundStatus.SENT, RoundStatus.CLOSED),
    OVERRIDE: (RoundStatus.DRAFT, RoundStatus.ALLOCATED),
}
DECISIONS_ALLOWED = (RoundStatus.SENT, RoundStatus.CLOSED)

REFUSALS: dict[str, StrOrPromise] = {
    ALLOCATE: _("The round has been sent: its places can no longer be allocated again."),
    SEND: _("Only an allocated round can be sent, once."),
    SECOND_ROUND: _("The second round can be run only after the round has been sent."),
    OVERRIDE: _("The round has been sent; its proposals can no longer change."),
}


class ActionRefused(Exception):
    """What the round's state forbids, in words for the planner."""

    def __init__(self, message: StrOrPromise) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class RoundActions:
    allocate: bool
    reallocate: bool
    send: bool
    close: bool
    open_offers: int
    second_round: bool
    second_round_to_confirm: int
    decisions: bool
    running: Job | None


def round_job_running(*, offer_round: OfferRound) -> Job | None:
    """The round's job that is waiting or running, if any (a round runs one long action at a time)."""
    return (
        Job.objects.filter(
            kind__in=ROUND_JOB_KINDS, params__round=offer_round.pk, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
        )
        .order_by("created_at", "pk")
        .first()
    )


def round_jobs(*, offer_round: OfferRound, limit: int = 5) -> list[Job]:
    return list(Job.objects.filter(kind__in=ROUND_JOB_KINDS, params__round=offer_round.pk)[:limit])


def open_offers(*, offer_round: OfferRound) -> int:
    return Offer.objects.filter(round=offer_round, status=OfferStatus.OPEN).count()


def close_refusal(n: int) -> str:
    return ngettext(
        "The round cannot be closed yet: %(n)d offer is still open. The round closes itself after the deadline.",
        "The round cannot be closed yet: %(n)d offers are still open. The round closes itself after the deadline.",
        n,
    ) % {"n": n}


def round_actions(*, offer_round: OfferRound) -> RoundActions:
    status = offer_round.status
    running = round_job_running(offer_round=offer_round)
    is_open = open_offers(offer_round=offer_round) if status == RoundStatus.SENT else 0
    to_confirm = (
        SecondRoundPlacement.objects.filter(offer_round=offer_round, confirmed_at__isnull=True).count()
        if status in ALLOWED[SECOND_ROUND]
        else 0
    )
    return RoundActions(
        allocate=status == RoundStatus.DRAFT,
        reallocate=status == RoundStatus.ALLOCATED,
        send=status == RoundStatus.ALLOCATED,
        close=status == RoundStatus.SENT and is_open == 0,
        open_offers=is_open,
        second_round=status in ALLOWED[SECOND_ROUND],
        second_round_to_confirm=to_confirm,
        decisions=status in DECISIONS_ALLOWED,
        running=running,
    )


def round_job_start(*, round_id: int, kind: str, actor: str, params: dict[str, Any] | None = None) -> Job:
    """Queues the round's long action for the scheduler; refused when the round's state forbids it or another
    action of the round is still waiting or running. `params` are the action's own (an override's child)."""
    with transaction.atomic():
        offer_round = OfferRound.objects.select_for_update().filter(pk=round_id).first()
        if offer_round is None:
            raise ActionRefused(_("No such round."))
        if offer_round.status not in ALLOWED[kind]:
            raise ActionRefused(REFUSALS[kind])
        if round_job_running(offer_round=offer_round) is not None:
            raise ActionRefused(_("Another action of this round is still running. Wait until it has finished."))
        return job_enqueue(
            kind=kind, params={**(params or {}), "round": offer_round.pk, "actor": actor}, created_by=actor
        )


def what_if_start(*, round_id: int, changes: dict[str, int], actor: str) -> Job:
    """Queues a capacity what-if: it reads the round and stores nothing but its result, so it runs beside the
    round's own actions."""
    if not OfferRound.objects.filter(pk=round_id).exists():
        raise ActionRefused(_("No such round."))
    if not changes:
        raise ActionRefused(_("Give at least one unit a new capacity."))
    return job_enqueue(kind=WHAT_IF, params={"round": round_id, "actor": actor, "changes": changes}, created_by=actor)


def round_close_now(*, round_id: int, actor: str) -> None:
    """Closes a sent round whose offers are all answered or settled at the deadline (round_close audits it)."""
    offer_round = OfferRound.objects.filter(pk=round_id).first()
    if offer_round is None:
        raise ActionRefused(_("No such round."))
    if offer_round.status != RoundStatus.SENT:
        raise ActionRefused(_("Only a sent round can be closed."))
    if not round_close(round_id=round_id, actor=actor):
        raise ActionRefused(close_refusal(open_offers(offer_round=offer_round)))


def batch_jobs(*, batch: DecisionBatch) -> dict[str, Job | None]:
    """The latest render and print jobs of a batch."""
    jobs = Job.objects.filter(params__batch=batch.pk)
    return {
        "render": jobs.filter(kind="decisions.render").order_by("-created_at", "-pk").first(),
        "print": jobs.filter(kind="decisions.print").order_by("-created_at", "-pk").first(),
    }


def what_if_capacities(job: Job) -> list[tuple[str, int, int]] | None:
    """A what-if job's capacities as tried: (unit name, capacity now, capacity tried), by name; None for other
    jobs."""
    if job.kind != WHAT_IF:
        return None
    changes = {str(k): int(v) for k, v in dict(job.params.get("changes", {})).items()}
    units = Unit.objects.filter(unit_id__in=changes).order_by("name_fi")
    return [(unit.name_fi, unit.pre_primary_capacity, changes[unit.unit_id]) for unit in units]

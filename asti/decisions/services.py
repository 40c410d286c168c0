"""Writes for decisions: a batch is prepared (texts and PDFs frozen), approved by the decision-maker it names,
and released to every family at one instant.

    prepared ─approve(decision-maker, release instant)→ approved ─release (at or after the instant)→ released

Release is one transaction: the batch's release instant becomes its `released_at`, every decision gets its
sending, service and rectification dates, applications become decided (on their timelines), prompts go to the
guardians who get decisions electronically (queued for the release instant, with no personal data) and the
decisions sent by post are gathered into one print file. No family sees a decision before the release instant:
the guardian's selector asks for `released_at <= now`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from asti.applications.models import Application, ApplicationEvent, ApplicationStatus, EventKind
from asti.audit.services import audit_log
from asti.core import clock
from asti.decisions import rules
from asti.decisions.content import NUMBER_PREFIX, Subject, content_for, subjects_for_application, subjects_for_offer
from asti.decisions.models import BatchStatus, Decision, DecisionBatch, DecisionKind, Delivery, DeliveryConsent
from asti.decisions.pdf import decision_pdfs, render_pdf
from asti.jobs.registry import Progress
from asti.jobs.services import job_enqueue
from asti.messaging.models import Lane
from asti.messaging.services import OutgoingMessage, message_enqueue_bulk, outgoing_to_guardian
from asti.offers.models import Offer, OfferRound, OfferStatus
from asti.offers.sending import active_guardians
from asti.people.models import Guardian


class DecisionError(Exception):
    pass


@dataclass(frozen=True)
class Prepared:
    batch: DecisionBatch
    decisions: int
    by_post: int


def consenting_guardians(guardian_ids: Iterable[int]) -> set[int]:
    return set(
        DeliveryConsent.objects.filter(guardian_id__in=list(guardian_ids), withdrawn_at__isnull=True).values_list(
            "guardian_id", flat=True
        )
    )


def delivery_consent_set(*, guardian: Guardian, consent: bool, actor: str) -> None:
    """A guardian agrees to (or withdraws from) electronic service of decisions."""
    now = clock.now()
    with transaction.atomic():
        if consent:
            DeliveryConsent.objects.update_or_create(
                guardian=guardian, defaults={"given_at": now, "withdrawn_at": None}
            )
        else:
            DeliveryConsent.objects.filter(guardian=guardian, withdrawn_at__isnull=True).update(withdrawn_at=now)
        audit_log(
            actor=actor, operation="DELIVERY_CONSENT", target_type="guardian", target_id=guardian.guardian_id,
            details={"consent": consent},
        )  # fmt: skip


def _subjects(offer_round: OfferRound | None, applications: Iterable[Application]) -> list[Subject]:
    subjects: list[Subject] = []
    if offer_round is not None:
        offers = (
            Offer.objects.filter(round=offer_round, status__in=[OfferStatus.ACCEPTED, OfferStatus.AUTO_ACCEPTED])
            .exclude(decisions__isnull=False)
            .select_related("child", "unit", "round", "proposal")
            .order_by("child__child_id")
        )
        for offer in offers:
            subjects += subjects_for_offer(offer)
    fresh = (
        Application.objects.filter(pk__in=[a.pk for a in applications], status=ApplicationStatus.PLACE_PROPOSED)
        .exclude(decisions__isnull=False)
        .select_related("child", "proposed_unit", "proposed_school")
        .prefetch_related("wishes")
        .order_by("pk")
    )
    for application in fresh:
        subjects += subjects_for_application(application)
    return subjects


def decisions_pending_for(*, offer_round: OfferRound) -> list[Application]:
    """Applications with a proposed place for the round's year (pre-primary) or of any kind, without a decision."""
    return list(
        Application.objects.filter(status=ApplicationStatus.PLACE_PROPOSED)
        .filter(Q(school_year=offer_round.year) | Q(school_year__isnull=True))
        .exclude(decisions__isnull=False)
        .only("pk")
        .order_by("pk")
    )


def decision_batch_prepare(
    *,
    title: str,
    decided_on: dt.date,
    decision_maker: str,
    decision_maker_username: str,
    prepared_by: str,
    offer_round: OfferRound | None = None,
    applications: Iterable[Application] = (),
) -> Prepared:
    """Makes the decisions of a round's accepted offers and of the given applications with a proposed place, in
    one transaction, and queues the rendering of their PDFs (`decisions.render`, a background job with progress:
    a round's thousands take minutes). Nobody sees them until the batch is approved and released."""
    subjects = _subjects(offer_round, list(applications))
    if not subjects:
        raise DecisionError("nothing to decide: no accepted offers or proposed places without a decision")
    families = active_guardians(sorted({s.child.pk for s in subjects}))
    consenting = consenting_guardians(g.pk for gs in families.values() for g in gs)
    with transaction.atomic():
        batch = DecisionBatch.objects.create(
            title=title[:200], offer_round=offer_round, decided_on=decided_on, prepared_by=prepared_by,
            decision_maker=decision_maker, decision_maker_username=decision_maker_username,
        )  # fmt: skip
        rows: list[Decision] = []
        for i, subject in enumerate(subjects, start=1):
            guardians = families.get(subject.child.pk, [])
            number = f"{NUMBER_PREFIX[DecisionKind(subject.kind)]}-{decided_on.year}-{batch.pk:03d}-{i:05d}"
            content = content_for(subject, guardians=guardians, decided_on=decided_on, decision_maker=decision_maker)
            content["translation"] = any(g.language == "en" for g in guardians)
            recipients = [
                {"guardian": g.pk, "name": g.full_name,
                 "delivery": Delivery.ELECTRONIC if g.pk in consenting else Delivery.POST}
                for g in guardians
            ]  # fmt: skip
            by_post = not recipients or any(r["delivery"] == Delivery.POST for r in recipients)
            decision = Decision(
                batch=batch, number=number, kind=subject.kind, child=subject.child, offer=subject.offer,
                application=subject.application, language=content["language"], unit_name=subject.unit_name,
                unit_address=subject.unit_address, period_start=subject.period_start,
                period_end=subject.period_end, daily_hours=subject.daily_hours, content=content,
                recipients=recipients, delivery=Delivery.POST if by_post else Delivery.ELECTRONIC,
            )  # fmt: skip
            rows.append(decision)
        Decision.objects.bulk_create(rows, batch_size=500)
        post = sum(1 for d in rows if d.delivery == Delivery.POST)
        batch.figures = {"decisions": len(rows), "by_post": post, "electronic": len(rows) - post, "rendered": 0}
        batch.save(update_fields=["figures", "updated_at"])
        job = job_enqueue(kind="decisions.render", params={"batch": batch.pk}, created_by=prepared_by)
        audit_log(
            actor=prepared_by, operation="DECISIONS_PREPARE", target_type="decision_batch", target_id=str(batch.pk),
            details={**batch.figures, "job": job.pk},
        )  # fmt: skip
    return Prepared(batch=batch, decisions=len(rows), by_post=post)


RENDER_CHUNK = 200


def decision_batch_render(*, batch_id: int, progress: Progress | None = None) -> int:
    """Renders the PDFs of the batch's decisions that have none yet (in worker processes, a chunk at a time, each
    chunk stored before the next): resumable after a crash, and a re-run renders nothing twice. Returns how
    many it rendered."""
    total = Decision.objects.filter(batch_id=batch_id).count()
    rendered = 0
    while True:
        chunk = list(Decision.objects.filter(batch_id=batch_id, pdf_sha256="").order_by("pk")[:RENDER_CHUNK])
        if not chunk:
            break
        items = [(d.content, d.number, bool(d.content.get("translation"))) for d in chunk]
        pdfs = decision_pdfs(items, workers=settings.ASTI_DECISION_PDF_WORKERS)
        for decision, pdf in zip(chunk, pdfs, strict=True):
            decision.pdf.save(f"{decision.number}-{secrets.token_hex(8)}.pdf", ContentFile(pdf), save=False)
            updated = Decision.objects.filter(pk=decision.pk, pdf_sha256="").update(
                pdf=decision.pdf.name, pdf_sha256=hashlib.sha256(pdf).hexdigest()
            )
            if updated == 0:  # another run stored this one first
                decision.pdf.delete(save=False)
        rendered += len(chunk)
        done = total - Decision.objects.filter(batch_id=batch_id, pdf_sha256="").count()
        DecisionBatch.objects.filter(pk=batch_id).update(updated_at=clock.now())
        if progress is not None:
            progress(done, total, f"{done} / {total}")
    batch = DecisionBatch.objects.get(pk=batch_id)
    batch.figures = {**batch.figures, "rendered": total}
    batch.save(update_fields=["figures", "updated_at"])
    return rendered


def batch_ready_for_approval(batch: DecisionBatch) -> bool:
    return not batch.decisions.filter(pdf_sha256="").exists()


def decision_batch_approve(*, batch_id: int, approver: str, release_at: dt.datetime) -> DecisionBatch:
    """The decision-maker named in the batch approves it, and sets the one instant it is released to families."""
    with transaction.atomic():
        batch = DecisionBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status != BatchStatus.PREPARED:
            raise DecisionError(f"batch {batch_id} is {batch.status}, not waiting for approval")
        if approver != batch.decision_maker_username:
            raise DecisionError("only the decision-maker named in the batch may approve it")
        if not batch_ready_for_approval(batch):
            raise DecisionError("the decisions' documents are still being made; approve when they are ready")
        now = clock.now()
        batch.status = BatchStatus.APPROVED
        batch.approved_by = approver
        batch.approved_at = now
        batch.release_at = max(release_at, now)
        batch.save(update_fields=["status", "approved_by", "approved_at", "release_at", "updated_at"])
        audit_log(
            actor=approver, operation="DECISIONS_APPROVE", target_type="decision_batch", target_id=str(batch.pk),
            details={"release_at": batch.release_at.isoformat()},
        )  # fmt: skip
        return batch


def _prompt(decision: Decision, guardian: Guardian, release_at: dt.datetime) -> OutgoingMessage | None:
    link = settings.ASTI_PUBLIC_BASE_URL.rstrip("/") + reverse("citizen:front")
    return outgoing_to_guardian(
        guardian, template_key="decisions.ready", language=guardian.language, context={"link": link},
        lane=Lane.BULK, subject_type="decision", subject_id=str(decision.pk), not_before=release_at,
        follow_up_on_failure=True,
    )  # fmt: skip


def decision_batch_print(*, batch_id: int, progress: Progress | None = None) -> int:
    """Builds the print service's file of a released batch (the decisions sent by post, each after a cover page
    per postal recipient); returns the number of decisions in it."""
    batch = DecisionBatch.objects.get(pk=batch_id)
    if batch.status != BatchStatus.RELEASED:
        raise DecisionError(f"batch {batch_id} is not released")
    if batch.print_file:
        return int(batch.figures.get("printed", 0))  # built already
    postal = [
        d for d in batch.decisions.order_by("number") if any(r["delivery"] == Delivery.POST for r in d.recipients)
    ]
    if not postal:
        return 0
    content = _print_file(postal, progress)
    batch.print_file.save(f"print-{batch.pk}-{secrets.token_hex(8)}.pdf", ContentFile(content), save=False)
    DecisionBatch.objects.filter(pk=batch.pk).update(print_file=batch.print_file.name, updated_at=clock.now())
    return len(postal)


def _print_file(decisions: list[Decision], progress: Progress | None = None) -> bytes:
    """One PDF for the print service: for each decision sent by post, a cover page per guardian served by post
    (no address of a person under non-disclosure: the registry forwards those letters) and the decision."""
    from pypdf import PdfReader, PdfWriter

    guardians = {
        g.pk: g for g in Guardian.objects.filter(pk__in=[r["guardian"] for d in decisions for r in d.recipients])
    }
    writer = PdfWriter()
    for n, decision in enumerate(decisions, start=1):
        if progress is not None and n % 50 == 0:
            progress(n, len(decisions), f"{n} / {len(decisions)}")
        with decision.pdf.open("rb") as stored:
            body = stored.read()
        for recipient in decision.recipients:
            if recipient["delivery"] != Delivery.POST:
                continue
            cover = render_pdf(_cover_html(decision, guardians[recipient["guardian"]]))
            for source in (cover, body):
                for page in PdfReader(io.BytesIO(source)).pages:
                    writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _cover_html(decision: Decision, guardian: Guardian) -> str:
    from django.template.loader import render_to_string

    protected = guardian.non_disclosure
    return render_to_string(
        "decisions/cover.html",
        {
            "language": decision.language,
            "name": guardian.full_name,
            "address": "" if protected else guardian.street_address,
            "postal_code": "" if protected else guardian.postal_code,
            "protected": protected,
            "number": decision.number,
        },
    )


def decision_batch_release(*, batch_id: int, actor: str) -> DecisionBatch:
    """Releases an approved batch whose release instant has come; calling it again changes nothing."""
    with transaction.atomic():
        batch = DecisionBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status == BatchStatus.RELEASED:
            return batch
        now = clock.now()
        if batch.status != BatchStatus.APPROVED or batch.release_at is None or batch.release_at > now:
            raise DecisionError(f"batch {batch_id} is not approved for release by now")
        released = batch.release_at
        sent_on = released.astimezone(clock.HELSINKI).date()
        decisions = list(batch.decisions.select_related("child").order_by("number"))
        for delivery in Delivery.values:
            served = rules.served_on(sent_on=sent_on, delivery=delivery)
            Decision.objects.filter(batch=batch, delivery=delivery).update(
                sent_on=sent_on, served_on=served, rectification_deadline=rules.rectification_deadline(served=served)
            )
        application_ids = sorted({d.application_id for d in decisions if d.application_id is not None})
        Application.objects.filter(pk__in=application_ids).update(status=ApplicationStatus.DECIDED, updated_at=now)
        ApplicationEvent.objects.bulk_create(
            [
                ApplicationEvent(
                    application_id=pk, at=released, kind=EventKind.DECIDED, actor=actor, details={"batch": batch.pk}
                )
                for pk in application_ids
            ]
        )
        families = active_guardians(sorted({d.child_id for d in decisions}))
        prompts: list[OutgoingMessage] = []
        for decision in decisions:
            electronic = {r["guardian"] for r in decision.recipients if r["delivery"] == Delivery.ELECTRONIC}
            for guardian in families.get(decision.child_id, []):
                message = _prompt(decision, guardian, released) if guardian.pk in electronic else None
                if message is not None:
                    prompts.append(message)
        message_enqueue_bulk(messages=prompts)
        postal = [d for d in decisions if any(r["delivery"] == Delivery.POST for r in d.recipients)]
        if postal:
            job_enqueue(kind="decisions.print", params={"batch": batch.pk}, created_by=actor)
        batch.status = BatchStatus.RELEASED
        batch.released_at = released
        batch.figures = {**batch.figures, "prompts": len(prompts), "printed": len(postal)}
        batch.save(update_fields=["status", "released_at", "figures", "updated_at"])
        audit_log(
            actor=actor, operation="DECISIONS_RELEASE", target_type="decision_batch", target_id=str(batch.pk),
            details={"decisions": len(decisions), "prompts": len(prompts), "printed": len(postal)},
        )  # fmt: skip
        return batch


def decision_batches_release_due(*, actor: str) -> list[int]:
    """Every approved batch whose release instant has come (the scheduler calls this)."""
    due = DecisionBatch.objects.filter(status=BatchStatus.APPROVED, release_at__lte=clock.now()).values_list(
        "pk", flat=True
    )
    return [decision_batch_release(batch_id=pk, actor=actor).pk for pk in list(due)]

"""The retention purge removes what has outlived its period and keeps the rest: unexpired rows, official records
(sent applications, offers and their answers), open follow-ups; a dry run changes nothing; a second run finds
nothing; each run is audited with counts only; the scheduler runs it."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import DatabaseError
from django.test import override_settings

from asti.applications.models import Application, ApplicationStatus, Attachment
from asti.audit.models import AuditEvent
from asti.conversations.models import AuthorKind, CallNote, Origin, Thread, ThreadAttachment, ThreadMessage
from asti.core import clock
from asti.identity.models import CitizenIdentity, Loa, LoginMethod
from asti.jobs.registry import PERIODIC
from asti.messaging.models import FollowUp, InboundMessage, Message
from asti.offers.models import Feedback, Offer, OfferRound, OfferStatus
from asti.privacy import retention
from asti.privacy.retention import purge_expired, retention_periods
from tests.citizen.conftest import sent_round  # noqa: F401 (a fixture)
from tests.conftest import db_snapshot

pytestmark = pytest.mark.django_db

YEARS_AGO = dt.timedelta(days=3 * 365)
NOW = dt.timedelta(0)


def _at(age: dt.timedelta) -> dt.datetime:
    return clock.now() - age


def _inbound(offer: Offer, age: dt.timedelta, n: int) -> InboundMessage:
    g = offer.child.guardians.first()
    return InboundMessage.objects.create(
        gateway="kannel", gateway_id=f"t{n}", sender=g.phone if g else "+358401", receiver="+35850", text="KYLLÄ",
        raw={"p": "x"}, received_at=_at(age), guardian=g, handling_result="accepted",
    )  # fmt: skip


def _thread(offer: Offer, age: dt.timedelta) -> Thread:
    g = offer.child.guardians.first()
    thread = Thread.objects.create(
        title="Kysymys", child=offer.child, guardian=g, origin=Origin.PORTAL, created_at=_at(age),
        last_message_at=_at(age),
    )  # fmt: skip
    message = ThreadMessage.objects.create(
        thread=thread, at=_at(age), author_kind=AuthorKind.GUARDIAN, guardian=g, body="Lapsen allergia"
    )
    attachment = ThreadAttachment(
        message=message, original_name="a.pdf", content_type="application/pdf", size=4, sha256="0" * 64,
        uploaded_by="guardian", uploaded_at=_at(age),
    )  # fmt: skip
    attachment.file.save("a.pdf", ContentFile(b"%PDF"), save=False)
    attachment.save()
    return thread


def _draft(offer: Offer, age: dt.timedelta, status: str = ApplicationStatus.DRAFT) -> Application:
    g = offer.child.guardians.first()
    assert g is not None
    application = Application.objects.create(child=offer.child, guardian=g, status=status, language="fi")
    attachment = Attachment(application=application, original_name="b.pdf", content_type="application/pdf",
                            size=4, sha256="0" * 64, uploaded_by="guardian", uploaded_at=_at(age))  # fmt: skip
    attachment.file.save("b.pdf", ContentFile(b"%PDF"), save=False)
    attachment.save()
    Application.objects.filter(pk=application.pk).update(updated_at=_at(age))
    return application


@pytest.fixture
def aged(sent_round: OfferRound, settings: Any, tmp_path: Path) -> dict[str, Any]:  # noqa: F811
    """Rows of every purged kind, each once expired and once within its period."""
    settings.MEDIA_ROOT = str(tmp_path)
    offers = list(Offer.objects.filter(round=sent_round).select_related("child").order_by("pk")[:2])
    old_offer, new_offer = offers
    old_messages = Message.objects.filter(subject_id=str(old_offer.pk))
    assert old_messages.exists()
    old_messages.update(created_at=_at(YEARS_AGO), status="delivered")
    Offer.objects.filter(pk=old_offer.pk).update(status=OfferStatus.ACCEPTED, answered_at=_at(YEARS_AGO))
    g = old_offer.child.guardians.first()
    rows: dict[str, Any] = {
        "old_offer": old_offer, "new_offer": new_offer,
        "old_inbound": _inbound(old_offer, YEARS_AGO, 1), "new_inbound": _inbound(new_offer, NOW, 2),
        "old_thread": _thread(old_offer, YEARS_AGO), "new_thread": _thread(new_offer, NOW),
        "old_draft": _draft(old_offer, YEARS_AGO), "new_draft": _draft(new_offer, NOW),
        "old_sent": _draft(old_offer, YEARS_AGO, ApplicationStatus.SENT),
        "old_feedback": Feedback.objects.create(offer=old_offer, guardian=g, score=5, comment="Hyvä",
                                                given_at=_at(YEARS_AGO)),
        "new_feedback": Feedback.objects.create(offer=new_offer, guardian=new_offer.child.guardians.first(),
                                                score=4, comment="Ok", given_at=_at(NOW)),
        "old_note": CallNote.objects.create(child=old_offer.child, text="x", written_by="p", written_at=_at(YEARS_AGO)),
        "new_note": CallNote.objects.create(child=new_offer.child, text="x", written_by="p", written_at=_at(NOW)),
    }  # fmt: skip
    rows["resolved"] = FollowUp.objects.create(
        created_at=_at(YEARS_AGO), reason="unclear_reply", guardian=g, inbound=rows["old_inbound"],
        resolved_at=_at(YEARS_AGO), resolution_note="soitettu",
    )  # fmt: skip
    rows["open"] = FollowUp.objects.create(created_at=_at(YEARS_AGO), reason="no_answer", guardian=g)
    for name, age, active in (("old_login", YEARS_AGO, True), ("new_login", NOW, True), ("disabled", YEARS_AGO, False)):
        user = User.objects.create_user(username=f"citizen-{name}", first_name="Maria", is_active=active)
        CitizenIdentity.objects.create(user=user, hetu_digest=name, last_loa=Loa.SUBSTANTIAL,
                                       last_method=LoginMethod.DEMO, last_login_at=_at(age))  # fmt: skip
        rows[name] = user
    rows["old_event"] = AuditEvent.objects.create(at=_at(dt.timedelta(days=6 * 365)), actor="p", operation="VIEW")
    rows["new_event"] = AuditEvent.objects.create(at=_at(NOW), actor="p", operation="VIEW")
    return rows


def test_a_dry_run_counts_and_changes_nothing(aged: dict[str, Any]) -> None:
    before = db_snapshot()
    events = AuditEvent.objects.count()
    out = StringIO()
    call_command("purge_expired", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "messaging.Message: " in text and "would be anonymised" in text
    # the old thread, and the one the old unclear reply began (its follow-up opened it)
    assert "conversations.Thread: 2 would be deleted" in text
    assert "applications.Application: 1 would be deleted" in text
    assert "audit.AuditEvent: 1 would be deleted" in text
    assert db_snapshot() == before and AuditEvent.objects.count() == events
    assert all(Path(a.file.path).exists() for a in ThreadAttachment.objects.all())


@override_settings(ASTI_RETENTION_BATCH_SIZE=2)
def test_the_purge_removes_what_expired_and_keeps_the_rest(
    aged: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    old_files = [Path(a.file.path) for a in ThreadAttachment.objects.filter(message__thread=aged["old_thread"])]
    old_files += [Path(a.file.path) for a in Attachment.objects.filter(application=aged["old_draft"])]
    kept_files = [Path(a.file.path) for a in ThreadAttachment.objects.filter(message__thread=aged["new_thread"])]
    kept_files += [Path(a.file.path) for a in Attachment.objects.filter(application=aged["old_sent"])]
    old_count = Message.objects.filter(subject_id=str(aged["old_offer"].pk)).count()
    with django_capture_on_commit_callbacks(execute=True):
        result = purge_expired(actor="test")
    # messages: the old ones anonymised (batches of 2), the row and its delivery state kept; the new ones untouched
    old = Message.objects.filter(subject_id=str(aged["old_offer"].pk))
    assert old.count() == old_count and result.rows["messaging.Message anonymised"] == old_count
    assert set(old.values_list("body", "recipient", "subject")) == {("", "", "")}
    assert set(old.values_list("status", flat=True)) == {"delivered"}
    assert Message.objects.filter(subject_id=str(aged["new_offer"].pk)).exclude(body="").exists()
    # the reply's words and number gone, what it did kept; the offer's answer untouched
    old_in = InboundMessage.objects.get(pk=aged["old_inbound"].pk)
    assert (old_in.text, old_in.sender, old_in.raw, old_in.handling_result) == ("", "", {}, "accepted")
    assert InboundMessage.objects.get(pk=aged["new_inbound"].pk).text == "KYLLÄ"
    assert Offer.objects.get(pk=aged["old_offer"].pk).status == OfferStatus.ACCEPTED
    # follow-ups: the resolved one deleted, the open one kept however old
    assert not FollowUp.objects.filter(pk=aged["resolved"].pk).exists()
    assert FollowUp.objects.filter(pk=aged["open"].pk).exists()
    # conversations and notes; drafts deleted with their files; a sent application kept with its file
    assert not Thread.objects.filter(pk=aged["old_thread"].pk).exists()
    assert Thread.objects.filter(pk=aged["new_thread"].pk).exists()
    assert not CallNote.objects.filter(pk=aged["old_note"].pk).exists()
    assert CallNote.objects.filter(pk=aged["new_note"].pk).exists()
    assert not Application.objects.filter(pk=aged["old_draft"].pk).exists()
    assert Application.objects.filter(pk__in=[aged["new_draft"].pk, aged["old_sent"].pk]).count() == 2
    assert not any(p.exists() for p in old_files) and all(p.exists() for p in kept_files)
    # feedback: the comment gone, the score kept
    assert Feedback.objects.get(pk=aged["old_feedback"].pk).comment == ""
    assert Feedback.objects.get(pk=aged["old_feedback"].pk).score == 5
    assert Feedback.objects.get(pk=aged["new_feedback"].pk).comment == "Ok"
    # a login unused for the period goes with its user; a recent or disabled one stays
    assert not User.objects.filter(pk=aged["old_login"].pk).exists()
    assert User.objects.filter(pk__in=[aged["new_login"].pk, aged["disabled"].pk]).count() == 2
    assert CitizenIdentity.objects.count() == 2
    # the audit trail by its own rule; the run itself audited with counts only
    assert not AuditEvent.objects.filter(pk=aged["old_event"].pk).exists()
    assert AuditEvent.objects.filter(pk=aged["new_event"].pk).exists()
    event = AuditEvent.objects.get(operation="RETENTION_PURGE")
    assert event.actor == "test" and event.details["rows"]["conversations.Thread deleted"] == 2
    assert "KYLLÄ" not in str(event.details) and "Lapsen" not in str(event.details)
    # idempotent: nothing left to do, nothing audited again
    with django_capture_on_commit_callbacks(execute=True):
        again = purge_expired(actor="test")
    assert again.total == 0 and AuditEvent.objects.filter(operation="RETENTION_PURGE").count() == 1


def test_a_failing_rule_leaves_the_others_done_audited_and_raised(
    aged: dict[str, Any], monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    """In production the trail's role may not delete: the other rules still run, and the run says what failed."""

    def refused(cut: dt.datetime) -> Any:
        raise DatabaseError("permission denied for table audit_auditevent")

    real = retention.rules
    monkeypatch.setattr(
        retention, "rules", lambda: [replace(r, expired=refused) if r.key == "audit" else r for r in real()]
    )
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(retention.PurgeFailed, match="permission"):
        purge_expired(actor="test")
    assert not Thread.objects.filter(pk=aged["old_thread"].pk).exists()
    assert AuditEvent.objects.filter(pk=aged["old_event"].pk).exists()
    event = AuditEvent.objects.get(operation="RETENTION_PURGE")
    assert event.status == "FAILED" and "permission denied" in event.details["failed"]["audit.AuditEvent"]
    assert event.details["rows"]["conversations.Thread deleted"] == 2


def test_a_rule_set_to_zero_keeps_its_rows(aged: dict[str, Any], settings: Any) -> None:
    settings.ASTI_RETENTION_CONVERSATION_DAYS = 0
    result = purge_expired(actor="test", dry_run=True)
    assert "conversations.Thread deleted" not in result.rows and retention_periods()["conversation"] == 0
    assert result.rows["messaging.Message anonymised"] > 0


def test_the_scheduler_runs_the_purge_daily() -> None:
    spec = PERIODIC["privacy.purge"]
    assert spec.every == dt.timedelta(hours=24)
    assert spec.run() == {"removed": 0}

"""Erasing a guardian: everything held only for messaging and guidance goes, all or nothing; what also belongs to
the other custodian stays with the link emptied; official records (sent applications, offers, decisions) refuse it
with the reason; a test family goes entirely; each erasure and refusal is audited with counts only."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from asti.applications.models import Application, ApplicationStatus, Attachment
from asti.audit.models import AuditEvent
from asti.conversations.models import AuthorKind, CallNote, Origin, Thread, ThreadMessage
from asti.core import clock
from asti.decisions.models import DeliveryConsent
from asti.identity.models import CitizenIdentity, Loa, LoginMethod
from asti.messaging.models import FollowUp, InboundMessage, Message
from asti.offers.models import Offer, OfferRound
from asti.people.models import Child, Custody, Guardian
from asti.privacy import erasure
from tests.citizen.conftest import sent_round  # noqa: F401 (a fixture)
from tests.conftest import db_snapshot
from tests.factories import CHECK, ChildFactory, CustodyFactory, GuardianFactory

pytestmark = pytest.mark.django_db


def permanent_hetu(head: str = "010185", number: str = "123") -> str:
    return f"{head}-{number}{CHECK[int(head + number) % 31]}"


def _message(g: Guardian) -> Message:
    now = clock.now()
    return Message.objects.create(
        channel="sms", status="delivered", recipient=g.phone, language="fi", template_key="conversations.new_message",
        template_version="x", body="Uusi viesti", guardian=g, next_attempt_at=now, created_at=now,
    )  # fmt: skip


@pytest.fixture
def family(settings: Any, tmp_path: Path) -> dict[str, Any]:
    """A guardian Asti knows only through messages: a child shared with another custodian, a child of their own."""
    settings.MEDIA_ROOT = str(tmp_path)
    now = clock.now()
    g, other = GuardianFactory(), GuardianFactory()
    shared, own = ChildFactory(), ChildFactory()
    CustodyFactory(child=shared, guardian=g)
    CustodyFactory(child=shared, guardian=other)
    CustodyFactory(child=own, guardian=g)
    message = _message(g)
    inbound = InboundMessage.objects.create(
        gateway="kannel", gateway_id="1", sender=g.phone, text="Kiitos", received_at=now, guardian=g, answer=message
    )
    follow_up = FollowUp.objects.create(created_at=now, reason="unreachable", guardian=g, message=message)
    shared_thread = Thread.objects.create(
        title="Allergia", child=shared, guardian=g, origin=Origin.SMS_REPLY, created_at=now, last_message_at=now,
        follow_up=follow_up,
    )  # fmt: skip
    written = ThreadMessage.objects.create(
        thread=shared_thread, at=now, author_kind=AuthorKind.GUARDIAN, guardian=g, body="Kiitos", inbound=inbound
    )
    answer = ThreadMessage.objects.create(thread=shared_thread, at=now, author_kind=AuthorKind.STAFF, body="Selvä")
    alone = Thread.objects.create(title="Oma", guardian=g, origin=Origin.PORTAL, created_at=now, last_message_at=now)
    ThreadMessage.objects.create(thread=alone, at=now, author_kind=AuthorKind.GUARDIAN, guardian=g, body="Hei")
    own_note = CallNote.objects.create(child=own, guardian=g, text="soitti", written_by="p", written_at=now)
    draft = Application.objects.create(child=shared, guardian=g, status=ApplicationStatus.DRAFT, language="fi")
    attachment = Attachment(application=draft, original_name="b.pdf", content_type="application/pdf", size=4,
                            sha256="0" * 64, uploaded_by="guardian", uploaded_at=now)  # fmt: skip
    attachment.file.save("b.pdf", ContentFile(b"%PDF"), save=False)
    attachment.save()
    DeliveryConsent.objects.create(guardian=g, given_at=now)
    user = User.objects.create_user(username="citizen-g")
    CitizenIdentity.objects.create(user=user, hetu_digest=g.hetu_digest, last_loa=Loa.SUBSTANTIAL,
                                   last_method=LoginMethod.DEMO, last_login_at=now)  # fmt: skip
    _message(other)
    return {
        "g": g, "other": other, "shared": shared, "own": own, "message": message, "inbound": inbound,
        "shared_thread": shared_thread, "written": written, "answer": answer, "alone": alone, "own_note": own_note,
        "draft": draft, "file": Path(attachment.file.path), "user": user,
    }  # fmt: skip


def test_a_dry_run_says_what_would_go_and_changes_nothing(family: dict[str, Any]) -> None:
    before = db_snapshot()
    out = StringIO()
    call_command("person_erase", family["g"].guardian_id, "--reason", "pyyntö 1/2027", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "people.Guardian: 1 would be erased" in text and "people.Child: 1 would be erased" in text
    assert "conversations.Thread: 1 would be cleared" in text
    assert f"kept (another custodian): {family['shared'].child_id}" in text
    assert db_snapshot() == before and not AuditEvent.objects.filter(operation="PERSON_ERASE").exists()


def test_erasure_removes_what_only_the_guardian_had_and_keeps_the_other_custodians(
    family: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    g, other = family["g"], family["other"]
    with django_capture_on_commit_callbacks(execute=True):
        call_command("person_erase", g.guardian_id, "--reason", "pyyntö 1/2027", "--actor", "dpo", stdout=StringIO())
    assert not Guardian.objects.filter(pk=g.pk).exists()
    assert not Child.objects.filter(pk=family["own"].pk).exists()  # their own child, nobody else's custody
    assert not CallNote.objects.filter(pk=family["own_note"].pk).exists()
    assert Child.objects.filter(pk=family["shared"].pk).exists()
    assert list(Custody.objects.filter(child=family["shared"]).values_list("guardian", flat=True)) == [other.pk]
    # messages to them and their replies go; the other guardian's messages stay
    assert not Message.objects.filter(pk=family["message"].pk).exists()
    assert not InboundMessage.objects.filter(pk=family["inbound"].pk).exists()
    assert not FollowUp.objects.exists()
    assert Message.objects.filter(guardian=other).count() == 1
    # the other custodian's thread about the shared child stays, without the erased guardian in it
    thread = Thread.objects.get(pk=family["shared_thread"].pk)
    assert (thread.guardian_id, thread.follow_up_id) == (None, None)
    written = ThreadMessage.objects.get(pk=family["written"].pk)
    assert (written.guardian_id, written.inbound_id) == (None, None)
    assert ThreadMessage.objects.filter(pk=family["answer"].pk).exists()
    assert not Thread.objects.filter(pk=family["alone"].pk).exists()
    # a draft with its file, the consent and the login go
    assert not Application.objects.filter(pk=family["draft"].pk).exists() and not family["file"].exists()
    assert not DeliveryConsent.objects.exists() and not User.objects.filter(pk=family["user"].pk).exists()
    event = AuditEvent.objects.get(operation="PERSON_ERASE")
    assert (event.actor, event.target_id, event.status) == ("dpo", g.guardian_id, "SUCCESS")
    assert event.details["rows"]["messaging.Message erased"] == 1 and event.details["reason"] == "pyyntö 1/2027"
    assert "Kiitos" not in str(event.details) and g.phone not in str(event.details)


def test_erasure_is_all_or_nothing(
    family: dict[str, Any], monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    real = erasure._erase_rows
    calls: list[str] = []

    def failing(model: Any, pks: Any, files: Any) -> None:
        calls.append(model._meta.label)
        if len(calls) == 4:
            raise RuntimeError("disk full")
        real(model, pks, files)

    monkeypatch.setattr(erasure, "_erase_rows", failing)
    before = db_snapshot()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        erasure.person_erase(guardian=family["g"], actor="dpo", reason="pyyntö")
    assert len(calls) == 4 and db_snapshot() == before and family["file"].exists()
    assert not AuditEvent.objects.filter(operation="PERSON_ERASE").exists()


def first_offer_and_guardian(offer_round: OfferRound) -> tuple[Offer, Guardian]:
    offer = Offer.objects.filter(round=offer_round).select_related("child").order_by("pk").first()
    assert offer is not None
    guardian = offer.child.guardians.order_by("guardian_id").first()
    assert guardian is not None
    return offer, guardian


def test_official_records_refuse_erasure_with_the_reason(
    sent_round: OfferRound,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    _offer, g = first_offer_and_guardian(sent_round)
    before = db_snapshot()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CommandError) as refused:
        call_command("person_erase", g.guardian_id, "--reason", "pyyntö", stdout=StringIO())
    assert "offers.Offer" in str(refused.value) and "archive act" in str(refused.value)
    assert db_snapshot() == before
    event = AuditEvent.objects.get(operation="PERSON_ERASE")
    assert event.status == "REFUSED" and "archive act" in event.details["refused"]


def test_a_sent_application_refuses_erasure(family: dict[str, Any]) -> None:
    Application.objects.filter(pk=family["draft"].pk).update(status=ApplicationStatus.SENT)
    with pytest.raises(erasure.ErasureRefused, match=r"1 applications\.Application"):
        erasure.person_erase(guardian=family["g"], actor="dpo", reason="pyyntö")
    assert Guardian.objects.filter(pk=family["g"].pk).exists()


def test_a_test_family_goes_entirely_but_only_with_temporary_codes(
    sent_round: OfferRound,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    offer, g = first_offer_and_guardian(sent_round)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("person_erase", g.guardian_id, "--reason", "test data", "--test-family", stdout=StringIO())
    assert not Offer.objects.filter(pk=offer.pk).exists() and not Child.objects.filter(pk=offer.child_id).exists()
    real = GuardianFactory(guardian_id="P1", hetu=permanent_hetu())
    with pytest.raises(CommandError, match="not a test family"):
        call_command("person_erase", real.guardian_id, "--reason", "x", "--test-family", stdout=StringIO())

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.urls import reverse

from asti.audit.models import AuditEvent
from asti.messaging.models import InboundMessage, Lane, Message, SimulatedMessage
from asti.messaging.services import message_enqueue
from asti.messaging.worker import Worker
from tests.messaging.conftest import RecordingHandler, family_staff, make_guardian

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff() -> Client:
    client = Client()
    client.force_login(family_staff("pia"))
    return client


def test_the_guardian_reads_the_offer_and_answers_on_the_simulated_phone(
    staff: Client, handler: RecordingHandler
) -> None:
    guardian = make_guardian(phone="+358401234567", email="anna@example.fi")
    with transaction.atomic():
        message_enqueue(
            channel="sms",
            recipient=guardian.phone,
            template_key="messaging.test",
            language="fi",
            context={"text": "Tarjoamme Ellalle paikkaa. Vastaa KYLLÄ tai EI."},
            guardian=guardian,
        )
        message_enqueue(
            channel="email",
            recipient=guardian.email,
            template_key="messaging.test",
            language="fi",
            context={"text": "Sama sähköpostina."},
            guardian=guardian,
        )
    Worker().run_once()
    url = reverse("messaging:simulated_guardian", args=[guardian.pk])
    page = staff.get(url).content.decode()
    assert "Tarjoamme Ellalle paikkaa" in page and "Sama sähköpostina." in page
    assert "Helsingin kaupunki – testiviesti" in page
    assert "<script" not in page
    assert AuditEvent.objects.filter(actor="pia", operation="VIEW", target_id=guardian.guardian_id).exists()

    response = staff.post(url, {"text": "Kyllä"})
    assert response.status_code == 302
    reply = InboundMessage.objects.get()
    assert (reply.gateway, reply.sender, reply.handling_result) == ("simulated", guardian.phone, "accept")
    assert reply.answer is not None and reply.answer.lane == Lane.FAST
    Worker(lanes=[Lane.FAST]).run_once()
    page = staff.get(url).content.decode()
    assert page.index("Kyllä") < page.index("Paikka vahvistettu.")
    assert SimulatedMessage.objects.filter(address=guardian.phone).count() == 3


def test_an_empty_answer_is_not_sent(staff: Client, handler: RecordingHandler) -> None:
    guardian = make_guardian(phone="+358401234567")
    response = staff.post(reverse("messaging:simulated_guardian", args=[guardian.pk]), {"text": "  "})
    assert response.status_code == 400 and not InboundMessage.objects.exists()


def test_the_index_finds_guardians(staff: Client) -> None:
    make_guardian(phone="+358401234567", first_name="Ulla")
    page = staff.get(reverse("messaging:simulated_index"), {"q": "Ulla"}).content.decode()
    assert "Ulla Virtanen" in page and "+358401234567" in page


def test_only_staff_and_only_with_simulated_channels(staff: Client, settings: Any) -> None:
    guardian = make_guardian(phone="+358401234567")
    url = reverse("messaging:simulated_guardian", args=[guardian.pk])
    assert Client().get(url).status_code == 302  # to the login page
    settings.MESSAGING_SMS_BACKEND = "kannel"
    settings.MESSAGING_EMAIL_BACKEND = "smtp"
    assert staff.get(url).status_code == 404
    assert not Message.objects.exists()


def test_staff_who_may_not_see_families_cannot_open_the_simulated_phone() -> None:
    """A unit director is staff but sees no family's messages; the phone list is audited for those who may."""
    guardian = make_guardian(phone="+358401234567")
    director = Client()
    director.force_login(User.objects.create_user(username="ulla", is_staff=True))
    assert director.get(reverse("messaging:simulated_index")).status_code == 403
    assert director.get(reverse("messaging:simulated_guardian", args=[guardian.pk])).status_code == 403
    planner = Client()
    planner.force_login(family_staff("pia"))
    assert planner.get(reverse("messaging:simulated_index")).status_code == 200
    listed = AuditEvent.objects.filter(actor="pia", operation="VIEW_LIST", target_type="guardian")
    assert guardian.guardian_id in set(listed.values_list("target_id", flat=True))

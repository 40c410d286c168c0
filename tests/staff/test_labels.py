"""The staff pages show a label in the reader's language for every code the project stores, never the code:
`not_understood`, `sms offers.offer` or VIEW/SUCCESS."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from asti.messaging.inbound import AUTOMATIC, SENDER_UNVERIFIED, inbound_receive
from asti.messaging.models import HandlingResult
from asti.messaging.replies import Unclear
from asti.offers.models import OfferRound
from asti.offers.sending import round_send
from asti.staff import labels
from tests.staff.conftest import client_for

ASTI = Path(__file__).resolve().parents[2] / "asti"
SOURCES = [p for p in ASTI.rglob("*.py") if "migrations" not in p.parts]


def _found(*patterns: str) -> set[str]:
    codes: set[str] = set()
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        for pattern in patterns:
            codes.update(re.findall(pattern, text))
    return codes


def test_every_message_template_has_a_label() -> None:
    keys = {p.name.rsplit(".", 2)[0] for p in ASTI.glob("*/message_templates/*.txt")}
    assert keys and sorted(keys - set(labels.MESSAGE_TEMPLATES)) == []


def test_every_audit_operation_the_code_writes_has_a_label() -> None:
    operations = _found(
        r'operation="([A-Z_]+)"',
        r'_audit\(\s*[^,()]+(?:\([^)]*\))?,\s*"([A-Z_]+)"',
        r'"([A-Z_]+)" if \w+ else "([A-Z_]+)"',
    )
    flat = {o for group in operations for o in ([group] if isinstance(group, str) else group) if o}
    assert {"VIEW", "LOGIN", "THREAD_WRITE", "THREAD_NOTE", "APPLICATION_SEND"} <= flat
    assert sorted(flat - set(labels.AUDIT_OPERATIONS)) == []
    statuses = _found(r'status="([A-Z]+)"') | {"SUCCESS"}
    assert sorted(statuses - set(labels.AUDIT_STATUSES)) == []
    targets = _found(r'target_type="([a-z_]+)"')
    assert sorted(targets - set(labels.AUDIT_TARGETS)) == []


def test_every_reply_result_has_a_label() -> None:
    results = _found(r'result="([a-z_]+)"', r'result, key, needs_staff = "([a-z_]+)"')
    results |= {str(v) for v in HandlingResult} | {str(v) for v in Unclear} | {AUTOMATIC, SENDER_UNVERIFIED}
    assert "not_understood" in results and "which_child" in results
    assert sorted(results - set(labels.REPLY_RESULTS)) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language,reply,message,guardian_language",
    [
        ("fi", "(ei ymmärretty)", "Tekstiviesti – paikkatarjous", "kieli suomi"),
        ("sv", "(inte förstått)", "Sms – platserbjudande", "språk finska"),
        ("en", "(not understood)", "SMS – offer", "language Finnish"),
    ],
)
def test_the_family_page_shows_labels_not_codes(
    planner: User, allocated_round: OfferRound, language: str, reply: str, message: str, guardian_language: str
) -> None:
    round_send(round_id=allocated_round.pk, actor="test")
    inbound_receive(gateway="simulated", gateway_id="r1", sender="+358401234567", text="Hmm, mitä tämä on")
    client = client_for(planner)
    client.cookies["django_language"] = language
    page = client.get(reverse("staff:family", args=["C1"])).content.decode()
    assert reply in page and "not_understood" not in page
    assert message in page and "sms offers.offer" not in page and "offers.offer" not in page
    assert guardian_language in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language,viewed,done", [("fi", "katsottu", "valmis"), ("sv", "visad", "klar"), ("en", "viewed", "done")]
)
def test_the_audit_trail_shows_what_happened_in_words(
    admin_user: User, planner: User, allocated_round: OfferRound, django_capture_on_commit_callbacks: Any,
    language: str, viewed: str, done: str,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        client_for(planner).get(reverse("staff:family", args=["C1"]))
    client = client_for(admin_user)
    client.cookies["django_language"] = language
    page = client.get(reverse("staff:audit"), {"person": "C1"}).content.decode()
    rows = re.findall(r"<tr><td>.*?</tr>", page)
    assert rows and all(f"<td>{viewed}</td>" in row and f"<td>{done}</td>" in row for row in rows)
    assert ">VIEW<" not in page and ">SUCCESS<" not in page

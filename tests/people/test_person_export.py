"""A guardian's data export (GDPR articles 15 and 20) covers every table with personal data, follows a demo
family through all of them, leaves out what it must, and is audited."""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models

from asti.audit.models import AuditEvent
from asti.offers.models import Offer, OfferRound
from asti.people.export import person_data_export, personal_tables
from asti.people.models import Child, Guardian
from tests.citizen.conftest import sent_round  # noqa: F401 (a fixture)

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def documented_tables() -> list[str]:
    text = (ROOT / "docs" / "privacy.md").read_text(encoding="utf-8")
    block = text.split("<!-- personal-tables:start -->")[1].split("<!-- personal-tables:end -->")[0]
    return re.findall(r"^- `([\w.]+)`", block, re.M)


def test_docs_list_exactly_the_tables_the_code_finds() -> None:
    assert sorted(documented_tables()) == sorted(personal_tables())


def test_every_model_that_refers_to_a_person_is_a_personal_table() -> None:
    """Independently of the export's own walk: any project model with a foreign key to a personal table is one."""
    tables = set(personal_tables())
    for model in apps.get_models():
        if not model.__module__.startswith("asti."):
            continue
        targets = {
            f.related_model._meta.label for f in model._meta.get_fields()
            if f.concrete and f.is_relation and (f.many_to_one or f.one_to_one) and f.related_model is not None
        }  # fmt: skip
        if targets & tables and model._meta.label not in tables:
            pytest.fail(f"{model._meta.label} refers to personal data but is not exported")


def test_a_family_is_followed_through_every_table_where_it_has_rows(
    sent_round: OfferRound,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    offer = Offer.objects.select_related("child").filter(round=sent_round).order_by("pk").first()
    assert offer is not None
    guardian = offer.child.guardians.order_by("guardian_id").first()
    assert guardian is not None
    data = person_data_export(guardian=guardian)
    assert set(data["tables"]) == set(personal_tables())
    children = set(Child.objects.filter(custodies__guardian=guardian).values_list("pk", flat=True))
    # every row in the database that refers to the guardian or one of the children directly is in the export
    for label, links in personal_tables().items():
        model = apps.get_model(label)
        direct = models.Q()
        for field, target in links:
            if target == "people.Guardian":
                direct |= models.Q(**{field: guardian.pk})
            elif target == "people.Child":
                direct |= models.Q(**{f"{field}__in": children})
        if not direct:
            continue
        wanted = set(model._default_manager.filter(direct).values_list("pk", flat=True))
        got = {row["id"] for row in data["tables"][label]}
        assert wanted <= got, label
    assert data["tables"]["offers.Offer"] and data["tables"]["messaging.Message"]  # the offer and its SMS
    assert data["tables"]["messaging.DeliveryReport"] or data["tables"]["messaging.Message"]
    assert [row["id"] for row in data["tables"]["people.Guardian"]] == [guardian.pk]
    # the identity codes in clear for the guardian and the children; never a digest or an encrypted value
    assert data["tables"]["people.Guardian"][0]["identity_code"] == guardian.hetu
    text = json.dumps(data, ensure_ascii=False)
    assert guardian.hetu_digest not in text and guardian.hetu_encrypted not in text
    for other in Guardian.objects.exclude(pk=guardian.pk):
        assert other.hetu not in text and (not other.phone or other.phone not in text or other.phone == guardian.phone)


def test_the_command_writes_the_file_and_audits_the_export(
    sent_round: OfferRound,  # noqa: F811
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    guardian = Guardian.objects.filter(custodies__active=True).order_by("guardian_id").first()
    assert guardian is not None
    out = tmp_path / "export.json"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("person_data_export", guardian.guardian_id, "--out", str(out), "--actor", "dpo", stdout=StringIO())
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["guardian_id"] == guardian.guardian_id and data["format"] == "asti-person-data/1"
    event = AuditEvent.objects.get(operation="PERSONAL_DATA_EXPORT")
    assert (event.actor, event.target_id) == ("dpo", guardian.guardian_id)

"""Shared by the staff application tests: a frozen day, schools and ECEC places in the example city, and
applications made straight in the database for the queue's reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from asti.applications.models import Application, Wish
from asti.applications.selectors import registry_details_for
from asti.people.models import Child, Guardian
from asti.units.models import AdmissionArea, School, Unit

NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 12, 3)


def places_in_city() -> School:
    """ECEC places for the example city's Finnish units and one school with every service."""
    Unit.objects.filter(unit_id__in=["PK-KALLIO", "PK-SORNAINEN", "PK-TOOLO"]).update(
        ecec_capacity_under3=5, ecec_capacity_over3=10
    )
    return School.objects.create(
        school_id="S-KALLIO", name_fi="Kallion ala-aste", name_sv="Berghälls lågstadium", lat=60.184, lon=24.95,
        language="fi", admission_area=AdmissionArea.objects.get(area_id="FI-1"), first_grade_capacity=50,
        afternoon_activities=True, afternoon_capacity=40, weighted_curricula=["music"],
    )  # fmt: skip


_counter = {"n": 0}


def make_application(
    child_id: str,
    *,
    kind: str = "ecec",
    status: str = "sent",
    due: dt.date = dt.date(2027, 4, 5),
    wishes: tuple[str, ...] = ("PK-KALLIO",),
    sent_at: dt.datetime = NOW,
    **fields: Any,
) -> Application:
    child = Child.objects.get(child_id=child_id)
    guardian = Guardian.objects.filter(custodies__child=child).order_by("guardian_id").first()
    assert guardian is not None
    details = registry_details_for(guardian=guardian, child=child)
    _counter["n"] += 1
    application = Application.objects.create(
        kind=kind, child=child, guardian=guardian, status=status, due_date=due, sent_at=sent_at,
        reference=f"T-{_counter['n']:06d}-{child_id}", language="fi", education_language=fields.pop("language", "fi"),
        registry_snapshot=details.as_json() if details else {}, **fields,
    )  # fmt: skip
    for position, place_id in enumerate(wishes, start=1):
        if kind in ("first_grade", "afternoon"):
            Wish.objects.create(
                application=application, position=position, school=School.objects.get(school_id=place_id)
            )
        else:
            Wish.objects.create(application=application, position=position, unit=Unit.objects.get(unit_id=place_id))
    return application

"""A family with a child for every kind of application, and the city's places for them, on a fixed day in the
application periods (shared by the page tests and the browser journeys)."""

from __future__ import annotations

import datetime as dt

from asti.applications.models import ApplicationPeriod
from asti.people.models import Child, Guardian
from asti.units.models import AdmissionArea, School, Unit
from tests.factories import AdmissionAreaFactory, ChildFactory, CustodyFactory, GuardianFactory, UnitFactory

# A Thursday in the periods of 2027: ECEC four months ahead is 14.5.2027, two weeks ahead 28.1.2027.
NOW = dt.datetime(2027, 1, 14, 8, 0, tzinfo=dt.UTC)
TODAY = dt.date(2027, 1, 14)
EARLIEST = dt.date(2027, 5, 14)
PERIOD = (dt.date(2027, 1, 12), dt.date(2027, 1, 25))

# a PNG's signature and a little more: enough for the content check
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class Family:
    """Maria (fi) and Karin (sv) share three children: a baby (ECEC), Leo who starts pre-primary in 2027 and Ella
    who starts school in 2027 (first grade and afternoon activities). Another family lives next door."""

    def __init__(self) -> None:
        self.area: AdmissionArea = AdmissionAreaFactory(area_id="FI-1", name_fi="Kallio")
        self.sv_area: AdmissionArea = AdmissionAreaFactory(area_id="SV-1", name_fi="Tölö", language="sv")
        self.kallio: Unit = UnitFactory(
            unit_id="PK-KALLIO", name_fi="Päiväkoti Kallio", street_address="Kolmas linja 10", postal_code="00530",
            admission_area=self.area, ecec_capacity_under3=12, ecec_capacity_over3=21,
        )  # fmt: skip
        self.vallila: Unit = UnitFactory(
            unit_id="PK-VALLILA", name_fi="Päiväkoti Vallila", street_address="Mäkelänkatu 20", postal_code="00550",
            admission_area=self.area, ecec_capacity_under3=0, ecec_capacity_over3=10, shift_care=True,
        )  # fmt: skip
        self.tolo: Unit = UnitFactory(
            unit_id="DH-TOLO", name_fi="Päiväkoti Tölö", name_sv="Daghemmet Tölö", language="sv",
            street_address="Topeliuksenkatu 3", postal_code="00250", admission_area=self.sv_area,
            ecec_capacity_under3=5, ecec_capacity_over3=10,
        )  # fmt: skip
        self.school: School = School.objects.create(
            school_id="S-KALLIO", name_fi="Kallion ala-aste", street_address="Porvoonkatu 2", postal_code="00510",
            lat=60.184, lon=24.95, language="fi", admission_area=self.area, first_grade_capacity=50,
            afternoon_activities=True, afternoon_capacity=40, weighted_curricula=["music"],
        )  # fmt: skip
        self.other_school: School = School.objects.create(
            school_id="S-VALLILA", name_fi="Vallilan ala-aste", street_address="Vallilantie 5", postal_code="00550",
            lat=60.19, lon=24.96, language="fi", admission_area=self.area, first_grade_capacity=40,
            afternoon_activities=True, afternoon_capacity=30,
        )  # fmt: skip
        self.sv_school: School = School.objects.create(
            school_id="S-TOLO", name_fi="Töölön ruotsinkielinen koulu", name_sv="Tölö lågstadium",
            street_address="Topeliusgatan 10", postal_code="00250", lat=60.18, lon=24.92, language="sv",
            admission_area=self.sv_area, first_grade_capacity=30, afternoon_activities=True, afternoon_capacity=20,
        )  # fmt: skip
        self.maria: Guardian = GuardianFactory(
            guardian_id="G1", first_name="Maria", last_name="Virtanen", email="maria@example.org", language="fi",
            street_address="Kolmas linja 20", postal_code="00530",
        )  # fmt: skip
        self.karin: Guardian = GuardianFactory(
            guardian_id="G2", first_name="Karin", last_name="Virtanen", email="karin@example.org", language="sv",
            street_address="Kolmas linja 20", postal_code="00530",
        )  # fmt: skip
        self.neighbour: Guardian = GuardianFactory(guardian_id="G3", first_name="Pekka", last_name="Naapuri")
        common = {"street_address": "Kolmas linja 20", "postal_code": "00530", "admission_area": self.area,
                  "last_name": "Virtanen", "lat": 60.1845, "lon": 24.953}  # fmt: skip
        self.baby: Child = ChildFactory(
            child_id="C1", first_name="Aino", birth_date=dt.date(2025, 3, 1), current_unit=None, **common
        )
        self.leo: Child = ChildFactory(
            child_id="C2", first_name="Leo", birth_date=dt.date(2021, 5, 2), current_unit=self.kallio, **common
        )
        self.ella: Child = ChildFactory(
            child_id="C3", first_name="Ella", birth_date=dt.date(2020, 4, 1), current_unit=self.kallio, **common
        )
        for child in (self.baby, self.leo, self.ella):
            CustodyFactory(child=child, guardian=self.maria)
            CustodyFactory(child=child, guardian=self.karin)
        self.neighbours_child: Child = ChildFactory(child_id="C9", first_name="Onni", current_unit=self.kallio)
        CustodyFactory(child=self.neighbours_child, guardian=self.neighbour)
        for kind in ("preschool", "first_grade", "afternoon"):
            ApplicationPeriod.objects.create(kind=kind, year=2027, opens_on=PERIOD[0], closes_on=PERIOD[1])

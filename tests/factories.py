"""factory_boy factories for the registry and units: small, valid records with overridable fields."""

from __future__ import annotations

import datetime as dt

import factory

from asti.core import crypto
from asti.people.models import Child, Custody, Guardian
from asti.units.models import AdmissionArea, Unit

CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def temporary_hetu(birth: dt.date, individual: int) -> str:
    """A valid temporary identity code (individual number 900–999) for a birth date."""
    sign = "A" if birth.year >= 2000 else "-"
    head = birth.strftime("%d%m%y")
    number = f"{900 + individual % 100:03d}"
    return head + sign + number + CHECK[int(head + number) % 31]


class AdmissionAreaFactory(factory.django.DjangoModelFactory[AdmissionArea]):
    class Meta:
        model = AdmissionArea

    area_id = factory.Sequence(lambda n: f"FI-{n + 1}")
    name_fi = factory.Sequence(lambda n: f"Alue {n + 1}")
    language = "fi"


class UnitFactory(factory.django.DjangoModelFactory[Unit]):
    class Meta:
        model = Unit

    unit_id = factory.Sequence(lambda n: f"U{n + 1}")
    name_fi = factory.Sequence(lambda n: f"Päiväkoti {n + 1}")
    street_address = "Testikatu 1"
    postal_code = "00100"
    lat = 60.17
    lon = 24.94
    provider = "municipal"
    language = "fi"
    pre_primary = True
    pre_primary_capacity = 20
    admission_area = factory.SubFactory(AdmissionAreaFactory)


class PersonFactory(factory.django.DjangoModelFactory[Guardian]):
    class Meta:
        abstract = True

    first_name = "Testi"
    last_name = factory.Sequence(lambda n: f"Henkilö{n}")
    street_address = "Kotikatu 2"
    postal_code = "00100"

    # `hetu` is declared by each concrete factory and excluded from the model: only its protected forms are stored.
    hetu_encrypted = factory.LazyAttribute(lambda o: crypto.hetu_encrypt(o.hetu))
    hetu_digest = factory.LazyAttribute(lambda o: crypto.hetu_digest(o.hetu))


class GuardianFactory(PersonFactory):
    class Meta:
        model = Guardian
        exclude = ("hetu",)

    guardian_id = factory.Sequence(lambda n: f"G{n + 1}")
    hetu = factory.Sequence(lambda n: temporary_hetu(dt.date(1985, 1, 1) + dt.timedelta(days=n // 100), n))
    phone = factory.Sequence(lambda n: f"+35840{n:07d}")
    language = "fi"


class ChildFactory(PersonFactory):
    class Meta:
        model = Child
        exclude = ("hetu",)

    child_id = factory.Sequence(lambda n: f"C{n + 1}")
    birth_date = dt.date(2021, 6, 1)
    hetu = factory.LazyAttributeSequence(lambda o, n: temporary_hetu(o.birth_date, n))
    language = "fi"
    municipality_code = "091"
    lat = 60.171
    lon = 24.941
    current_unit = factory.SubFactory(UnitFactory)
    admission_area = factory.SelfAttribute("current_unit.admission_area")


class CustodyFactory(factory.django.DjangoModelFactory[Custody]):
    class Meta:
        model = Custody

    child = factory.SubFactory(ChildFactory)
    guardian = factory.SubFactory(GuardianFactory)

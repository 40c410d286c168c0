"""Reads for applications: what a guardian may see, the registry details an application is pre-filled with,
and the units one may wish for."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.db.models import Prefetch, Q, QuerySet

from asti.applications.models import Application, ApplicationEvent, Wish
from asti.offers.selectors import children_visible_for
from asti.people.models import Child, Guardian
from asti.units.models import Provider, Unit


@dataclass(frozen=True)
class PersonDetails:
    name: str
    address: str  # "" when under a non-disclosure order (or unknown)
    address_protected: bool


@dataclass(frozen=True)
class RegistryDetails:
    child_name: str
    birth_date: str  # ISO 8601
    child_address: str  # "" when the child's or any guardian's address is under non-disclosure
    address_protected: bool
    guardians: tuple[PersonDetails, ...]
    language: str  # the applying guardian's registry language

    def as_json(self) -> dict[str, object]:
        return asdict(self)


def _address(street: str, postal_code: str) -> str:
    return ", ".join(part for part in (street, postal_code) if part)


def registry_details_for(*, guardian: Guardian, child: Child) -> RegistryDetails | None:
    """What the registry says, as this guardian may see it; None when the child is not in their custody.

    An address under a non-disclosure order is never included, not even for the child's other guardian. A
    child living with a protected guardian shares that address, so the child's address is withheld too.
    """
    if not children_visible_for(guardian=guardian).filter(pk=child.pk).exists():
        return None
    family = list(
        Guardian.objects.filter(custodies__child=child, custodies__active=True, active=True).order_by("guardian_id")
    )
    protected = child.non_disclosure or any(g.non_disclosure for g in family)
    guardians = tuple(
        PersonDetails(
            name=g.full_name,
            address="" if g.non_disclosure else _address(g.street_address, g.postal_code),
            address_protected=g.non_disclosure,
        )
        for g in family
    )
    return RegistryDetails(
        child_name=child.full_name,
        birth_date=child.birth_date.isoformat(),
        child_address="" if protected else _address(child.street_address, child.postal_code),
        address_protected=protected,
        guardians=guardians,
        language=guardian.language,
    )


def applications_visible_for(*, guardian: Guardian) -> QuerySet[Application]:
    """Applications for the children in this guardian's active custody (whichever guardian sent them)."""
    return (
        Application.objects.filter(child__in=children_visible_for(guardian=guardian))
        .select_related("child", "guardian")
        .prefetch_related(
            Prefetch("wishes", queryset=Wish.objects.select_related("unit").order_by("position")),
            Prefetch("events", queryset=ApplicationEvent.objects.order_by("at", "id")),
        )
    )


def application_for_offer(*, guardian: Guardian, offer_id: int) -> Application | None:
    return applications_visible_for(guardian=guardian).filter(declined_offer_id=offer_id).first()


def wishable_units(*, query: str = "", language: str = "") -> QuerySet[Unit]:
    """Municipal pre-primary units one may wish for, searchable by name, address or postal code."""
    units = Unit.objects.filter(active=True, pre_primary=True, provider=Provider.MUNICIPAL)
    if language:
        units = units.filter(language=language)
    for word in query.split()[:5]:
        units = units.filter(
            Q(name_fi__icontains=word)
            | Q(name_sv__icontains=word)
            | Q(street_address__icontains=word)
            | Q(postal_code__startswith=word)
        )
    return units.order_by("name_fi", "unit_id")

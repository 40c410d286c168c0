"""Visibility: only children in active custody; an address under non-disclosure never shown, not even to the
other guardian; the application service refuses what the guardian may not do."""

from __future__ import annotations

import pytest

from asti.applications.selectors import applications_visible_for, registry_details_for
from asti.applications.services import ApplicationError, ApplicationErrorCode, application_create
from asti.offers.answers import offer_answer
from asti.offers.models import OfferRound
from asti.offers.selectors import children_visible_for, offers_visible_for
from asti.people.models import Custody
from asti.units.models import Unit
from tests.citizen.conftest import guardian, offer_of, sent_round  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_guardian_sees_only_children_in_active_custody(sent_round: OfferRound) -> None:  # noqa: F811
    g1 = guardian("G1")
    assert sorted(c.child_id for c in children_visible_for(guardian=g1)) == ["C1", "C11"]
    assert [o.child.child_id for o in offers_visible_for(guardian=g1)] == ["C1"]
    Custody.objects.filter(guardian=g1, child__child_id="C1").update(active=False)
    assert [c.child_id for c in children_visible_for(guardian=g1)] == ["C11"]
    assert not offers_visible_for(guardian=g1).exists()
    assert registry_details_for(guardian=g1, child=offer_of("C1").child) is None


def test_a_non_disclosure_address_is_never_shown_even_to_the_other_guardian(sent_round: OfferRound) -> None:  # noqa: F811
    g1, g2 = guardian("G1"), guardian("G2")
    child = offer_of("C1").child
    details = registry_details_for(guardian=g2, child=child)
    assert details is not None and details.child_address == "Kolmas linja 20, 00530"
    g1.non_disclosure = True
    g1.save()
    details = registry_details_for(guardian=g2, child=child)
    assert details is not None and details.address_protected and details.child_address == ""
    assert [p.address for p in details.guardians] == ["", "Kolmas linja 20, 00530"]
    assert "Kolmas" not in str(details.as_json()["guardians"][0])  # type: ignore[index]


def test_application_rules(sent_round: OfferRound) -> None:  # noqa: F811
    offer = offer_of("C1")
    toolo = Unit.objects.get(unit_id="PK-TOOLO")
    g1, g3 = guardian("G1"), guardian("G3")
    with pytest.raises(ApplicationError) as error:
        application_create(guardian=g1, offer=offer, unit_ids=[toolo.pk], supplementary_ecec=False, actor="t")
    assert error.value.code is ApplicationErrorCode.OFFER_NOT_DECLINED
    offer_answer(offer_id=offer.pk, accept=False, guardian=g1, channel="link", actor="t")
    with pytest.raises(ApplicationError) as error:
        application_create(guardian=g3, offer=offer, unit_ids=[toolo.pk], supplementary_ecec=False, actor="t")
    assert error.value.code is ApplicationErrorCode.NOT_GUARDIAN
    private = Unit.objects.get(unit_id="PRIV-OMENA")
    with pytest.raises(ApplicationError) as error:
        application_create(guardian=g1, offer=offer, unit_ids=[private.pk], supplementary_ecec=False, actor="t")
    assert error.value.code is ApplicationErrorCode.UNKNOWN_UNIT
    application = application_create(guardian=g1, offer=offer, unit_ids=[toolo.pk], supplementary_ecec=True, actor="t")
    assert [e.kind for e in application.events.all()] == ["sent"]
    assert application.registry_snapshot["language"] == "fi"
    assert list(applications_visible_for(guardian=guardian("G2"))) == [application]
    assert not applications_visible_for(guardian=g3).exists()
    with pytest.raises(ApplicationError) as error:
        application_create(guardian=g1, offer=offer, unit_ids=[toolo.pk], supplementary_ecec=False, actor="t")
    assert error.value.code is ApplicationErrorCode.ALREADY_SENT

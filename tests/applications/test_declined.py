"""After declining: "no municipal place needed", and undoing a decline until the deadline (not while an
application made instead is being handled, nor after the deadline)."""

from __future__ import annotations

import datetime as dt

import pytest

from asti.applications.declined import (
    DeclineError,
    DeclineRefused,
    decline_can_be_undone,
    offer_decline_reason_set,
    offer_decline_undo,
)
from asti.applications.models import Application
from asti.applications.services import application_cancel, application_create
from asti.core import clock
from asti.messaging.models import Message
from asti.offers.answers import offer_answer
from asti.offers.models import OfferRound, OfferStatus
from asti.units.models import Unit
from tests.citizen.conftest import guardian, offer_of, sent_round  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_no_municipal_place_needed_is_recorded(sent_round: OfferRound) -> None:  # noqa: F811
    offer = offer_of("C1")
    g1 = guardian("G1")
    with pytest.raises(DeclineRefused) as error:
        offer_decline_reason_set(offer_id=offer.pk, guardian=g1, reason="other_arrangement", actor="g")
    assert error.value.code is DeclineError.NOT_DECLINED
    offer_answer(offer_id=offer.pk, accept=False, guardian=g1, channel="link", actor="g")
    with pytest.raises(DeclineRefused):
        offer_decline_reason_set(offer_id=offer.pk, guardian=g1, reason="whatever", actor="g")
    with pytest.raises(DeclineRefused) as error:
        offer_decline_reason_set(offer_id=offer.pk, guardian=guardian("G3"), reason="other_arrangement", actor="x")
    assert error.value.code is DeclineError.NOT_GUARDIAN
    done = offer_decline_reason_set(offer_id=offer.pk, guardian=g1, reason="other_arrangement", actor="g")
    assert done.decline_reason == "other_arrangement"


def test_undo_a_decline_until_the_deadline(sent_round: OfferRound) -> None:  # noqa: F811
    offer = offer_of("C1")
    g1, g2 = guardian("G1"), guardian("G2")
    offer_answer(offer_id=offer.pk, accept=False, guardian=g1, channel="link", actor="g")
    toolo = Unit.objects.get(unit_id="PK-TOOLO")
    application = application_create(guardian=g1, offer=offer, unit_ids=[toolo.pk], supplementary_ecec=False,
                                     actor="g")  # fmt: skip
    with pytest.raises(DeclineRefused) as error:
        offer_decline_undo(offer_id=offer.pk, guardian=g2, actor="g2")
    assert error.value.code is DeclineError.APPLICATION_PENDING
    application_cancel(application=application, guardian=g1, actor="g")
    before = Message.objects.count()
    reopened = offer_decline_undo(offer_id=offer.pk, guardian=g2, actor="g2")
    assert reopened.status == OfferStatus.OPEN and reopened.answered_by is None
    assert Message.objects.count() > before  # the family is told the place waits for an answer
    # declined again, a new application may answer it (the cancelled one no longer counts)
    offer_answer(offer_id=offer.pk, accept=False, guardian=g1, channel="link", actor="g")
    again = application_create(guardian=g1, offer=offer, unit_ids=[toolo.pk], supplementary_ecec=False, actor="g")
    assert Application.objects.filter(declined_offer=offer).count() == 2 and again.status == "sent"
    application_cancel(application=again, guardian=g1, actor="g")
    late = offer_of("C1").deadline + dt.timedelta(minutes=1)
    with clock.frozen_at(late):
        assert not decline_can_be_undone(offer_of("C1"), at=clock.now())
        with pytest.raises(DeclineRefused) as error:
            offer_decline_undo(offer_id=offer.pk, guardian=g1, actor="g")
    assert error.value.code is DeclineError.PAST_DEADLINE
    assert offer_of("C1").status == OfferStatus.DECLINED

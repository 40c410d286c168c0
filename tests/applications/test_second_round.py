"""The second round on the example city: wishes placed by deferred acceptance against the places left after
the first round, the rest by the exact engine, each with its reasons; nothing changes until the planners
confirm, and then every placed application has its proposed place on its timeline."""

from __future__ import annotations

import datetime as dt

import pytest

from asti.applications.models import ApplicationStatus, SecondRoundPlacement
from asti.applications.second_round import places_left, second_round_allocate, second_round_confirm
from asti.applications.services import application_create, application_save_draft, application_send
from asti.applications.validation import ApplicationInput
from asti.core import clock
from asti.offers.answers import offer_answer
from asti.offers.models import Offer, OfferRound
from asti.units.models import Unit
from tests.citizen.conftest import guardian, offer_of, sent_round  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_second_round_wishes_then_the_exact_engine(sent_round: OfferRound) -> None:  # noqa: F811
    toolo = Unit.objects.get(unit_id="PK-TOOLO")
    sornainen = Unit.objects.get(unit_id="PK-SORNAINEN")
    holding = Offer.objects.filter(round=sent_round, unit=toolo).count()
    Unit.objects.filter(pk=toolo.pk).update(pre_primary_capacity=holding + 1)  # one place left in Töölö
    g1 = guardian("G1")
    c1_offer = offer_of("C1")
    offer_answer(offer_id=c1_offer.pk, accept=False, guardian=g1, channel="link", actor="g")
    first = application_create(guardian=g1, offer=c1_offer, unit_ids=[toolo.pk, sornainen.pk],
                               supplementary_ecec=False, actor="g")  # fmt: skip
    g8 = guardian("G8")
    c8 = g8.children.get()
    with clock.frozen_at(dt.datetime(2026, 12, 3, 9, tzinfo=dt.UTC)):
        draft = application_save_draft(guardian=g8, child=c8, kind="preschool",
                                       data=ApplicationInput(education_language="fi", wishes=(toolo.pk,)),
                                       actor="g8")  # fmt: skip
        second = application_send(guardian=g8, application=draft, actor="g8")
    left = places_left(sent_round)
    assert left[toolo.pk] == 1
    summary = second_round_allocate(round_id=sent_round.pk, actor="pia")
    assert summary.applicants == 2 and summary.unplaced == 0
    placements = {p.application_id: p for p in SecondRoundPlacement.objects.filter(offer_round=sent_round)}
    got_toolo = [p for p in placements.values() if p.unit_id == toolo.pk]
    assert len(got_toolo) == 1 and got_toolo[0].method == "wish" and got_toolo[0].wish_position == 1
    other = next(p for p in placements.values() if p.unit_id != toolo.pk)
    # the other child's first wish was full with a child of better priority; the reasons say which
    assert other.reasons[0]["unit"] == toolo.pk and not other.reasons[0]["admitted"]
    assert other.reasons[0]["cutoff"]["distance_m"] <= other.reasons[0]["priority"]["distance_m"]
    if other.application_id == first.pk:
        assert other.method == "wish" and other.unit_id == sornainen.pk and other.wish_position == 2
    else:
        assert other.application_id == second.pk and other.method == "assigned" and other.unit_id is not None
    # nothing happens to the applications before the planners confirm
    first.refresh_from_db()
    assert first.status == ApplicationStatus.SENT
    assert second_round_allocate(round_id=sent_round.pk, actor="pia") == summary  # a re-run replaces it
    assert second_round_confirm(round_id=sent_round.pk, actor="pia") == 2
    for application in (first, second):
        application.refresh_from_db()
        assert application.status == ApplicationStatus.PLACE_PROPOSED
        assert application.proposed_unit_id == placements[application.pk].unit_id
        assert application.events.filter(kind="place_proposed").exists()
    assert places_left(sent_round)[toolo.pk] == 0

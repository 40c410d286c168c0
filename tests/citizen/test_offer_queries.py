"""The offer page and the accept POST stay cheap: a fixed number of queries, whatever the registry holds; and the
one-query access rules still refuse what they refused before (inactive custody, child or guardian)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from pytest_django import DjangoAssertNumQueries

from asti.audit.models import AuditEvent
from asti.identity.selectors import guardian_for_user
from asti.offers.models import OfferRound, OfferStatus
from asti.offers.selectors import offer_visible_for
from asti.people.models import Child, Custody, Guardian
from tests.citizen.conftest import citizen_user, client_for, guardian, offer_of

pytestmark = pytest.mark.django_db(transaction=True)

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

# Session, user, guardian, offer (with its child, unit, round and proposal), and the header's count of unread
# messages, and whether another custodian's non-disclosure covers the child's home (no distances then). The audit
# event of the view goes to the audit database and is not counted here.
OFFER_PAGE_QUERIES = 6
# The same four, then the answer in a transaction: begin, the offer locked, its guardians, the update, the
# answer's audit event waiting for the commit, the city's own message texts in use, the outgoing message, commit;
# after the commit the event is moved into the trail (its delete here; the insert goes to the audit database).
ACCEPT_QUERIES = 13


def test_offer_page_takes_a_fixed_number_of_queries(
    sent_round: OfferRound, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    offer = offer_of("C1")
    client = client_for("G1")
    client.get(f"/offers/{offer.pk}/")  # the session's first use
    views_before = AuditEvent.objects.filter(operation="VIEW").count()
    with django_assert_max_num_queries(OFFER_PAGE_QUERIES):
        response = client.get(f"/offers/{offer.pk}/")
    assert response.status_code == 200 and f"/offers/{offer.pk}/accept/" in response.content.decode()
    assert AuditEvent.objects.filter(operation="VIEW").count() == views_before + 1  # still audited


def test_accept_post_takes_a_fixed_number_of_queries(
    sent_round: OfferRound, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    offer = offer_of("C1")
    client = client_for("G1", enforce_csrf_checks=True)
    token = CSRF.search(client.get(f"/offers/{offer.pk}/accept/").content.decode())
    assert token is not None
    with django_assert_max_num_queries(ACCEPT_QUERIES):
        response = client.post(f"/offers/{offer.pk}/accept/", {"csrfmiddlewaretoken": token.group(1)})
    assert response["Location"] == f"/offers/{offer.pk}/accepted/"
    assert offer_of("C1").status == OfferStatus.ACCEPTED


def test_guardian_for_user_is_one_query(
    sent_round: OfferRound, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    g1 = guardian("G1")
    user = citizen_user(g1)
    with django_assert_num_queries(1):
        assert guardian_for_user(user=user) == g1
    with django_assert_num_queries(0):
        assert guardian_for_user(user=AnonymousUser()) is None


def test_a_guardian_no_longer_in_the_registry_is_not_a_guardian(sent_round: OfferRound) -> None:
    user = citizen_user(guardian("G1"))
    Guardian.objects.filter(guardian_id="G1").update(active=False)
    assert guardian_for_user(user=user) is None
    assert client_for("G1").get(f"/offers/{offer_of('C1').pk}/").status_code == 403


def test_an_ended_custody_or_an_inactive_child_hides_the_offer(sent_round: OfferRound) -> None:
    offer = offer_of("C1")
    g1 = guardian("G1")
    assert offer_visible_for(guardian=g1, offer_id=offer.pk) == offer
    Custody.objects.filter(child=offer.child, guardian=g1).update(active=False)
    assert offer_visible_for(guardian=g1, offer_id=offer.pk) is None
    assert client_for("G1").get(f"/offers/{offer.pk}/").status_code == 404
    Custody.objects.filter(child=offer.child, guardian=g1).update(active=True)
    Child.objects.filter(pk=offer.child_id).update(active=False)
    assert offer_visible_for(guardian=g1, offer_id=offer.pk) is None
    assert client_for("G1").get(f"/offers/{offer.pk}/accept/").status_code == 404


def test_a_declined_offer_links_to_its_application(sent_round: OfferRound) -> None:
    offer = offer_of("C1")
    client = client_for("G1")
    client.post(f"/offers/{offer.pk}/decline/")
    assert "See your application" not in client.get(f"/offers/{offer.pk}/").content.decode()
    kallio = offer.unit
    client.post(f"/offers/{offer.pk}/apply/", {"unit_1": kallio.pk})
    page = client.get(f"/offers/{offer.pk}/").content.decode()
    assert "See your application" in page

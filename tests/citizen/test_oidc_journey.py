"""The offer link end to end through the real local OpenID Provider (oidc-provider on node, tests/identity):
the link in Maria's offer message → our login → the provider's login page → back through the callback → the
offer → accept with the page's CSRF token → the accepted page. A requests session against the live server
(tests/identity/browser.py), so every redirect on the way is seen."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings

from asti.audit.models import AuditEvent
from asti.identity.models import CitizenIdentity, LoginMethod
from asti.offers.models import AnswerChannel, OfferRound, OfferStatus
from tests.citizen.conftest import guardian, offer_of, token_for
from tests.identity import browser
from tests.identity.browser import Browser
from tests.identity.conftest import oidc, oidc_provider  # noqa: F401 (the real provider, as fixtures)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("oidc")]


@pytest.fixture(autouse=True)
def _browsers_closed() -> Iterator[None]:
    yield
    browser.close_all()


def test_offer_link_through_the_real_provider_to_an_accepted_place(live_server: Any, sent_round: OfferRound) -> None:
    base, issuer = live_server.url, settings.ASTI_OIDC_GUARDIAN_ISSUER  # (set by the oidc fixture)
    offer = offer_of("C1")  # Aino Virtanen; G1 (Maria) is the provider's test person "maria"
    token = token_for(offer, "G1")
    client = Browser(language="en")

    page = client.get(f"{base}/o/{token}")
    login = f"{base}/login/?next={quote(f'/o/{token}', safe='/')}"
    assert client.visited[:2] == [f"{base}/o/{token}", login], client.visited
    assert page.url.startswith(f"{issuer}/") and "Test identification" in page.text, page.text[:500]

    page = client.submit(page, button=("account", "maria"))
    callback = next(url for url in client.visited if url.startswith(f"{base}/login/callback/?"))
    assert client.visited.index(callback) < client.visited.index(f"{base}/o/{token}", 1)  # callback, then the link
    assert page.status_code == 200 and page.url == f"{base}/offers/{offer.pk}/"
    assert 'lang="fi"' in page.text  # Maria's language in the registry wins over the browser's
    assert "Esiopetuspaikka: Aino" in page.text and "Päiväkoti Kallio" in page.text
    assert f'href="/offers/{offer.pk}/accept/"' in page.text

    identity = CitizenIdentity.objects.get(hetu_digest=guardian("G1").hetu_digest)
    assert identity.last_method == LoginMethod.OIDC
    assert AuditEvent.objects.get(operation="LOGIN").target_id == "G1"

    accept = f"{base}/offers/{offer.pk}/accept/"
    assert client.request("POST", accept).status_code == 403  # the live server enforces CSRF: no token, no answer
    assert offer_of("C1").status == OfferStatus.OPEN

    confirm = client.get(accept)
    assert confirm.status_code == 200 and "Päiväkoti Kallio" in confirm.text
    assert re.search(r'name="csrfmiddlewaretoken" value="[^"]+"', confirm.text)
    done = client.submit(confirm, button=("", ""))  # the confirmation form's one unnamed button
    assert client.visited[-2:] == [accept, f"{base}/offers/{offer.pk}/accepted/"]
    assert done.status_code == 200 and "Päiväkoti Kallio" in done.text
    assert re.search(r"<h1>Paikka (vastaanotettu|otettu vastaan)</h1>", done.text)  # (two catalogs word it)

    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED and offer.answer_channel == AnswerChannel.LINK
    assert offer.answered_by == guardian("G1")

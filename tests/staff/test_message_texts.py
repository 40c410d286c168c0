"""The city's own message texts: the rules a text must keep (from the default file), history and the newest text
in use, the outbox rendering it, the staff pages (preview, save, return to the default), who may use them and the
audit trail. The default files' wording is never asserted: they are rendered and compared."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from asti.audit.models import AuditEvent
from asti.messaging.models import MessageText
from asti.messaging.services import OutgoingMessage, message_enqueue, message_enqueue_bulk
from asti.messaging.sms import sms_encoding
from asti.messaging.templates import city_texts, render_template, template_index
from asti.messaging.texts import (
    MessageTextError,
    editable_keys,
    message_text_check,
    message_text_reset,
    message_text_save,
    sample_context,
    sms_max_parts,
    text_rules,
)
from asti.offers.models import OfferRound
from tests.staff.conftest import client_for

pytestmark = pytest.mark.django_db

OFFER = "offers.offer"
# A text of our own that keeps every variable the Finnish offer SMS shows (read from the file, not written here).
OWN = (
    "{{ city.organisation }}: esiopetuspaikka. Lapsi: {{ child_first_name }}. "
    "Paikka: {{ unit_name }}, {{ unit_address }}, alkaa {{ start_date }}. "
    "Vastaa {{ deadline }} mennessä KYLLÄ{% if code %} {{ code }}{% endif %} tai EI. {{ link }} Soita {{ city.phone }}"
)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The services speak the active language; these tests read their English."""
    with translation.override("en"):
        yield


def offer_context(code: str = "") -> dict[str, Any]:
    return sample_context(text_rules(OFFER, "fi"), {"code": code})


def test_the_rules_come_from_the_default_file() -> None:
    rules = text_rules(OFFER, "fi")
    assert {"link", "deadline", "code", "child_first_name", "unit_name"} <= rules.required
    assert rules.sms and not text_rules("offers.offer_email", "fi").sms
    assert "email_replies" in text_rules("offers.offer_email", "fi").allowed  # tested, not shown: not required
    assert "email_replies" not in text_rules("offers.offer_email", "fi").required
    assert "messaging.test" not in editable_keys() and OFFER in editable_keys()
    assert message_text_check(key=OFFER, language="fi", subject="Paikka", body=OWN).errors == []


def test_a_missing_required_variable_is_refused() -> None:
    without_link = OWN.replace(" {{ link }}", "")
    with pytest.raises(MessageTextError) as refused:
        message_text_save(key=OFFER, language="fi", subject="Paikka", body=without_link, actor="pia")
    assert refused.value.errors == ["The text must keep {{ link }}: the family needs it."]
    without_code = OWN.replace("{% if code %} {{ code }}{% endif %}", "")
    assert "{{ code }}" in " ".join(message_text_check(key=OFFER, language="fi", subject="x", body=without_code).errors)
    assert not MessageText.objects.exists()


def test_a_variable_the_default_lacks_a_syntax_error_and_an_empty_subject_are_refused() -> None:
    unknown = message_text_check(key=OFFER, language="fi", subject="Paikka", body=OWN + " {{ guardian_name }}")
    assert unknown.errors == ["This message has no {{ guardian_name }}. Use only the variables of the default text."]
    broken = message_text_check(key=OFFER, language="fi", subject="Paikka", body=OWN + " {% if %}")
    assert broken.errors and broken.errors[0].startswith("The text cannot be read")
    no_subject = message_text_check(key=OFFER, language="fi", subject=" ", body=OWN)
    assert no_subject.errors and "subject" in no_subject.errors[0]
    include = message_text_check(key=OFFER, language="fi", subject="Paikka", body=OWN + ' {% include "x.html" %}')
    assert include.errors == ["Use only variables and {% if %} … {% endif %} in a message text."]
    failing_filter = message_text_check(key=OFFER, language="fi", subject="P", body=OWN + " {{ code|divisibleby:0 }}")
    assert failing_filter.errors and failing_filter.errors[0].startswith("The text cannot be shown")
    typo = message_text_check(key=OFFER, language="fi", subject="Paikka", body=OWN + " {{ city.organsation }}")
    assert typo.errors and "city.organsation" in typo.errors[0]


def test_an_sms_over_the_part_budget_is_refused_and_counted_as_the_outbox_counts() -> None:
    long = OWN + " Lisätietoa: " + "Esiopetus on maksutonta. " * 40
    check = message_text_check(key=OFFER, language="fi", subject="Paikka", body=long)
    assert check.sms is not None and check.rendered is not None
    assert check.sms == sms_encoding(check.rendered.body) and check.sms.parts > sms_max_parts()
    assert check.errors == [
        f"As an SMS the text takes {check.sms.parts} parts with long names; at most {sms_max_parts()} are allowed."
    ]
    with pytest.raises(MessageTextError):
        message_text_save(key=OFFER, language="fi", subject="Paikka", body=long, actor="pia")
    # an email-only text has no part budget
    email = text_rules("offers.offer_email", "fi")
    assert (
        message_text_check(key="offers.offer_email", language="fi", subject="x", body=email.default_body * 8).errors
        == []
    )


def test_the_budget_holds_for_the_long_demo_names_also_when_the_rounds_are_short() -> None:
    short = {"child_first_name": "Eva", "unit_name": "PK Aa"}
    budget = sms_max_parts()
    # padding that brings the text just past the last part's end with the long demo names
    padding = "x" * max(0, budget * 153 - 500)
    while message_text_check(key=OFFER, language="fi", subject="x", body=OWN + " " + padding + "x").errors == []:
        padding += "x"
    body = OWN + " " + padding + "x"
    over = message_text_check(key=OFFER, language="fi", subject="x", body=body)
    with_short_names = message_text_check(key=OFFER, language="fi", subject="x", body=body, sample=short)
    assert with_short_names.sms is not None and with_short_names.sms.parts <= budget  # fits the round's names…
    assert with_short_names.errors == over.errors != []  # …but not every family's


def test_ucs2_characters_and_a_costlier_text_are_pointed_out() -> None:
    check = message_text_check(key=OFFER, language="fi", subject="Paikka", body=OWN.replace("KYLLÄ", "“KYLLÄ”"))
    assert check.sms is not None and check.sms.encoding == "UCS-2" and check.ucs2_characters == "“”"
    assert check.default_sms is not None and check.costs_more == (check.sms.parts > check.default_sms.parts)


def test_history_is_kept_and_the_newest_text_is_used(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = message_text_save(key=OFFER, language="fi", subject="Eka", body="Eka. " + OWN, actor="pia")
        second = message_text_save(key=OFFER, language="fi", subject="Toka", body="Toka. " + OWN, actor="aki")
    assert MessageText.objects.filter(key=OFFER, language="fi").count() == 2
    first.refresh_from_db()
    assert first.body.startswith("Eka.")  # never overwritten
    texts = city_texts()
    rendered = render_template(OFFER, "fi", offer_context(), texts=texts)
    assert rendered.body.startswith("Toka.") and rendered.version == second.version != first.version
    assert render_template(OFFER, "sv", offer_context(), texts=texts).version == template_index()[(OFFER, "sv")].version

    with django_capture_on_commit_callbacks(execute=True):
        message_text_reset(key=OFFER, language="fi", actor="pia")
    default = render_template(OFFER, "fi", offer_context())
    assert render_template(OFFER, "fi", offer_context(), texts=city_texts()) == default
    assert MessageText.objects.filter(key=OFFER, language="fi").count() == 3
    events = AuditEvent.objects.filter(target_type="message_text", target_id="offers.offer.fi").order_by("at")
    assert [(e.operation, e.actor) for e in events] == [
        ("MESSAGE_TEXT_SAVE", "pia"),
        ("MESSAGE_TEXT_SAVE", "aki"),
        ("MESSAGE_TEXT_RESET", "pia"),
    ]
    assert events[1].details["version"] == second.version


def test_the_outbox_sends_the_citys_text_and_records_its_version() -> None:
    saved = message_text_save(key=OFFER, language="fi", subject="Paikka", body="Oma. " + OWN, actor="pia")
    with transaction.atomic():
        message = message_enqueue(
            channel="sms", recipient="0401234567", template_key=OFFER, language="fi", context=offer_context(),
            fallback_email="a@example.org", fallback_template_key=OFFER,
        )  # fmt: skip
    assert message.body.startswith("Oma. ") and message.template_version == saved.version
    assert message.fallback is not None and message.fallback["template_version"] == saved.version
    assert message.fallback["subject"] == "Paikka"


def test_the_outbox_reads_the_citys_texts_once_per_batch() -> None:
    message_text_save(key=OFFER, language="fi", subject="Paikka", body="Oma. " + OWN, actor="pia")
    batch = [
        OutgoingMessage(channel="sms", recipient=f"04012345{n:02}", template_key=OFFER, language="fi",
                        context=offer_context(), fallback_email="a@example.org")
        for n in range(40)
    ]  # fmt: skip
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        sent = message_enqueue_bulk(messages=batch)
    assert all(m.body.startswith("Oma. ") for m in sent)
    assert sum("messaging_messagetext" in q["sql"] for q in queries.captured_queries) == 1


# ---- the pages ---------------------------------------------------------------------------------------------------


def text_url(key: str = OFFER, language: str = "fi") -> str:
    return reverse("staff:message_text", args=[key, language])


@pytest.mark.parametrize("who", ["director", "nobody"])
def test_only_planners_and_administrators_may_use_the_pages(
    request: pytest.FixtureRequest, who: str, planner: User, admin_user: User
) -> None:
    user: User = request.getfixturevalue(who)
    client = client_for(user)
    for url in (reverse("staff:message_texts"), text_url()):
        assert client.get(url).status_code == 403
    post = client.post(text_url(), {"subject": "x", "body": OWN, "action": "save"})
    assert post.status_code == 403
    reset = client.post(reverse("staff:message_text_reset", args=[OFFER, "fi"]))
    assert reset.status_code == 403
    assert not MessageText.objects.exists()
    list_link = f'href="{reverse("staff:message_texts")}"'
    if who == "director":  # a staff member without the right is not shown the way in either
        assert list_link not in client.get(reverse("staff:home")).content.decode()
    for allowed in (planner, admin_user):
        assert client_for(allowed).get(text_url()).status_code == 200
        assert list_link in client_for(allowed).get(reverse("staff:home")).content.decode()  # in the header


def test_the_list_names_every_text_and_who_changed_it(planner: User) -> None:
    message_text_save(key=OFFER, language="sv", subject="Plats", body=text_rules(OFFER, "sv").default_body,
                      actor="pia.planner")  # fmt: skip
    client = client_for(planner)
    page = client.get(reverse("staff:message_texts")).content.decode()
    for key in editable_keys():
        assert text_url(key, "fi") in page and text_url(key, "en") in page
    assert "offers.offer" not in re.sub(r'(href|id)="[^"]*"', "", page)  # names, not codes
    assert "changed by pia.planner" in page and "Offer" in page
    client.cookies["django_language"] = "sv"
    assert "Meddelandetexter" in client.get(reverse("staff:message_texts")).content.decode()


def test_preview_shows_sms_parts_without_saving(planner: User, allocated_round: OfferRound) -> None:
    client = client_for(planner)
    response = client.post(text_url(), {"subject": "Paikka", "body": OWN, "action": "preview"})
    assert response.status_code == 200 and not MessageText.objects.exists()
    check = response.context["check"]
    page = response.content.decode()
    assert check.rendered is not None and check.sms is not None
    assert f'id="sms-parts">{check.sms.parts}<' in page and f'id="sms-length">{check.sms.length}<' in page
    assert f'id="sms-encoding">{check.sms.encoding}<' in page
    # the sample is the round's longest child's name and unit name
    longest = max(allocated_round.proposals.values_list("child__first_name", flat=True), key=len)
    assert longest in check.rendered.body and response.context["sample_from_round"]
    email = client.get(text_url("offers.offer_email", "sv")).content.decode()
    assert 'id="preview-subject"' in email and 'id="sms-parts"' not in email


def test_save_and_return_to_the_default_through_the_page(
    planner: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(planner)
    refused = client.post(text_url(), {"subject": "Paikka", "body": "Hei {{ child_first_name }}", "action": "save"})
    assert refused.status_code == 400 and "The text was not saved" in refused.content.decode()
    assert not MessageText.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(text_url(), {"subject": "Paikka", "body": OWN, "action": "save"}, follow=True)
    assert MessageText.objects.get().changed_by == "pia.planner"
    page = saved.content.decode()
    assert "own text is in use (changed by pia.planner" in page
    assert 'id="text-reset"' in page
    with django_capture_on_commit_callbacks(execute=True):
        back = client.post(reverse("staff:message_text_reset", args=[OFFER, "fi"]), follow=True)
    assert "The default text is in use." in back.content.decode()
    assert back.context["form"].initial["body"] == text_rules(OFFER, "fi").default_body
    operations = list(AuditEvent.objects.filter(actor="pia.planner").values_list("operation", flat=True))
    assert sorted(operations) == ["MESSAGE_TEXT_RESET", "MESSAGE_TEXT_SAVE"]


def test_an_unknown_text_or_language_is_not_found(planner: User) -> None:
    client = client_for(planner)
    assert client.get(text_url("offers.nothing", "fi")).status_code == 404
    assert client.get(text_url(OFFER, "de")).status_code == 404
    assert client.get(text_url("messaging.test", "fi")).status_code == 404


def test_a_staff_message_is_shown_once(planner: User) -> None:
    """The staff pages show Django's messages in their own place only, not again in the base template's."""
    client: Client = client_for(planner)
    page = client.post(text_url(), {"subject": "Paikka", "body": OWN, "action": "save"}, follow=True)
    text = page.content.decode()
    assert text.count("The text was saved. New messages use it from now on.") == 1
    assert text.count('class="staff-message ') == 1 and "asti-message" not in text

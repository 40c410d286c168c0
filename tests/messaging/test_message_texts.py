"""Every message text in every language, rendered with long, realistic values: names stand alone (no Finnish or
Swedish case ending is ever needed), every message says what the family can do next, the SMS texts keep their
part counts, and an email from a no-reply address never asks for a reply."""

from __future__ import annotations

import re
from typing import Any

import pytest

from asti.core import city
from asti.messaging.channels import email_from
from asti.messaging.sms import GSM7, sms_encoding
from asti.messaging.templates import render_template, template_keys

LANGUAGES = ("fi", "sv", "en")
NAME = "Aleksandra-Josefiina"
UNIT = "Päiväkoti Pikku-Huopalahden Satakieli"
LINK = "https://asti.example.fi/o/123456.1234567.1801555576~oTx3LZG9NIfQU1O3gc-DgVpMBaH_03Y02LoTFsNhbe8"
PAGE_LINKS = {  # the texts that link to a page of the e-service rather than to an offer
    "applications": "https://asti.example.fi/applications/123456/",
    "conversations": "https://asti.example.fi/messages/",
    "decisions": "https://asti.example.fi/",
}


def sample(language: str, **overrides: Any) -> dict[str, Any]:
    """Every variable any message text uses, as long as real ones get."""
    english = language == "en"
    return {
        "child_first_name": NAME,
        "unit_name": UNIT,
        "unit_address": "Kolmannenlinjankuja 123, 00530",
        "start_date": "2027-08-10" if english else "10.8.2027",
        "deadline": "2027-01-14" if english else "14.1.2027",
        "due_date": "2027-03-14" if english else "14.3.2027",
        "code": "",
        "codes": "",
        "example": "1",
        "link": LINK,
        "email_replies": False,
        "confirms_without_answer": True,
        "asks": False,
        "accepted": True,
        "answered": True,
        "answered_at": "2027-01-28 at 23:59" if english else "28.1.2027 klo 23.59",
        "answered_by": "Kristiina-Marjatta",
        "by_staff": False,
        "reason": "contradiction",
        "channel": "sms",
        "reference": "ES-2027-012345",
        "kind": "preschool",
        "text": "Testi",
        **overrides,
    }


# The variants a text branches on: each is rendered, so no branch escapes the checks.
VARIANTS: list[dict[str, Any]] = [
    {},
    {"code": "2", "codes": "1 Aino, 2 " + NAME, "example": "2"},
    {"confirms_without_answer": False, "accepted": False, "answered": False, "by_staff": True, "asks": True},
    {"reason": "question", "channel": "email", "kind": "ecec"},
    {"reason": "uncertain", "kind": "first_grade"},
    {"kind": "afternoon", "email_replies": True},
]
SMS_BUDGET = {"offers.offer": 3, "offers.reminder": 2}  # parts, as before the texts named the no-answer rule
OTHER_SMS_BUDGET = 2
NOT_FOR_FAMILIES = {"messaging.test"}  # staff's test send: the text is theirs
EMAIL_ONLY = {"offers.offer_email", "offers.reminder_email"}

# Finnish and Swedish words that would need the name in another case, or that put it in one
INFLECTING = re.compile(
    r"\b(lapse\w*|lasta|lapsen|pojalle|tytölle|ditt barn|för|till|åt)\s+" + re.escape(NAME), re.IGNORECASE
)


def family_texts() -> list[tuple[str, str]]:
    return [(key, language) for key in template_keys() if key not in NOT_FOR_FAMILIES for language in LANGUAGES]


def rendered(key: str, language: str) -> list[tuple[dict[str, Any], str, str]]:
    out = []
    link = LINK if key == "applications.decline_undone" else PAGE_LINKS.get(key.split(".")[0], LINK)
    for variant in VARIANTS:
        context = sample(language, link=link, **variant)
        text = render_template(key, language, context)
        out.append((context, text.subject, text.body))
    return out


@pytest.mark.parametrize(("key", "language"), family_texts())
def test_a_name_stands_alone_and_needs_no_case_ending(key: str, language: str) -> None:
    for _context, subject, body in rendered(key, language):
        for text in (subject, body):
            assert not INFLECTING.search(text), (key, language, text)
            # the child's and the unit's names follow a label ("Lapsi: ", "Paikka: ") or a reply code, and end
            # their phrase: nothing is glued to them that would ask for a genitive or a dative
            for name in (NAME, UNIT):
                for found in re.finditer(re.escape(name), text):
                    before, after = text[: found.start()], text[found.end() :]
                    assert re.search(r"(: |\b\d )$", before), (key, language, name, text)
                    assert re.match(r"($|[.,;)\n]| \()", after), (key, language, name, text)


@pytest.mark.parametrize(("key", "language"), family_texts())
def test_every_message_says_what_the_family_can_do_next(key: str, language: str) -> None:
    phone = city.texts(language).phone
    for context, _subject, body in rendered(key, language):
        assert phone in body or context["link"] in body, (key, language, body)
        if key.startswith("offers.") or key == "messaging.reply_received":
            assert phone in body, (key, language, body)  # a question about the answer is one call away


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("key", ["offers.offer", "offers.reminder", "offers.offer_email", "offers.reminder_email"])
def test_an_offer_says_what_the_deadline_does_without_an_answer(key: str, language: str) -> None:
    confirmed = {"fi": "paikka vahvistetaan", "sv": "bekräftas platsen", "en": "the place is confirmed"}[language]
    contacted = {"fi": "yhteyttä", "sv": "kontaktar", "en": "contact you"}[language]
    auto = render_template(key, language, sample(language)).body
    staff = render_template(key, language, sample(language, confirms_without_answer=False)).body
    assert confirmed in auto and contacted not in auto.split(city.texts(language).phone)[0].split(LINK)[0]
    assert confirmed not in staff and contacted in staff


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("key", ["offers.offer", "offers.reminder"])
def test_twins_codes_say_which_child_each_is(key: str, language: str) -> None:
    body = render_template(key, language, sample(language, code="2")).body
    word = {"fi": "tunnus 2", "sv": "kod 2", "en": "code 2"}[language]
    answer = {"fi": "KYLLÄ 2 tai EI 2", "sv": "JA 2 eller NEJ 2", "en": "YES 2 or NO 2"}[language]
    assert f"{NAME}, {word}" in body and answer in body
    single = render_template(key, language, sample(language)).body
    assert word not in single


@pytest.mark.parametrize("language", LANGUAGES)
def test_which_child_and_not_understood_list_each_code_with_its_child(language: str) -> None:
    codes = "1 Aino, 2 " + NAME
    for key in ("offers.which_child", "offers.not_understood"):
        body = render_template(key, language, sample(language, codes=codes)).body
        assert codes in body, (key, body)


@pytest.mark.parametrize("slug", city.bundled())
@pytest.mark.parametrize(("key", "language"), [(k, lang) for k, lang in family_texts() if k not in EMAIL_ONLY])
def test_sms_texts_stay_gsm7_within_their_part_budget(key: str, language: str, slug: str, settings: Any) -> None:
    settings.ASTI_CITY_PROFILE = city.load(slug)
    budget = SMS_BUDGET.get(key, OTHER_SMS_BUDGET)
    for _context, _subject, body in rendered(key, language):
        encoding = sms_encoding(body)
        assert encoding.encoding == GSM7, (key, language, body)
        assert encoding.parts <= budget, (key, language, encoding, body)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("key", sorted(EMAIL_ONLY))
def test_an_email_from_a_no_reply_address_never_asks_for_a_reply(key: str, language: str) -> None:
    answer_words = re.compile(r"\b(KYLLÄ|EI|JA|NEJ|YES|NO)\b")
    no_reply = render_template(key, language, sample(language, email_replies=False)).body
    assert not answer_words.search(no_reply), no_reply
    assert LINK in no_reply
    replies = render_template(key, language, sample(language, email_replies=True)).body
    assert answer_words.search(replies) and LINK in replies
    # the organisation writes: the sender's name is the city's, in the family's language
    assert email_from(language).startswith(city.texts(language).organisation)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_offer_opens_with_the_city_as_the_one_who_writes(language: str) -> None:
    for key in ("offers.offer", "offers.offer_email"):
        body = render_template(key, language, sample(language)).body
        assert city.texts(language).organisation in body.split(".")[0]


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_answer_says_when_the_decision_comes_or_how_to_go_on(language: str) -> None:
    when = city.texts(language).decisions_expected
    for key in ("offers.accepted", "offers.auto_accepted"):
        assert when in render_template(key, language, sample(language)).body, key
    other = render_template("offers.other_guardian", language, sample(language)).body
    assert when in other
    for key in ("offers.declined", "offers.other_guardian"):
        declined = render_template(key, language, sample(language, accepted=False)).body
        assert LINK in declined and when not in declined, key

"""Reads for the message-text pages and the round's send page: who may change the city's texts, a sample family
to preview a text with, and the offer exactly as a real family of the round would get it in each language.

Who may change the texts: planners (service guidance) and administrators, the staff who send the rounds and
answer the families' questions about them (docs/adr/0014-message-texts.md); unit directors and decision-makers
may not.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass

from django.db.models.functions import Length
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from asti.core import clock
from asti.messaging.models import Lane
from asti.messaging.sms import SmsEncoding, sms_encoding
from asti.messaging.templates import RenderedTemplate, city_texts, render_template
from asti.messaging.texts import editable_keys, sent_by_sms
from asti.offers.family import family_codes
from asti.offers.models import NoAnswerPolicy, Offer, OfferRound, Proposal, RoundStatus
from asti.offers.notify import EMAIL_TEXTS, messages_for
from asti.offers.sending import answer_deadline
from asti.people.models import Custody, Guardian
from asti.staff.labels import LANGUAGES, MESSAGE_TEMPLATES, label
from asti.staff.selectors import AnyUser, can_plan_rounds

OFFER_SMS = "offers.offer"
OFFER_EMAIL = EMAIL_TEXTS[OFFER_SMS]
PREVIEW_LANGUAGES = ("fi", "sv", "en")


def can_edit_message_texts(*, user: AnyUser) -> bool:
    """Planners (service guidance) and administrators; nobody else sees or changes the texts."""
    return can_plan_rounds(user=user)


def keys_in_order() -> list[str]:
    """The editable texts, the round's own first (in the order of the labels: offer, reminder, confirmations…)."""
    order = {key: n for n, key in enumerate(MESSAGE_TEMPLATES)}
    return sorted(editable_keys(), key=lambda key: (order.get(key, len(order)), key))


def key_name(key: str) -> str:
    return label(MESSAGE_TEMPLATES, key)


def key_channels(key: str) -> Promise:
    return _("SMS; email when there is no number") if sent_by_sms(key) else _("email")


# ---- a sample family ---------------------------------------------------------------------------------------------


def current_round() -> OfferRound | None:
    """The round the planners work on: the newest one that is not closed, else the newest."""
    rounds = OfferRound.objects.order_by("-year", "-pk")
    return rounds.exclude(status=RoundStatus.CLOSED).first() or rounds.first()


def round_sample(*, offer_round: OfferRound | None, language: str) -> dict[str, str]:
    """The longest child's first name and unit name of the round's proposals (what makes an SMS longest), for
    previewing a text; empty without a round (the demo values are used)."""
    if offer_round is None:
        return {}
    placed = Proposal.objects.filter(round=offer_round, unit__isnull=False)
    child = placed.annotate(n=Length("child__first_name")).order_by("-n").values_list("child__first_name", flat=True)
    name_field = "unit__name_sv" if language == "sv" else "unit__name_fi"
    unit = placed.annotate(n=Length(name_field)).order_by("-n").select_related("unit").first()
    out: dict[str, str] = {}
    if child.first():
        out["child_first_name"] = str(child.first())
    if unit is not None and unit.unit is not None:
        out["unit_name"] = unit.unit.name_in(language)
    return out


# ---- the round's settings and its offer as a family gets it ------------------------------------------------------


@dataclass(frozen=True)
class RoundSettings:
    answer_days: int
    deadline_if_sent_now: dt.datetime
    reminder_days_before: int
    reminder_if_sent_now: dt.datetime
    no_answer_text: str | Promise
    start_date: dt.date


NO_ANSWER_TEXTS: dict[str, Promise] = {
    NoAnswerPolicy.AUTO_ACCEPT: _(
        "The place is confirmed without an answer after the deadline, and the family is told so by message."
    ),
    NoAnswerPolicy.STAFF: _("Families who do not answer by the deadline go on the follow-up list for staff."),
}


def round_settings(*, offer_round: OfferRound) -> RoundSettings:
    deadline = answer_deadline(clock.now(), offer_round.answer_days)
    return RoundSettings(
        answer_days=offer_round.answer_days,
        deadline_if_sent_now=deadline,
        reminder_days_before=offer_round.reminder_days_before,
        reminder_if_sent_now=deadline - dt.timedelta(days=offer_round.reminder_days_before),
        no_answer_text=NO_ANSWER_TEXTS.get(offer_round.no_answer_policy, offer_round.get_no_answer_policy_display()),
        start_date=offer_round.first_day,
    )


@dataclass(frozen=True)
class OfferPreview:
    language: str
    language_name: str
    sms: RenderedTemplate
    sms_encoding: SmsEncoding
    email: RenderedTemplate


@dataclass(frozen=True)
class FamilyPreview:
    child_first_name: str
    unit_name: str
    with_code: bool
    languages: list[OfferPreview]


def _example_proposal(offer_round: OfferRound) -> Proposal | None:
    """A placed child with a guardian, the one whose name and unit make the longest message."""
    with_guardian = Custody.objects.filter(active=True, guardian__active=True).values("child_id")
    return (
        Proposal.objects.filter(round=offer_round, unit__isnull=False, child_id__in=with_guardian)
        .select_related("child", "unit", "round")
        .annotate(n=Length("child__first_name") + Length("unit__name_fi"))
        .order_by("-n", "pk")
        .first()
    )


def _code_for(proposal: Proposal, guardian: Guardian) -> str:
    """The family code the guardian's messages carry when they have more than one child in the round."""
    children = list(
        Proposal.objects.filter(
            round=proposal.round_id,
            unit__isnull=False,
            child__custodies__guardian=guardian,
            child__custodies__active=True,
        ).values_list("child__child_id", flat=True)
    )
    if len(children) < 2:
        return ""
    return family_codes(((c, guardian.guardian_id) for c in children), children)[proposal.child.child_id]


def round_offer_preview(*, offer_round: OfferRound) -> FamilyPreview | None:
    """The offer SMS and email as one real family of the round would get them now, in each language, with the
    city's own texts. The link has the real form but opens nothing (no offer exists yet); nothing is stored."""
    proposal = _example_proposal(offer_round)
    if proposal is None or proposal.unit is None:
        return None
    guardian = (
        Custody.objects.filter(child=proposal.child, active=True, guardian__active=True)
        .select_related("guardian")[0]
        .guardian
    )
    code = _code_for(proposal, guardian)
    offer = Offer(
        pk=0,  # an offer that does not exist: its link opens nothing
        round=offer_round,
        proposal=proposal,
        child=proposal.child,
        unit=proposal.unit,
        code=code,
        deadline=answer_deadline(clock.now(), offer_round.answer_days),
    )
    texts = city_texts()
    languages: list[OfferPreview] = []
    for language in PREVIEW_LANGUAGES:
        reader = copy.copy(guardian)
        reader.language = language
        reader.phone = reader.phone or "+358400000000"  # the SMS text is shown for everyone
        out = messages_for(offer, [reader], template_key=OFFER_SMS, lane=Lane.BULK, codes={reader.pk: code})[0]
        sms = render_template(OFFER_SMS, language, out.context, texts=texts)
        email = render_template(OFFER_EMAIL, language, out.context, texts=texts)
        languages.append(OfferPreview(language, str(LANGUAGES[language]), sms, sms_encoding(sms.body), email))
    return FamilyPreview(proposal.child.first_name, proposal.unit.name_fi, bool(code), languages)

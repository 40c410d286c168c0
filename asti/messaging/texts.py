"""A city's own message texts: what a text may and must contain, the SMS part budget, saving a text or returning
it to the default (each a new MessageText row, audited), and a test message that staff send to themselves.

The rules come from the template file in git, so there is one of each (docs/adr/0014-message-texts.md):
- a city's text may use only the variables its default uses (and the city profile, `city.*`);
- every variable the default body shows ({{ ... }}) must be shown in the city's body too: the child, the unit,
  the deadline, the link, the code to answer with are what the family needs; a variable the default only tests
  ({% if email_replies %}) may be left out;
- a text sent by SMS must stay within MESSAGING_SMS_MAX_PARTS parts, counted as asti.messaging.sms counts them,
  rendered with long sample values (the outbox refuses a longer SMS, which would stop a round's send);
- the text must compile and render, and have a subject (email, and the email a failed SMS falls back to).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template import Template
from django.template.base import FilterExpression, Node, TextNode, VariableNode
from django.template.defaulttags import CommentNode, IfNode
from django.utils.translation import gettext as _

from asti.audit.services import audit_log
from asti.core import clock
from asti.messaging.models import Channel, Lane, Message, MessageText, Status
from asti.messaging.sms import GSM7, SmsEncoding, phone_e164, sms_encoding, sms_text
from asti.messaging.templates import (
    RenderedTemplate,
    TemplateError,
    city_texts,
    compile_sources,
    render_compiled,
    render_template,
    template_index,
    template_keys,
    text_version,
)

TEST_TEMPLATE = "messaging.test"  # a frame for the text being tried ({{ text }}), not a text of its own
EMAIL_ONLY_SUFFIX = "_email"  # offers.offer_email: the email version of offers.offer, never an SMS
CITY = "city"  # the city profile, given to every template

# Long but real-looking values for every variable the templates use: a text is checked and previewed with them, so
# a text that fits with these fits for (nearly) every family. Conditions are true, which makes the longest text.
SAMPLE: Mapping[str, Any] = {
    "child_first_name": "Aleksandra-Josefiina",
    "unit_name": "Päiväkoti Pikku-Huopalahden Satakieli",
    "unit_address": "Kolmannenlinjankuja 123, 00530",
    "start_date": "10.8.2027",
    "deadline": "14.1.2027",
    "due_date": "14.1.2027",
    "answered_at": "14.1.2027 klo 23.59",
    "answered_by": "Aleksandra-Josefiina",
    "code": "2",
    "codes": "1 Aleksandra-Josefiina, 2 Maximilian",
    "example": "2",
    "reference": "ASTI-2027-012345",
    "text": "Lorem ipsum",
    "accepted": True,
    "answered": True,
    "asks": True,
    "by_staff": True,
    "email_replies": True,
    "channel": "email",
    "kind": "first_grade",
    "reason": "contradiction",
}
UNKNOWN_SAMPLE = "x" * 20  # a variable a new template adds before SAMPLE knows it


def sample_link() -> str:
    """As long as an offer's link: the e-service's address, /o/ and a signed token of about 60 characters."""
    return f"{settings.ASTI_PUBLIC_BASE_URL.rstrip('/')}/o/{'x' * 60}"


def sent_by_sms(key: str) -> bool:
    """Every template may go out by SMS (with its subject for the email fallback) but the *_email ones."""
    return not key.endswith(EMAIL_ONLY_SUFFIX)


def editable_keys() -> list[str]:
    return [key for key in template_keys() if key != TEST_TEMPLATE]


# ---- the variables of a template -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Variables:
    shown: frozenset[str]  # printed with {{ }}
    tested: frozenset[str]  # used in {% if %} only or also

    @property
    def used(self) -> frozenset[str]:
        return self.shown | self.tested


def _names(expression: FilterExpression) -> set[str]:
    out: set[str] = set()
    variables = [expression.var, *(arg for _f, args in expression.filters for lookup, arg in args if lookup)]
    for variable in variables:
        lookups = getattr(variable, "lookups", None)
        if lookups:
            out.add(".".join(lookups))
    return out


def _condition_names(condition: Any) -> set[str]:
    if condition is None:
        return set()
    if isinstance(getattr(condition, "value", None), FilterExpression):
        return _names(condition.value)
    return _condition_names(getattr(condition, "first", None)) | _condition_names(getattr(condition, "second", None))


ALLOWED_NODES = (TextNode, VariableNode, IfNode, CommentNode)  # text, {{ }}, {% if %}, {% comment %}: no includes


def other_tags(*templates: Template) -> set[str]:
    """The tags beyond {% if %} a text uses (the names of their nodes), which a message text may not."""
    return {
        type(node).__name__
        for template in templates
        for node in template.nodelist.get_nodes_by_type(Node)
        if not isinstance(node, ALLOWED_NODES)
    }


def template_variables(*templates: Template) -> Variables:
    """The variables the templates print and test, as dotted names ("unit_name", "city.organisation")."""
    shown: set[str] = set()
    tested: set[str] = set()
    for template in templates:
        nodes: list[Node] = template.nodelist.get_nodes_by_type(VariableNode)
        for node in nodes:
            assert isinstance(node, VariableNode)
            shown |= _names(node.filter_expression)
        for if_node in template.nodelist.get_nodes_by_type(IfNode):
            assert isinstance(if_node, IfNode)
            for condition, _nodelist in if_node.conditions_nodelists:
                tested |= _condition_names(condition)
    return Variables(frozenset(shown), frozenset(tested))


@dataclass(frozen=True)
class TextRules:
    """What a city's wording of (key, language) may use and must show, read from the default file."""

    key: str
    language: str
    default_subject: str
    default_body: str
    allowed: frozenset[str]
    required: frozenset[str]
    sms: bool

    def allows(self, name: str) -> bool:
        return name in self.allowed or name.split(".")[0] == CITY


def text_rules(key: str, language: str) -> TextRules:
    found = template_index().get((key, language))
    if found is None or key not in editable_keys():
        raise TemplateError(f"no editable message template {key!r} in language {language!r}")
    subject, body = compile_sources(found.subject_source, found.body_source)
    return TextRules(
        key=key,
        language=language,
        default_subject=found.subject_source.strip(),
        default_body=found.body_source.strip(),
        allowed=template_variables(subject, body).used,
        required=template_variables(body).shown,
        sms=sent_by_sms(key),
    )


def sample_context(rules: TextRules, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A value for every variable the default uses: SAMPLE's, a round's own (`overrides`), the sample link."""
    values = {**SAMPLE, "link": sample_link(), **(overrides or {})}
    names = {name.split(".")[0] for name in rules.allowed} - {CITY}
    return {name: values.get(name, UNKNOWN_SAMPLE) for name in names}


# ---- checking a text ---------------------------------------------------------------------------------------------


@dataclass
class TextCheck:
    """A text rendered with the sample values, its SMS encoding and parts next to the default's, and what is wrong
    with it (empty when it may be saved)."""

    rules: TextRules
    rendered: RenderedTemplate | None = None
    sms: SmsEncoding | None = None
    default: RenderedTemplate | None = None
    default_sms: SmsEncoding | None = None
    ucs2_characters: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def max_parts(self) -> int:
        return sms_max_parts()

    @property
    def costs_more(self) -> bool:
        return bool(self.sms and self.default_sms and self.sms.parts > self.default_sms.parts)


def sms_max_parts() -> int:
    """The part budget of one SMS: the outbox refuses a longer one (asti.messaging.services)."""
    limit: int = settings.MESSAGING_SMS_MAX_PARTS
    return limit


def _ucs2_characters(text: str) -> str:
    """The characters that make a text UCS-2 (each at most once, in order): e.g. – or ’ typed by a word processor."""
    seen: list[str] = []
    for char in sms_text(text):
        if sms_encoding(char).encoding != GSM7 and char not in seen:
            seen.append(char)
    return "".join(seen)


def _display(names: Iterable[str]) -> str:
    return ", ".join("{{ " + name + " }}" for name in sorted(names))


def message_text_check(
    *, key: str, language: str, subject: str, body: str, sample: Mapping[str, Any] | None = None
) -> TextCheck:
    """Checks a city's wording of (key, language) against its default and renders both with the sample."""
    rules = text_rules(key, language)
    check = TextCheck(rules=rules)
    context = sample_context(rules, sample)
    check.default = render_template(key, language, context)
    if rules.sms:
        check.default_sms = sms_encoding(check.default.body)
    if not subject.strip():
        check.errors.append(_("Write a subject: it is the subject of the email, also when an SMS cannot be sent."))
    if not body.strip():
        check.errors.append(_("Write the text of the message."))
        return check
    try:
        subject_template, body_template = compile_sources(subject.strip(), body.strip())
    except TemplateError as error:
        check.errors.append(_("The text cannot be read: %(error)s") % {"error": error})
        return check
    if other_tags(subject_template, body_template):
        check.errors.append(_("Use only variables and {% if %} … {% endif %} in a message text."))
        return check
    used = template_variables(subject_template, body_template)
    unknown = {name for name in used.used if not rules.allows(name)}
    if unknown:
        check.errors.append(
            _("This message has no %(names)s. Use only the variables of the default text.")
            % {"names": _display(unknown)}
        )
    missing = rules.required - template_variables(body_template).shown
    if missing:
        check.errors.append(_("The text must keep %(names)s: the family needs it.") % {"names": _display(missing)})
    if unknown:
        return check
    try:
        check.rendered = render_compiled(
            subject_template, body_template, language, context, version=text_version(subject, body), name=key
        )
        # the SMS budget holds for the round's names and for the long demo names, whichever make more parts
        demo = render_compiled(subject_template, body_template, language, sample_context(rules), version="", name=key)
    except Exception as error:  # a text typed by staff may fail in any filter ({{ code|divisibleby:0 }})
        check.errors.append(_("The text cannot be shown: %(error)s") % {"error": error})
        return check
    if rules.sms:
        check.sms = sms_encoding(check.rendered.body)
        check.ucs2_characters = _ucs2_characters(check.rendered.body)
        parts = max(check.sms.parts, sms_encoding(demo.body).parts)
        if parts > sms_max_parts():
            check.errors.append(
                _("As an SMS the text takes %(parts)d parts with long names; at most %(max)d are allowed.")
                % {"parts": parts, "max": sms_max_parts()}
            )
    return check


# ---- saving ------------------------------------------------------------------------------------------------------


class MessageTextError(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def message_text_save(
    *, key: str, language: str, subject: str, body: str, actor: str, sample: Mapping[str, Any] | None = None
) -> MessageText:
    """Saves the city's wording of (key, language) as a new row, in use from now on; refused when it breaks a rule."""
    check = message_text_check(key=key, language=language, subject=subject, body=body, sample=sample)
    if check.errors:
        raise MessageTextError(check.errors)
    subject, body = subject.strip(), body.strip()
    with transaction.atomic():
        text = MessageText.objects.create(
            key=key,
            language=language,
            subject=subject,
            body=body,
            version=text_version(subject, body),
            changed_by=actor,
            changed_at=clock.now(),
        )
        audit_log(
            actor=actor,
            operation="MESSAGE_TEXT_SAVE",
            target_type="message_text",
            target_id=f"{key}.{language}",
            details={"version": text.version, "row": text.pk, "sms_parts": check.sms.parts if check.sms else None},
        )
    return text


def message_text_reset(*, key: str, language: str, actor: str) -> MessageText:
    """Returns (key, language) to the default text in git: a new row saying so; the history stays."""
    text_rules(key, language)  # an editable key and language
    with transaction.atomic():
        text = MessageText.objects.create(
            key=key, language=language, is_default=True, changed_by=actor, changed_at=clock.now()
        )
        audit_log(
            actor=actor,
            operation="MESSAGE_TEXT_RESET",
            target_type="message_text",
            target_id=f"{key}.{language}",
            details={"row": text.pk},
        )
    return text


def message_text_current(*, key: str, language: str) -> MessageText | None:
    """The newest row of (key, language), None when the city never changed it."""
    return MessageText.objects.filter(key=key, language=language).order_by("-id").first()


def message_text_history(*, key: str, language: str, limit: int = 20) -> list[MessageText]:
    return list(MessageText.objects.filter(key=key, language=language).order_by("-id")[:limit])


def message_texts_newest() -> dict[tuple[str, str], MessageText]:
    """The newest row of every (key, language) the city has changed, for the list of texts."""
    return {(row.key, row.language): row for row in MessageText.objects.newest()}


def city_text_in_use(*, key: str, language: str) -> tuple[str, str]:
    """(subject, body) sources in use now: the city's own, or the default file's."""
    own = city_texts().get((key, language))
    if own is not None:
        return own.subject_source, own.body_source
    rules = text_rules(key, language)
    return rules.default_subject, rules.default_body


# ---- a test message ----------------------------------------------------------------------------------------------


class RecipientError(Exception):
    pass


def message_test_send(
    *, recipient: str, language: str, text_by_sms: str, text_by_email: str, actor: str, about: str
) -> Message:
    """Sends a text (e.g. a round's offer as a family would get it) to a phone number or an email address a staff
    member typed: `text_by_sms` to a number, `text_by_email` to an address, through the outbox and the worker like
    any message, as a test message that belongs to no family and is followed by nobody. `about` ("round 12") goes
    into the audit trail."""
    from asti.messaging.services import message_enqueue

    recipient = recipient.strip()
    number = None if "@" in recipient else phone_e164(recipient)
    if "@" in recipient:
        channel, text = Channel.EMAIL, text_by_email
    elif number is not None:
        channel, recipient, text = Channel.SMS, number, text_by_sms
    else:
        raise RecipientError(_("Write a phone number (e.g. 040 123 4567) or an email address."))
    with transaction.atomic():
        message = message_enqueue(
            channel=channel,
            recipient=recipient,
            template_key=TEST_TEMPLATE,
            language=language,
            context={"text": text},
            lane=Lane.FAST,
            follow_up_on_failure=False,
        )
        if message.status != Status.CREATED:  # an address the outbox cannot send to: nothing is kept
            raise RecipientError(_("Write a phone number (e.g. 040 123 4567) or an email address."))
        audit_log(
            actor=actor,
            operation="MESSAGE_TEST_SEND",
            target_type="message",
            target_id=str(message.pk),
            details={"channel": channel, "language": language, "about": about},
        )
    return message

"""What the staff pages show for the codes the domain stores (a reply's handling result, a message's template,
an audit event's operation), in the reader's language. One place, so no page shows `not_understood` or
`offers.offer`; a code not listed here is shown as it is, and tests/staff/test_labels.py lists every code the
project writes."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from asti.messaging.models import Channel, HandlingResult

LANGUAGES: Mapping[str, Promise] = {"fi": _("Finnish"), "sv": _("Swedish"), "en": _("English")}

CHANNELS: Mapping[str, Promise] = {str(value): label for value, label in Channel.choices}

REPLY_RESULTS: Mapping[str, Promise] = {
    **{str(value): label for value, label in HandlingResult.choices},
    "accepted": _("read as accepting the place"),
    "declined": _("read as declining the place"),
    "same_again": _("the same answer again"),
    "guardians_disagree": _("the other guardian had answered differently"),
    "answer_changed": _("a change to an earlier answer"),
    "not_understood": _("not understood"),
    "contradiction": _("both yes and no"),
    "question": _("a question, not an answer"),
    "uncertain": _("not a clear answer"),
    "late": _("after the deadline"),
    "no_open_offer": _("no open offer"),
    "which_child": _("did not say which child"),
    "not_about_offer": _("not about an offer"),
    "unknown_number": _("from a number not in the register"),
    "sender_unverified": _("sender not verified"),
    "automatic": _("automatic reply (out of office or undelivered)"),
}

MESSAGE_TEMPLATES: Mapping[str, Promise] = {
    "offers.offer": _("offer"),
    "offers.offer_email": _("offer"),
    "offers.reminder": _("reminder"),
    "offers.reminder_email": _("reminder"),
    "offers.accepted": _("confirmation: place accepted"),
    "offers.declined": _("confirmation: place declined"),
    "offers.auto_accepted": _("place confirmed without an answer"),
    "offers.answer_recorded": _("confirmation: answer recorded"),
    "offers.answer_kept": _("the earlier answer stands"),
    "offers.other_guardian": _("to the other guardian: an answer was given"),
    "offers.late": _("answer: the deadline has passed"),
    "offers.no_open_offer": _("answer: no open offer"),
    "offers.not_understood": _("answer: reply not understood"),
    "offers.unclear": _("answer: reply not clear"),
    "offers.unknown_number": _("answer: unknown number"),
    "offers.which_child": _("answer: which child?"),
    "messaging.reply_received": _("answer: reply received, staff will read it"),
    "messaging.test": _("test message"),
    "applications.sent": _("application sent"),
    "applications.sent_other": _("to the other guardian: application sent"),
    "applications.cancelled": _("application cancelled"),
    "applications.cancelled_other": _("to the other guardian: application cancelled"),
    "applications.decline_undone": _("decline undone"),
    "decisions.ready": _("decision ready"),
    "conversations.new_message": _("new message from the city"),
}

AUDIT_OPERATIONS: Mapping[str, Promise] = {
    "VIEW": _("viewed"),
    "VIEW_LIST": _("viewed in a list"),
    "SEARCH": _("searched"),
    "LIST": _("listed"),
    "EXPORT": _("exported"),
    "IMPORT": _("imported"),
    "LOGIN": _("logged in"),
    "LOGIN_REFUSED": _("login refused"),
    "LOGOUT": _("logged out"),
    "STAFF_ROLES_CHANGE": _("roles changed at the identity provider"),
    "AUDIT_READ": _("read the audit trail"),
    "AUDIT_EXPORT": _("exported the audit trail"),
    "SEARCH_IDENTITY_CODE": _("searched by identity code"),
    "PERSONAL_DATA_EXPORT": _("the person's own data exported"),
    "RETENTION_PURGE": _("expired data removed"),
    "PERSON_ERASE": _("the person's data erased"),
    "RESOLVE": _("follow-up done"),
    "FOLLOW_UP_ASSIGN": _("follow-up assigned"),
    "CALL_NOTE_ADD": _("note of a call added"),
    "ANSWER_TEMPLATE_SAVE": _("ready answer saved"),
    "DELIVERY_CONSENT": _("electronic delivery chosen"),
    "UNIT_UPDATE": _("unit details changed"),
    "SCHOOL_UPDATE": _("school details changed"),
    "OFFER_ANSWER": _("offer answered"),
    "OFFER_DECLINE_REASON": _("reason for declining given"),
    "OFFER_DECLINE_UNDO": _("decline undone"),
    "OFFER_LINK_REFUSED": _("offer link refused"),
    "PROPOSAL_OVERRIDE": _("proposal changed by a planner"),
    "ROUND_CREATE": _("round created"),
    "ROUND_ALLOCATE": _("round allocated"),
    "ROUND_SEND": _("round sent"),
    "ROUND_REMIND": _("reminders sent"),
    "ROUND_DEADLINE": _("deadline passed"),
    "ROUND_CLOSE": _("round closed"),
    "SECOND_ROUND_ALLOCATE": _("second round allocated"),
    "SECOND_ROUND_CONFIRM": _("second round confirmed"),
    "APPLICATION_CREATE": _("application entered"),
    "APPLICATION_SEND": _("application sent"),
    "APPLICATION_EDIT": _("application changed"),
    "APPLICATION_CANCEL": _("application cancelled"),
    "APPLICATION_PROCESS": _("application taken into processing"),
    "APPLICATION_PROPOSE": _("place proposed"),
    "APPLICATION_NOTE": _("note on an application"),
    "APPLICATION_ATTACHMENT_ADD": _("attachment added"),
    "APPLICATION_ATTACHMENT_READ": _("attachment opened"),
    "APPLICATION_ATTACHMENT_REMOVE": _("attachment removed"),
    "DECISIONS_PREPARE": _("decisions prepared"),
    "DECISIONS_APPROVE": _("decisions approved"),
    "DECISIONS_RELEASE": _("decisions released"),
    "DECISIONS_PRINT_FILE_READ": _("print file of decisions opened"),
    "DECISION_VIEW": _("decision viewed"),
    "DECISION_READ": _("decision read"),
    "DECISION_DOWNLOAD": _("decision downloaded"),
    "THREAD_START": _("message thread started"),
    "THREAD_WRITE": _("message written"),
    "THREAD_NOTE": _("internal note written"),
    "THREAD_ASSIGN": _("message thread assigned"),
    "THREAD_CLOSE": _("message thread closed"),
    "THREAD_REOPEN": _("message thread reopened"),
    "THREAD_ATTACHMENT_READ": _("message attachment opened"),
    "MESSAGE_TEXT_SAVE": _("message text changed"),
    "MESSAGE_TEXT_RESET": _("message text returned to the default"),
    "MESSAGE_TEST_SEND": _("test message sent"),
}

AUDIT_STATUSES: Mapping[str, Promise] = {"SUCCESS": _("done"), "REFUSED": _("refused"), "FAILED": _("failed")}

AUDIT_TARGETS: Mapping[str, Promise] = {
    "child": _("child"),
    "guardian": _("guardian"),
    "round": _("round"),
    "unit": _("unit"),
    "school": _("school"),
    "staff": _("staff member"),
    "audit": _("audit trail"),
    "extract": _("registry extract"),
    "family_search": _("family search"),
    "follow_up": _("follow-up"),
    "decision_batch": _("decision batch"),
    "answer_template": _("ready answer"),
    "person": _("person"),
    "application": _("application"),
    "import_run": _("import of a registry extract"),
    "admission_area": _("admission area"),
    "municipality": _("municipality"),
    "message": _("message sent"),
    "inbound_message": _("message received"),
    "staff_profile": _("staff member's login"),
    "citizen_identity": _("guardian's login"),
    "retention": _("retention periods"),
    "message_text": _("message text"),
}


def label(table: Mapping[str, Promise], code: str) -> str:
    """The label of `code` in `table`, in the active language; the code itself when the table lacks it."""
    found = table.get(code)
    return str(found) if found is not None else code


def message_label(*, channel: str, template_key: str) -> str:
    """E.g. "SMS – offer" (a template's label may have a colon of its own)."""
    return f"{label(CHANNELS, channel)} – {label(MESSAGE_TEMPLATES, template_key)}"

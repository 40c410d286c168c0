"""Messages with the city: the guardian's threads, writing to service guidance or to a child's unit, a thread with
its replies, and the files in it. Both custodians of a child see and answer the threads about the child."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from asti.citizen.access import guardian_page
from asti.citizen.problems import attachment_refused_text
from asti.conversations.models import MAX_BODY, AuthorKind, Origin, Thread, ThreadMessage, Topic
from asti.conversations.selectors import (
    messages_for_guardian,
    recipients_for,
    thread_for_guardian,
    threads_for_guardian,
)
from asti.conversations.services import (
    MAX_TITLE,
    ConversationError,
    ConversationErrorCode,
    attachment_for_guardian,
    guardian_reply,
    max_attachments,
    thread_read_by_guardian,
    thread_start_by_guardian,
)
from asti.core.uploads import TOO_MANY, AttachmentRefused
from asti.offers.selectors import children_visible_for
from asti.people.models import Child, Guardian
from asti.units.models import Unit

GENERAL = "general"
FILES = "files"
NO_CHILD = "none"
GUIDANCE = "guidance"


def _language() -> str:
    return get_language() or settings.LANGUAGE_CODE


def team_name(unit: Unit | None) -> str:
    """Who answers a thread: service guidance, or the unit (its name in the page's language)."""
    return unit.name_in(_language()) if unit is not None else _("Service guidance")


def thread_title(thread: Thread) -> str:
    """The title the guardian gave, or what a thread begun by their reply is to them."""
    if thread.title:
        return thread.title
    if thread.origin == Origin.SMS_REPLY:
        return _("Your text message reply")
    if thread.origin == Origin.EMAIL_REPLY:
        return _("Your email reply")
    return thread.display_title


def _files(request: HttpRequest) -> list[UploadedFile]:
    return list(request.FILES.getlist(FILES))


def _refused_text(reason: str) -> str:
    if reason == TOO_MANY:
        return _("A message may have at most %(n)s attachments.") % {"n": max_attachments()}
    return attachment_refused_text(reason)


def _error_field(code: ConversationErrorCode) -> tuple[str, str]:
    """Where on the form a refusal of the service is shown, and its words."""
    texts = {
        ConversationErrorCode.EMPTY: ("body", _("Write your message.")),
        ConversationErrorCode.TOO_LONG: (
            "body", _("The message is too long. It may be at most %(n)s characters.") % {"n": MAX_BODY}
        ),
        ConversationErrorCode.NO_TITLE: ("title", _("Give the message a title.")),
        ConversationErrorCode.NOT_GUARDIAN: ("child", _("You cannot write about this child.")),
        ConversationErrorCode.UNKNOWN_TEAM: (
            "recipient",
            _(
                "You can write to a unit only about a child who is in the unit or has a place there. Choose that "
                "child, or write to service guidance."
            ),
        ),
    }  # fmt: skip
    return texts.get(code, (GENERAL, _("The message could not be sent. Please try again.")))


def _describe(form: forms.Form, problems: dict[str, list[str]], hinted: set[str]) -> None:
    """Ties each input to its hint and to the problems shown next to it (for screen readers)."""
    for name, field in form.fields.items():
        ids = [f"id_{name}-hint"] if name in hinted else []
        if problems.get(name):
            ids.append(f"id_{name}-error")
        attrs = field.widget.attrs
        attrs.pop("aria-describedby", None)
        attrs.pop("aria-invalid", None)
        if ids:
            attrs["aria-describedby"] = " ".join(ids)
        if problems.get(name):
            attrs["aria-invalid"] = "true"


def _problems(form: forms.Form) -> dict[str, list[str]]:
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


def _files_context(problems: dict[str, list[str]], request: HttpRequest) -> dict[str, Any]:
    return {
        "files_errors": problems.get(FILES, []),
        "files_again": request.method == "POST" and bool(_files(request)) and bool(problems),
        "max_files": max_attachments(),
        "max_file_mb": settings.ASTI_ATTACHMENT_MAX_BYTES // (1024 * 1024),
    }


# ---- the list --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThreadRow:
    thread: Thread
    title: str
    child_name: str
    team: str
    unread: bool


@guardian_page
@require_GET
def message_list(request: HttpRequest, guardian: Guardian) -> HttpResponse:
    """The guardian's threads, the newest first, the unread ones marked (one query whatever their number)."""
    rows = [
        ThreadRow(
            thread=thread,
            title=thread_title(thread),
            child_name=thread.child.first_name if thread.child else "",
            team=team_name(thread.unit),
            unread=bool(getattr(thread, "unread", False)),
        )
        for thread in threads_for_guardian(guardian=guardian)
    ]
    return render(request, "citizen/messages.html", {"rows": rows})


# ---- writing to the city ---------------------------------------------------------------------------------------


class MessageForm(forms.Form):
    """The message itself; the files are read from the request (the service checks them)."""

    body = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 8, "class": "asti-textarea"}),
        error_messages={
            "required": gettext_lazy("Write your message."),
            "max_length": gettext_lazy("The message is too long. It may be at most %(limit_value)d characters."),
        },
    )


class NewThreadForm(MessageForm):
    child = forms.ChoiceField(
        label=gettext_lazy("Which child is the message about?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose the child, or that the message is about no particular child."),
            "invalid_choice": gettext_lazy("Choose one of the options."),
        },
    )
    recipient = forms.ChoiceField(
        label=gettext_lazy("To whom?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose who the message goes to."),
            "invalid_choice": gettext_lazy("Choose one of the options."),
        },
    )
    topic = forms.ChoiceField(
        label=gettext_lazy("Topic"),
        error_messages={"invalid_choice": gettext_lazy("Choose one of the options.")},
        widget=forms.Select(attrs={"class": "asti-select"}),
    )
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=MAX_TITLE,
        widget=forms.TextInput(attrs={"class": "citizen-input"}),
        error_messages={
            "required": gettext_lazy("Give the message a title."),
            "max_length": gettext_lazy("The title is too long. It may be at most %(limit_value)d characters."),
        },
    )

    def __init__(self, *args: Any, children: list[Child], units: list[tuple[Unit, list[Child]]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        language = _language()
        child_field = self.fields["child"]
        assert isinstance(child_field, forms.ChoiceField)
        child_field.choices = [
            *((str(child.pk), f"{child.first_name} {child.last_name}") for child in children),
            (NO_CHILD, _("No particular child")),
        ]
        recipient_field = self.fields["recipient"]
        assert isinstance(recipient_field, forms.ChoiceField)
        recipient_field.choices = [
            (GUIDANCE, _("Service guidance: questions about applications, places, offers and decisions")),
            *(
                (
                    str(unit.pk),
                    _("%(unit)s, the director (about %(children)s)")
                    % {"unit": unit.name_in(language), "children": ", ".join(c.first_name for c in about)},
                )
                for unit, about in units
            ),
        ]
        topic_field = self.fields["topic"]
        assert isinstance(topic_field, forms.ChoiceField)
        topic_field.choices = [(value, capfirst(str(label))) for value, label in Topic.choices]
        self.order_fields(["child", "recipient", "topic", "title", "body"])


def _units_by_child(guardian: Guardian, children: list[Child]) -> list[tuple[Unit, list[Child]]]:
    """The units the guardian may write to, each with the children it may be written to about."""
    found: dict[int, tuple[Unit, list[Child]]] = {}
    for child in children:
        for unit in recipients_for(guardian=guardian, child=child):
            found.setdefault(unit.pk, (unit, []))[1].append(child)
    return sorted(found.values(), key=lambda pair: pair[0].name_in(_language()))


@guardian_page
@require_http_methods(["GET", "POST"])
def message_new(request: HttpRequest, guardian: Guardian) -> HttpResponse:
    """Writes to service guidance, or to the director of a unit the child is in or has a place in."""
    children = list(children_visible_for(guardian=guardian).order_by("birth_date", "first_name", "pk"))
    units = _units_by_child(guardian, children)

    def show(form: NewThreadForm, problems: dict[str, list[str]], status: int = 200) -> HttpResponse:
        _describe(form, problems, hinted={"recipient"})
        context = {
            "form": form,
            "problems": problems,
            "general_problems": problems.get(GENERAL, []),
            **_files_context(problems, request),
        }
        return render(request, "citizen/message_new.html", context, status=status)

    if request.method == "GET":
        initial: dict[str, Any] = {"topic": Topic.GENERAL, "recipient": GUIDANCE}
        asked = request.GET.get("child", "")
        if any(str(child.pk) == asked for child in children):
            initial["child"] = asked
        elif len(children) == 1:
            initial["child"] = str(children[0].pk)
        return show(NewThreadForm(initial=initial, children=children, units=units), {})

    form = NewThreadForm(request.POST, children=children, units=units)
    if not form.is_valid():
        return show(form, _problems(form), status=400)
    data = form.cleaned_data
    child = next((c for c in children if str(c.pk) == data["child"]), None)
    unit = next((u for u, _about in units if str(u.pk) == data["recipient"]), None)
    try:
        thread = thread_start_by_guardian(
            guardian=guardian, child=child, title=data["title"], body=data["body"], topic=data["topic"], unit=unit,
            files=_files(request),
        )  # fmt: skip
    except AttachmentRefused as refused:
        return show(form, {FILES: [_refused_text(refused.reason)]}, status=400)
    except ConversationError as error:
        field, text = _error_field(error.code)
        return show(form, {field: [text]}, status=400)
    messages.success(request, _("Your message has been sent. You will get an answer here."))
    return redirect("citizen:thread", thread_id=thread.pk)


# ---- one thread ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MessageRow:
    message: ThreadMessage
    author: str
    mine: bool


def _author(message: ThreadMessage, guardian: Guardian, team: str) -> str:
    if message.author_kind == AuthorKind.GUARDIAN:
        if message.guardian_id == guardian.pk:
            return _("You")
        return message.guardian.first_name if message.guardian is not None else _("Guardian")
    if message.author_kind == AuthorKind.STAFF:
        return f"{message.staff_name}, {team}" if message.staff_name else team
    return _("The e-service")


@guardian_page
@require_http_methods(["GET", "POST"])
def thread_page(request: HttpRequest, guardian: Guardian, thread_id: int) -> HttpResponse:
    """The thread's messages in order (never staff's internal notes) and the reply form; opening it marks it read."""
    thread = thread_for_guardian(guardian=guardian, thread_id=thread_id)
    if thread is None:
        raise Http404
    problems: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        form = MessageForm(request.POST)
        if form.is_valid():
            try:
                guardian_reply(guardian=guardian, thread=thread, body=form.cleaned_data["body"], files=_files(request))
            except AttachmentRefused as refused:
                problems = {FILES: [_refused_text(refused.reason)]}
            except ConversationError as error:
                field, text = _error_field(error.code)
                problems = {field: [text]}
            else:
                messages.success(request, _("Your message has been sent."))
                return redirect("citizen:thread", thread_id=thread.pk)
        else:
            problems = _problems(form)
        status = 400
    else:
        form = MessageForm()
        thread_read_by_guardian(guardian=guardian, thread=thread)
    team = team_name(thread.unit)
    rows = [
        MessageRow(message=m, author=_author(m, guardian, team), mine=m.guardian_id == guardian.pk)
        for m in messages_for_guardian(thread=thread)
    ]
    _describe(form, problems, hinted=set())
    context = {
        "thread": thread,
        "title": thread_title(thread),
        "team": team,
        "rows": rows,
        "form": form,
        "problems": problems,
        "general_problems": problems.get(GENERAL, []),
        **_files_context(problems, request),
    }
    return render(request, "citizen/thread.html", context, status=status)


@guardian_page
@require_GET
def message_attachment(request: HttpRequest, guardian: Guardian, attachment_id: int) -> HttpResponseBase:
    """A file in a thread the guardian sees (each read audited); never shown inline or cached."""
    attachment = attachment_for_guardian(guardian=guardian, attachment_id=attachment_id)
    if attachment is None:
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

"""The team inbox: the threads of service guidance or of a unit's directors, one thread with its family, answers and
internal notes, assignment, closing, a new thread to a family, and the team's ready answers.

Service guidance (planners, administrators) reads its own team's threads; a unit director those of their units.
Every page that shows a family is audited: the list's rows (SEARCH), a thread (VIEW, by the service, with the
guardians it shows) and each attachment read; the services audit every change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from asti.audit.services import audit_log_many
from asti.conversations.models import MAX_BODY, AnswerTemplate, AuthorKind, Origin, Thread, ThreadMessage
from asti.conversations.selectors import (
    SERVICE_GUIDANCE,
    InboxCounts,
    InboxFilters,
    answer_template_for_staff,
    answer_templates_for,
    answer_templates_of,
    assignees_for,
    can_use_inbox,
    inbox,
    inbox_counts,
    inbox_rows,
    messages_for_staff,
    team_unit,
    teams_for,
    thread_family,
    thread_for_staff,
)
from asti.conversations.services import (
    ConversationError,
    ConversationErrorCode,
    answer_template_save,
    attachment_for_staff,
    max_attachments,
    staff_reply,
    thread_assign,
    thread_close,
    thread_read_by_staff,
    thread_reopen,
    thread_start_by_staff,
)
from asti.core.models import Language
from asti.core.uploads import EMPTY, TOO_BIG, TOO_MANY, WRONG_TYPE, AttachmentRefused
from asti.people.models import Child, Guardian
from asti.staff.access import actor, staff_view
from asti.staff.families import family_guardians
from asti.staff.forms_inbox import OPEN, AnswerTemplateForm, AssignForm, InboxFilterForm, NewThreadForm, ReplyForm
from asti.staff.selectors import can_see_families, families_visible_for
from asti.units.models import Unit

PAGE_SIZE = 50
FILES = "files"
ACCEPTED_FILES = ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"

ORIGINS = {
    Origin.PORTAL: gettext_lazy("Written in the e-service"),
    Origin.STAFF: gettext_lazy("Started by staff"),
    Origin.SMS_REPLY: gettext_lazy("SMS reply"),
    Origin.EMAIL_REPLY: gettext_lazy("Email reply"),
}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # staff_view let only a logged-in staff member in
    return user


def team_name(unit: Unit | None) -> str:
    return unit.name_fi if unit is not None else _("Service guidance")


def _teams(request: HttpRequest) -> list[tuple[str, str]]:
    """The user's teams as (value, name): service guidance and the units they direct."""
    return [(value, name or _("Service guidance")) for value, name in teams_for(user=request.user)]


def _files(request: HttpRequest) -> list[UploadedFile]:
    return list(request.FILES.getlist(FILES))


def _refused_text(reason: str) -> str:
    if reason == TOO_BIG:
        megabytes = settings.ASTI_ATTACHMENT_MAX_BYTES // (1024 * 1024)
        return _("The file is too big. A file may be at most %(mb)s MB.") % {"mb": megabytes}
    if reason == WRONG_TYPE:
        return _("This type of file cannot be added. Only PDF, JPEG and PNG files are accepted.")
    if reason == TOO_MANY:
        return _("A message may have at most %(n)s attachments.") % {"n": max_attachments()}
    if reason == EMPTY:
        return _("The file is empty.")
    return _("The file could not be added.")


def _error_text(code: ConversationErrorCode) -> tuple[str, str]:
    """Which field a refusal of the service belongs to, and its words."""
    texts = {
        ConversationErrorCode.EMPTY: ("body", _("Write the message.")),
        ConversationErrorCode.TOO_LONG: ("body", _("The message may be at most %(n)s characters.") % {"n": MAX_BODY}),
        ConversationErrorCode.NO_TITLE: ("title", _("Give the message a title.")),
        ConversationErrorCode.NOT_GUARDIAN: ("to", _("The guardian chosen does not have custody of the child.")),
        ConversationErrorCode.NO_FAMILY: (
            "body", _("The thread has no family to answer: the sender is not known. Write an internal note instead.")
        ),
    }  # fmt: skip
    return texts.get(code, ("", _("The message could not be saved. Please try again.")))


def _files_context(files_errors: Sequence[str]) -> dict[str, Any]:
    return {
        "files_errors": list(files_errors),
        "max_files": max_attachments(),
        "max_file_mb": settings.ASTI_ATTACHMENT_MAX_BYTES // (1024 * 1024),
        "accepted_files": ACCEPTED_FILES,
    }


# ---- the inbox -----------------------------------------------------------------------------------------------


class _CountedPaginator(Paginator):
    """A paginator told its count when the inbox's figures already hold it (one COUNT query fewer)."""

    def __init__(self, object_list: QuerySet[Any, int], per_page: int, *, known_count: int | None) -> None:
        super().__init__(object_list, per_page)
        if known_count is not None:
            self.__dict__["count"] = known_count  # Paginator.count is a cached property


def _known_count(filters: InboxFilters, counts: InboxCounts) -> int | None:
    """The number of threads the filters give when one of the team's figures is that number."""
    if filters.state != OPEN or filters.topic:
        return None
    chosen = [name for name in ("unread", "unassigned", "mine") if getattr(filters, name)]
    if not chosen:
        return counts.open
    return int(getattr(counts, chosen[0])) if len(chosen) == 1 else None


def _team_choices(request: HttpRequest) -> list[tuple[str, str]]:
    teams = _teams(request)
    return teams if len(teams) == 1 else [("", _("All my teams")), *teams]


@staff_view(can_use_inbox)
@require_GET
def inbox_page(request: HttpRequest) -> HttpResponse:
    teams = _team_choices(request)
    form = InboxFilterForm(request.GET or None, teams=teams)
    filters = form.filters()
    counts = inbox_counts(user=request.user, team=filters.team)
    ids = inbox(user=request.user, filters=filters).values_list("pk", flat=True)
    page = _CountedPaginator(ids, PAGE_SIZE, known_count=_known_count(filters, counts)).get_page(
        request.GET.get("page")
    )
    threads = inbox_rows(ids=list(page.object_list))
    who = actor(request)
    children = sorted({t.child.child_id for t in threads if t.child is not None})
    guardians = sorted({t.guardian.guardian_id for t in threads if t.child is None and t.guardian is not None})
    audit_log_many(actor=who, operation="SEARCH", target_type="child", target_ids=children, details={"page": "inbox"})
    audit_log_many(
        actor=who, operation="SEARCH", target_type="guardian", target_ids=guardians, details={"page": "inbox"}
    )
    query = request.GET.copy()
    query.pop("page", None)
    team_query = f"team={filters.team}&" if filters.team else ""
    return render(
        request,
        "staff/inbox.html",
        {
            "form": form,
            "filters": filters,
            "counts": counts,
            "page": page,
            "threads": [(t, ORIGINS.get(Origin(t.origin), t.origin), team_name(t.unit)) for t in threads],
            "query": query.urlencode(),
            "team_query": team_query,
            "team_label": dict(teams).get(filters.team, ""),
            "teams": teams,
        },
    )


# ---- one thread ----------------------------------------------------------------------------------------------


def _thread_or_404(request: HttpRequest, thread_id: int) -> Thread:
    thread = thread_for_staff(user=request.user, thread_id=thread_id)
    if thread is None:
        raise Http404
    return thread


def _family_language(thread: Thread, family: list[Guardian]) -> str:
    """The language a ready answer is filled in: that of the guardian the thread is with (else the first)."""
    guardian = thread.guardian or (family[0] if family else None)
    return guardian.language if guardian is not None and guardian.language in Language.values else Language.FI


def _author(message: ThreadMessage) -> str:
    if message.author_kind == AuthorKind.GUARDIAN:
        return message.guardian.full_name if message.guardian is not None else _("Sender not known")
    if message.author_kind == AuthorKind.STAFF:
        return message.staff_name or _("Staff")
    return _("The e-service")


def _thread_response(
    request: HttpRequest,
    thread: Thread,
    *,
    reply_form: ReplyForm | None = None,
    files_errors: Sequence[str] = (),
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    thread_read_by_staff(user=user, thread=thread)
    family = thread_family(thread=thread)
    language = _family_language(thread, family)
    templates: list[AnswerTemplate] = list(answer_templates_for(thread=thread))
    chosen = request.GET.get("template", "")
    template = next((t for t in templates if str(t.pk) == chosen), None)
    if reply_form is None:
        reply_form = ReplyForm(initial={"body": template.body_in(language)} if template is not None else None)
    reply_form.fields["body"].widget.attrs["lang"] = language
    assignees = assignees_for(thread=thread)
    return render(
        request,
        "staff/thread.html",
        {
            "thread": thread,
            "team": team_name(thread.unit),
            "origin": ORIGINS.get(Origin(thread.origin), thread.origin),
            "family": family,
            "may_see_family": thread.child is not None and can_see_families(user=request.user),
            "thread_messages": [(m, _author(m)) for m in messages_for_staff(thread=thread)],
            "templates": templates,
            "chosen_template": template,
            "language_name": Language(language).label,
            "reply_form": reply_form,
            "assign_form": AssignForm(initial={"assignee": thread.assigned_to_id or ""}, assignees=assignees),
            "may_take": thread.assigned_to_id != user.pk and assignees.filter(pk=user.pk).exists(),
            **_files_context(files_errors),
        },
        status=status,
    )


@staff_view(can_use_inbox)
@require_GET
def thread_page(request: HttpRequest, thread_id: int) -> HttpResponse:
    return _thread_response(request, _thread_or_404(request, thread_id))


def _back(thread: Thread, anchor: str = "") -> HttpResponse:
    return redirect(reverse("staff:thread", args=[thread.pk]) + (f"#{anchor}" if anchor else ""))


@staff_view(can_use_inbox)
@require_POST
def thread_reply(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = _thread_or_404(request, thread_id)
    form = ReplyForm(request.POST)
    internal = bool(request.POST.get("internal"))
    if not form.is_valid():
        return _thread_response(request, thread, reply_form=form, status=400)
    try:
        message = staff_reply(
            user=_user(request), thread=thread, body=form.cleaned_data["body"], internal=internal,
            files=_files(request),
        )  # fmt: skip
    except AttachmentRefused as refused:
        return _thread_response(
            request, thread, reply_form=form, files_errors=[_refused_text(refused.reason)], status=400
        )
    except ConversationError as error:
        field, text = _error_text(error.code)
        form.add_error(field or None, text)
        return _thread_response(request, thread, reply_form=form, status=400)
    if internal:
        messages.success(request, _("The internal note was saved. The family does not see it."))
    else:
        messages.success(request, _("The answer was sent. The family is told of it by SMS or email."))
    return _back(thread, f"message-{message.pk}")


@staff_view(can_use_inbox)
@require_POST
def thread_assign_view(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = _thread_or_404(request, thread_id)
    form = AssignForm(request.POST, assignees=assignees_for(thread=thread))
    if not form.is_valid():
        messages.error(request, _("Choose someone from the team."))
        return _back(thread, "handling")
    assignee = form.chosen()
    try:
        thread_assign(user=_user(request), thread=thread, assignee=assignee)
    except ConversationError:
        messages.error(request, _("Choose someone from the team."))
        return _back(thread, "handling")
    if assignee is None:
        messages.success(request, _("The thread is nobody's now."))
    elif assignee.pk == request.user.pk:
        messages.success(request, _("The thread is yours now."))
    else:
        messages.success(
            request, _("The thread was given to %(name)s.") % {"name": assignee.get_full_name() or assignee.username}
        )
    return _back(thread, "handling")


@staff_view(can_use_inbox)
@require_POST
def thread_close_view(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = _thread_or_404(request, thread_id)
    thread_close(user=_user(request), thread=thread)
    messages.success(request, _("The thread was closed. It opens again if the family writes."))
    return _back(thread)


@staff_view(can_use_inbox)
@require_POST
def thread_reopen_view(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = _thread_or_404(request, thread_id)
    thread_reopen(user=_user(request), thread=thread)
    messages.success(request, _("The thread was opened again."))
    return _back(thread)


@staff_view(can_use_inbox)
@require_GET
def thread_attachment(request: HttpRequest, thread_id: int, attachment_id: int) -> FileResponse:
    thread = _thread_or_404(request, thread_id)
    if not thread.messages.filter(attachments__pk=attachment_id).exists():
        raise Http404
    attachment = attachment_for_staff(user=_user(request), attachment_id=attachment_id)
    if attachment is None:
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
        content_type=attachment.content_type,
    )  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# ---- a new thread to a family ----------------------------------------------------------------------------------


@staff_view(can_see_families)
def thread_new(request: HttpRequest, child_id: str) -> HttpResponse:
    child: Child | None = families_visible_for(user=request.user).filter(child_id=child_id).first()
    if child is None:
        raise Http404
    guardians = family_guardians(child=child)
    form = NewThreadForm(request.POST or None, guardians=guardians)
    files_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            thread = thread_start_by_staff(
                user=_user(request), child=child, guardian=form.guardian(), title=form.cleaned_data["title"],
                body=form.cleaned_data["body"], topic=form.cleaned_data["topic"], files=_files(request),
            )  # fmt: skip
        except AttachmentRefused as refused:
            files_errors.append(_refused_text(refused.reason))
        except ConversationError as error:
            field, text = _error_text(error.code)
            form.add_error(field or None, text)
        else:
            messages.success(request, _("The message was sent. The guardians are told of it by SMS or email."))
            return redirect("staff:thread", thread_id=thread.pk)
    audit_log_many(
        actor=actor(request), operation="VIEW", target_type="child", target_ids=[child.child_id],
        details={"page": "thread_new", "guardians": [g.guardian_id for g in guardians]},
    )  # fmt: skip
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "staff/thread_new.html",
        {"child": child, "guardians": guardians, "form": form, **_files_context(files_errors)},
        status=status,
    )


# ---- ready answers -------------------------------------------------------------------------------------------


def _team_or_404(request: HttpRequest, team: str) -> tuple[str, Unit | None]:
    """The team asked for (else the user's first), and its unit; 404 for a team the user is not in."""
    teams = _teams(request)
    team = team or (teams[0][0] if teams else "")
    allowed, unit = team_unit(user=request.user, team=team)
    if not allowed:
        raise Http404
    return team, unit


@staff_view(can_use_inbox)
@require_GET
def answer_template_list(request: HttpRequest) -> HttpResponse:
    team, unit = _team_or_404(request, request.GET.get("team", ""))
    return render(
        request,
        "staff/answer_templates.html",
        {
            "team": team,
            "team_label": team_name(unit),
            "teams": _teams(request),
            "templates": answer_templates_of(unit=unit),
        },
    )


def _template_save(
    request: HttpRequest, form: AnswerTemplateForm, *, template: AnswerTemplate | None, unit: Unit | None
) -> AnswerTemplate | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return answer_template_save(
            user=_user(request), template=template, unit=unit, title=data["title"], body_fi=data["body_fi"],
            body_sv=data["body_sv"], body_en=data["body_en"], active=data["active"],
        )  # fmt: skip
    except ConversationError as error:
        form.add_error(None, _error_text(error.code)[1])
        return None


def _template_page(
    request: HttpRequest, form: AnswerTemplateForm, *, team: str, unit: Unit | None, template: AnswerTemplate | None
) -> HttpResponse:
    return render(
        request,
        "staff/answer_template_form.html",
        {"form": form, "team": team, "team_label": team_name(unit), "template": template},
        status=400 if form.is_bound else 200,
    )


@staff_view(can_use_inbox)
def answer_template_new(request: HttpRequest) -> HttpResponse:
    team, unit = _team_or_404(request, request.GET.get("team") or request.POST.get("team", ""))
    form = AnswerTemplateForm(request.POST or None)
    if request.method == "POST" and _template_save(request, form, template=None, unit=unit) is not None:
        messages.success(request, _("The ready answer was saved."))
        return redirect(reverse("staff:answer_templates") + f"?team={team}")
    return _template_page(request, form, team=team, unit=unit, template=None)


@staff_view(can_use_inbox)
def answer_template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    template = answer_template_for_staff(user=request.user, template_id=template_id)
    if template is None:
        raise Http404
    team = template.unit.unit_id if template.unit is not None else SERVICE_GUIDANCE
    initial = {f: getattr(template, f) for f in ("title", "body_fi", "body_sv", "body_en", "active")}
    form = AnswerTemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and _template_save(request, form, template=template, unit=template.unit) is not None:
        messages.success(request, _("The ready answer was saved."))
        return redirect(reverse("staff:answer_templates") + f"?team={team}")
    return _template_page(request, form, team=team, unit=template.unit, template=template)

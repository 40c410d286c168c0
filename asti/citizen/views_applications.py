"""Applications of every kind: one form engine to start, continue, send and change them, the receipt, cancelling,
and the attachments."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from asti.applications import rules
from asti.applications.attachments import (
    AttachmentRefused,
    attachment_add,
    attachment_for_guardian,
    attachment_remove,
)
from asti.applications.family import applicable_for, known_answers, siblings_of
from asti.applications.models import Application, ApplicationKind, ApplicationStatus, AttachmentKind
from asti.applications.selectors import (
    NEAREST,
    applications_visible_for,
    designated_school,
    has_municipal_place,
    next_steps_for,
    places_by_id,
    places_for_service,
    registry_details_for,
)
from asti.applications.services import (
    ApplicationError,
    ApplicationErrorCode,
    application_cancel,
    application_edit,
    application_save_and_send,
    application_save_draft,
    input_from,
)
from asti.applications.validation import ApplicationInput
from asti.audit.services import audit_log
from asti.citizen.access import actor_for, guardian_page
from asti.citizen.application_form import (
    KIND_TITLES,
    WISH_FIELDS,
    WISH_PREFIX,
    ApplicationForm,
    application_summary,
    initial_from,
)
from asti.citizen.problems import GENERAL, attachment_refused_text, error_text, problems_by_field
from asti.citizen.unit_picker import PARTIAL_HEADER, Picker, follow_language, note_text, picker_action, picker_for
from asti.core import clock
from asti.offers.selectors import children_visible_for
from asti.people.models import Child, Guardian
from asti.people.protection import home_distance_shown_to_guardian
from asti.units.models import WeightedCurriculum

HINTED = {"education_language", "start_date", "urgent", "weighted_curriculum"}
NEW = "new"
EDIT = "edit"


def _child_or_404(guardian: Guardian, child_id: int) -> Child:
    child = children_visible_for(guardian=guardian).filter(pk=child_id).select_related("current_unit").first()
    if child is None:
        raise Http404
    return child


def _application_or_404(guardian: Guardian, application_id: int) -> Application:
    application = applications_visible_for(guardian=guardian).filter(pk=application_id).first()
    if application is None:
        raise Http404
    return application


def _ui_language() -> str:
    return get_language() or settings.LANGUAGE_CODE


def _picker(form: ApplicationForm, *, guardian: Guardian, child: Child, action: str, note: str = "") -> Picker:
    """The unit picker for what the form says now: the domain's selectors decide which places are offered."""
    today = clock.today_helsinki()
    language = form.chosen("education_language") or ""
    place_language = form.chosen("place_language")
    if place_language is None:
        place_language = language
    query = (form.chosen("q") or "").strip()
    start = form.chosen("start_date")
    weighted = form.chosen("first_grade_choice") == "weighted"
    found = places_for_service(
        kind=form.kind, child=child, language=place_language, query=query,
        day=start if start is not None and start >= today else today, shift_care=bool(form.chosen("shift_care")),
        curriculum=(form.chosen("weighted_curriculum") or "") if weighted else "",
    )  # fmt: skip
    chosen_pks = [pk for pk in (form.chosen(name) for name in WISH_FIELDS) if isinstance(pk, int)]
    by_pk = places_by_id(kind=form.kind, pks=chosen_pks)
    shown = home_distance_shown_to_guardian(guardian=guardian, child=child)
    picker = picker_for(
        prefix=WISH_PREFIX, action=action, found=[*found], chosen=[by_pk[pk] for pk in chosen_pks if pk in by_pk],
        home=(child.lat, child.lon) if shown else None, order=form.chosen("order") or "", language=_ui_language(),
        note=note, searched=bool(query), language_filter=place_language,
    )  # fmt: skip
    picker.follows = language
    return picker


def _render(
    request: HttpRequest,
    *,
    guardian: Guardian,
    child: Child,
    form: ApplicationForm,
    application: Application | None,
    mode: str,
    problems: dict[str, list[str]] | None = None,
    status: int = 200,
    note: str = "",
    quiet: bool = False,
) -> HttpResponse:
    """The form page; `quiet` (a search or a wish moved) leaves the fields' problems unsaid until sending."""
    today = clock.today_helsinki()
    language = _ui_language()
    picker = _picker(form, guardian=guardian, child=child, action=request.path, note=note)
    if request.META.get(PARTIAL_HEADER):
        return render(request, "citizen/_unit_picker_results.html", {"picker": picker})
    education_language = form.chosen("education_language") or ""
    details = registry_details_for(guardian=guardian, child=child)
    if details is None:
        raise Http404
    applicable = applicable_for(guardian=guardian, child=child, kind=form.kind, today=today)
    designated = None
    if form.kind == ApplicationKind.FIRST_GRADE and education_language:
        designated = designated_school(child=child, language=education_language)
    problems = dict(problems or {})
    for name, errors in ({} if quiet else form.errors).items():
        problems.setdefault(name, []).extend(str(e) for e in errors)
    wish_errors = [text for name in ("wishes", *WISH_FIELDS) for text in problems.get(name, [])]
    form.describe(problems, HINTED)
    context = {
        "kind": form.kind,
        "title": KIND_TITLES[ApplicationKind(form.kind)],
        "child": child,
        "details": details,
        "siblings": siblings_of(guardian=guardian, child=child),
        "form": form,
        "application": application,
        "mode": mode,
        "problems": problems,
        "general_problems": problems.get(GENERAL, []),
        "wish_errors": wish_errors,
        "has_problems": bool(problems),
        "applicable": applicable,
        "year": (application.school_year if application else None) or (applicable.year if applicable else None),
        "earliest_start": rules.earliest_ecec_start(sent_on=today, urgent=False),
        "earliest_urgent_start": rules.earliest_ecec_start(sent_on=today, urgent=True),
        "transfer": form.kind == ApplicationKind.ECEC and has_municipal_place(child),
        "current_unit_name": child.current_unit.name_in(language) if child.current_unit else "",
        "designated": designated,
        "designated_name": designated.name_in(language) if designated else "",
        "curricula": WeightedCurriculum.choices,
        "attachments": list(application.attachments.all()) if application else [],
        "max_attachment_mb": settings.ASTI_ATTACHMENT_MAX_BYTES // (1024 * 1024),
        "action_url": request.path,
        "ui_language": language,
        "picker": picker,
        "note": note_text(note),
    }
    return render(request, "citizen/application_form.html", context, status=status)


@guardian_page
@require_http_methods(["GET", "POST"])
def application_start(request: HttpRequest, guardian: Guardian, child_id: int, kind: str) -> HttpResponse:
    """Starts an application of `kind` for the child, or goes on with this guardian's draft of it."""
    child = _child_or_404(guardian, child_id)
    if kind not in ApplicationKind.values:
        raise Http404
    applicable = applicable_for(guardian=guardian, child=child, kind=kind, today=clock.today_helsinki())
    if applicable is None:
        messages.info(request, _("The child cannot apply for this service now."))
        return redirect("citizen:front")
    if applicable.pending is not None:
        return redirect("citizen:application", application_id=applicable.pending.pk)
    draft = applicable.draft
    if draft is None and not applicable.can_start:
        messages.info(request, _("The application period has not started yet."))
        return redirect("citizen:front")
    return _engine(request, guardian=guardian, child=child, kind=kind, application=draft, mode=NEW)


@guardian_page
@require_http_methods(["GET", "POST"])
def application_change(request: HttpRequest, guardian: Guardian, application_id: int) -> HttpResponse:
    """The same form for a sent application, while its processing has not started."""
    application = _application_or_404(guardian, application_id)
    if application.is_draft:
        return redirect("citizen:apply_kind", child_id=application.child_id, kind=application.kind)
    if application.status != ApplicationStatus.SENT:
        messages.info(request, error_text(ApplicationErrorCode.NOT_EDITABLE))
        return redirect("citizen:application", application_id=application.pk)
    child = _child_or_404(guardian, application.child_id)
    return _engine(request, guardian=guardian, child=child, kind=application.kind, application=application, mode=EDIT)


def _initial(guardian: Guardian, child: Child, kind: str, application: Application | None) -> dict[str, Any]:
    data: ApplicationInput = input_from(application) if application else known_answers(guardian=guardian, child=child)
    initial = initial_from(data)
    initial["attachment_kind"] = AttachmentKind.EMPLOYMENT if kind == ApplicationKind.ECEC else AttachmentKind.OTHER
    initial["place_language"] = initial["education_language"] or ""
    initial["order"] = NEAREST
    return initial


def _engine(
    request: HttpRequest, *, guardian: Guardian, child: Child, kind: str, application: Application | None, mode: str
) -> HttpResponse:
    actor = actor_for(guardian)
    initial = _initial(guardian, child, kind, application)

    def show(
        form: ApplicationForm, problems: dict[str, list[str]] | None = None, status: int = 200, **more: Any
    ) -> HttpResponse:
        return _render(
            request, guardian=guardian, child=child, form=form, application=application, mode=mode,
            problems=problems, status=status, **more,
        )  # fmt: skip

    if request.method == "GET":
        audit_log(actor=actor, operation="VIEW", target_type="child", target_id=child.child_id)
        return show(ApplicationForm(initial=initial, kind=kind))

    posted, pressed, note = picker_action(request.POST, WISH_PREFIX)
    posted = follow_language(posted, request.POST.get("education_language", ""))
    form = ApplicationForm(posted, request.FILES, initial=initial, kind=kind)
    action = "search" if pressed else request.POST.get("action", "save")
    remove = request.POST.get("remove", "")
    if remove.isdigit():
        action = "remove"
    if action == "search":  # the filter or a wish changed: the same page with everything as it was typed
        form.is_valid()
        return show(form, note=note, quiet=True)
    if not form.is_valid():
        return show(form, status=400)
    data = form.to_input()
    upload = form.cleaned_data.get("attachment")
    try:
        if mode == NEW and (action in ("save", "upload", "remove") or upload is not None):
            application = application_save_draft(
                guardian=guardian, child=child, kind=kind, data=data, application=application, actor=actor
            )
        if upload is not None and application is not None:
            attachment_kind = form.cleaned_data.get("attachment_kind") or AttachmentKind.OTHER
            attachment_add(application=application, kind=attachment_kind, upload=upload, actor=actor,
                           guardian=guardian)  # fmt: skip
        if action == "remove" and application is not None:
            found = application.attachments.filter(pk=int(remove)).first()
            if found is not None:
                attachment_remove(attachment=found, actor=actor, guardian=guardian)
        if action == "send" and application is not None and mode == EDIT:
            application_edit(guardian=guardian, application=application, data=data, actor=actor)
            messages.success(request, _("Your changes have been saved."))
            return redirect("citizen:application", application_id=application.pk)
        if action == "send" and mode == NEW:
            sent = application_save_and_send(
                guardian=guardian, child=child, kind=kind, data=data, application=application, actor=actor
            )
            return redirect("citizen:application_sent", application_id=sent.pk)
    except AttachmentRefused as refused:
        problems = {"attachment": [attachment_refused_text(refused.reason)]}
        return show(form, problems=problems, status=400)
    except ApplicationError as error:
        problems = problems_by_field(error.problems) if error.problems else {GENERAL: [error_text(error.code)]}
        return show(form, problems=problems, status=400)
    if mode == EDIT:  # an attachment added or removed; the other changes wait for "Save changes"
        messages.success(request, _("The attachments have been updated."))
        return show(form)
    if upload is not None:
        messages.success(request, _("The attachment has been added and your draft saved."))
    elif action == "remove":
        messages.success(request, _("The attachment has been removed and your draft saved."))
    else:
        messages.success(request, _("Your draft has been saved. Only you can see it."))
    return redirect(reverse("citizen:apply_kind", args=[child.pk, kind]))


@guardian_page
@require_GET
def application_sent(request: HttpRequest, guardian: Guardian, application_id: int) -> HttpResponse:
    """The receipt: the reference, the due date and what happens next."""
    application = _application_or_404(guardian, application_id)
    if application.is_draft:
        return redirect("citizen:apply_kind", child_id=application.child_id, kind=application.kind)
    context = {
        **application_summary(application, _ui_language()),
        "title": KIND_TITLES[ApplicationKind(application.kind)],
        "next_steps": next_steps_for(application),
    }
    return render(request, "citizen/application_sent.html", context)


@guardian_page
@require_http_methods(["GET", "POST"])
def application_cancel_page(request: HttpRequest, guardian: Guardian, application_id: int) -> HttpResponse:
    """Asks to confirm, then cancels the application (a draft is removed)."""
    application = _application_or_404(guardian, application_id)
    if not application.editable:
        messages.info(request, error_text(ApplicationErrorCode.NOT_EDITABLE))
        return redirect("citizen:application", application_id=application.pk)
    title = KIND_TITLES[ApplicationKind(application.kind)]
    if request.method == "GET":
        return render(request, "citizen/application_cancel.html", {"application": application, "title": title})
    try:
        cancelled = application_cancel(application=application, guardian=guardian, actor=actor_for(guardian))
    except ApplicationError as error:
        messages.error(request, error_text(error.code))
        return redirect("citizen:application", application_id=application.pk)
    if cancelled is None:
        messages.success(request, _("The draft has been removed."))
        return redirect("citizen:front")
    messages.success(request, _("The application has been cancelled."))
    return redirect("citizen:application", application_id=application.pk)


@guardian_page
@require_GET
def attachment_download(request: HttpRequest, guardian: Guardian, attachment_id: int) -> HttpResponseBase:
    """The file, to the application's family only (each read audited); never shown inline or cached."""
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

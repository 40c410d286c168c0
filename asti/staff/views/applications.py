"""Applications of every kind on the staff side: the handlers' queue and one application's page.

Who does what, as a city's early childhood education and school services work:

- planners / service guidance (and administrators) handle the applications: they see every sent application,
  start processing, propose a place (any place that gives the service, with its free places shown), write
  notes, read attachments and export the queue;
- a unit director sees the applications that wish for one of their units (or have one proposed), read-only
  except for notes: the director knows the unit's groups and tells the handler (a note), but the placement is
  service guidance's decision, so that places are shared fairly across the city. A director never proposes.

Every page showing a person's data is audited: the queue's rows (SEARCH), the export (EXPORT), the application
page (VIEW) and each attachment read; the services audit every change.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from asti.applications.attachments import attachment_for_staff
from asti.applications.models import (
    Application,
    ApplicationEvent,
    ApplicationKind,
    ApplicationNote,
    ApplicationStatus,
    Wish,
)
from asti.applications.queue import (
    ExportRow,
    application_places,
    application_queue,
    is_due_soon,
    is_overdue,
    proposable_places,
    queue_counts,
    queue_export,
)
from asti.applications.services import (
    ApplicationError,
    ApplicationErrorCode,
    application_note_add,
    application_propose_place,
    application_start_processing,
)
from asti.applications.validation import PLACE_IS_SCHOOL, Problem
from asti.audit.services import audit_log, audit_log_many
from asti.core import clock
from asti.staff.access import actor, staff_view
from asti.staff.forms import NoteForm, ProposeForm, QueueFilterForm
from asti.staff.selectors import (
    application_units_limit,
    applications_visible_for_staff,
    can_handle_applications,
    can_see_applications,
    unit_pages_for,
)
from asti.units.models import School, Unit, WeightedCurriculum

PAGE_SIZE = 50

ERRORS = {
    ApplicationErrorCode.NOT_GUARDIAN: gettext_lazy("The guardian chosen does not have custody of the child."),
    ApplicationErrorCode.OFFER_NOT_DECLINED: gettext_lazy("The child's offer has not been declined."),
    ApplicationErrorCode.ALREADY_SENT: gettext_lazy("The child already has an application of this kind in process."),
    ApplicationErrorCode.NO_WISHES: gettext_lazy("Choose at least one place."),
    ApplicationErrorCode.TOO_MANY_WISHES: gettext_lazy("Choose at most three places."),
    ApplicationErrorCode.REPEATED_UNIT: gettext_lazy("Each place can be wished for once."),
    ApplicationErrorCode.UNKNOWN_UNIT: gettext_lazy("A place wished for does not take these applications."),
    ApplicationErrorCode.OFFER_STILL_OPEN: gettext_lazy(
        "The child's offer is still open: record the guardian's answer to it first."
    ),
    ApplicationErrorCode.RECEIVED_IN_FUTURE: gettext_lazy("The day received cannot be in the future."),
    ApplicationErrorCode.INVALID: gettext_lazy("The application has problems: see the fields below."),
    ApplicationErrorCode.NOT_EDITABLE: gettext_lazy("The application can no longer be changed."),
    ApplicationErrorCode.WRONG_STATUS: gettext_lazy(
        "The application's status has changed meanwhile: the step cannot be taken now."
    ),
    ApplicationErrorCode.PERIOD_NOT_OPEN: gettext_lazy("The application period has not opened yet."),
    ApplicationErrorCode.HAS_OFFER: gettext_lazy(
        "The child has an open or accepted pre-primary offer for the year: no application is needed."
    ),
    ApplicationErrorCode.WRONG_PLACE: gettext_lazy(
        "That place does not give this service in the application's language."
    ),
}

PROBLEMS = {
    Problem.REQUIRED: gettext_lazy("This is needed."),
    Problem.NOT_ELIGIBLE: gettext_lazy("The child cannot apply for this service now (age or school year)."),
    Problem.START_IN_PAST: gettext_lazy("The start date is in the past."),
    Problem.START_TOO_EARLY: gettext_lazy("The start date is too early: the earliest possible is %(earliest)s."),
    Problem.HOURS_ORDER: gettext_lazy("The end of the day must be after its start."),
    Problem.PART_TIME_TOO_LONG: gettext_lazy("Part-time care is at most 5 hours a day."),
    Problem.NO_WISHES: gettext_lazy("Choose at least one place."),
    Problem.TOO_MANY_WISHES: gettext_lazy("Choose at most three places."),
    Problem.REPEATED_PLACE: gettext_lazy("Each place can be wished for once."),
    Problem.UNKNOWN_PLACE: gettext_lazy("A place wished for does not take these applications."),
    Problem.WRONG_LANGUAGE: gettext_lazy("A place wished for is not in the language of education chosen."),
    Problem.WRONG_AGE: gettext_lazy("A unit wished for has no places for the child's age group."),
    Problem.NO_SHIFT_CARE: gettext_lazy("A unit wished for does not give shift care."),
    Problem.NO_SUCH_CLASS: gettext_lazy("A school wished for has no such weighted-curriculum class."),
    Problem.NO_DESIGNATED_SCHOOL: gettext_lazy("No neighbourhood school was found in that language."),
    Problem.BAD_CHOICE: gettext_lazy("Choose one of the options."),
    Problem.ATTACHMENT_NEEDED: gettext_lazy(
        "An urgent application needs the employer's or school's certificate: tick that it came with the paper "
        "application, or enter the application as a normal one."
    ),
}


def problem_text(problem: Problem, params: dict[str, str]) -> str:
    text = str(PROBLEMS.get(problem, problem))
    return text % params if "%(" in text else text


# ---------------------------------------------------------------------------------------------------------------
# the queue


def _queue_form(request: HttpRequest) -> QueueFilterForm:
    return QueueFilterForm(request.GET or None, units=unit_pages_for(user=request.user))


@staff_view(can_see_applications)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    today = clock.today_helsinki()
    form = _queue_form(request)
    filters = form.filters(application_units_limit(user=request.user))
    rows = application_queue(filters, today).prefetch_related(
        Prefetch("wishes", queryset=Wish.objects.select_related("unit", "school").order_by("position"))
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for application in page.object_list:
        application.staff_overdue = is_overdue(application, today)
        application.staff_due_soon = is_due_soon(application, today)
    audit_log_many(
        actor=actor(request), operation="SEARCH", target_type="child",
        target_ids=[a.child.child_id for a in page.object_list],
    )  # fmt: skip
    query = request.GET.copy()
    query.pop("page", None)
    counts = queue_counts(filters, today)
    return render(
        request,
        "staff/application_queue.html",
        {
            "form": form,
            "page": page,
            "counts": counts,
            "status_counts": [(s, ApplicationStatus(s).label, n) for s, n in counts.by_status.items()],
            "query": query.urlencode(),
            "may_handle": can_handle_applications(user=request.user),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


CSV_HEADER = [
    "reference", "kind", "status", "due_date", "sent_at", "received_on", "channel", "late", "urgent", "shift_care",
    "child_id", "child_name", "birth_date", "admission_area", "address", "education_language", "wishes",
    "proposed_place", "handler",
]  # fmt: skip


def _cell(value: object) -> str:
    """A spreadsheet never runs a cell as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_rows(rows: Iterator[ExportRow]) -> Iterator[list[object]]:
    for row in rows:
        v = row.values
        sent_at = v["sent_at"]
        yield [
            v["reference"], v["kind"], v["status"], v["due_date"],
            sent_at.isoformat() if isinstance(sent_at, dt.datetime) else "", v["received_on"], v["channel"],
            int(bool(v["late"])), int(bool(v["urgent"])), int(bool(v["shift_care"])), v["child__child_id"],
            f"{v['child__first_name']} {v['child__last_name']}", v["child__birth_date"],
            v["child__admission_area__area_id"] or "", row.address, v["education_language"], ", ".join(row.wishes),
            v["proposed_unit__unit_id"] or v["proposed_school__school_id"] or "", v["handler"],
        ]  # fmt: skip


@staff_view(can_see_applications)
@require_GET
def queue_csv(request: HttpRequest) -> StreamingHttpResponse:
    today = clock.today_helsinki()
    filters = _queue_form(request).filters(application_units_limit(user=request.user))
    children = application_queue(filters, today).order_by().values_list("child__child_id", flat=True).distinct()
    audit_log_many(actor=actor(request), operation="EXPORT", target_type="child", target_ids=sorted(children))
    writer = csv.writer(_Echo())
    rows = _iter_with_header(queue_export(filters, today))
    response = StreamingHttpResponse(
        (writer.writerow([_cell(v) for v in row]) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="applications-{today.isoformat()}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _iter_with_header(rows: Iterator[ExportRow]) -> Iterator[list[object]]:
    yield list(CSV_HEADER)
    yield from _csv_rows(rows)


# ---------------------------------------------------------------------------------------------------------------
# one application


def _application_or_404(request: HttpRequest, pk: int) -> Application:
    application = (
        applications_visible_for_staff(user=request.user)
        .filter(pk=pk)
        .select_related("child", "child__admission_area", "guardian", "proposed_unit", "proposed_school")
        .prefetch_related(
            Prefetch("wishes", queryset=Wish.objects.select_related("unit", "school").order_by("position")),
            Prefetch("events", queryset=ApplicationEvent.objects.order_by("at", "id")),
            Prefetch("notes", queryset=ApplicationNote.objects.order_by("at", "id")),
            "attachments",
        )
        .first()
    )
    if application is None:
        raise Http404
    return application


def _application_response(
    request: HttpRequest,
    application: Application,
    *,
    propose_form: ProposeForm | None = None,
    note_form: NoteForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    today = clock.today_helsinki()
    audit_log(
        actor=actor(request), operation="VIEW", target_type="child", target_id=application.child.child_id,
        details={"page": "application", "application": application.pk},
    )  # fmt: skip
    may_handle = can_handle_applications(user=request.user)
    language = request.LANGUAGE_CODE if request.LANGUAGE_CODE in ("fi", "sv") else "fi"
    wishes, free, default = application_places(application, today)
    can_propose = may_handle and application.status in ("in_process", "place_proposed")
    if can_propose and propose_form is None:
        propose_form = ProposeForm(
            places=proposable_places(application, today), free=free, language=language,
            initial={"place": default},
        )  # fmt: skip
    return render(
        request,
        "staff/application.html",
        {
            "application": application,
            "snapshot": application.registry_snapshot or {},
            "answers": application.answers or {},
            "wishes": wishes,
            "language": language,
            "may_handle": may_handle,
            "can_start": may_handle and application.status == "sent",
            "propose_form": propose_form if can_propose else None,
            "note_form": note_form or NoteForm(),
            "overdue": is_overdue(application, today),
            "due_soon": is_due_soon(application, today),
            "error": error,
            "is_ecec": application.kind == ApplicationKind.ECEC,
            "age_group": _age_group_label(application, today),
            "curriculum_label": _curriculum_label(application.weighted_curriculum),
        },
        status=status,
    )


def _age_group_label(application: Application, today: Any) -> str:
    if application.kind != ApplicationKind.ECEC:
        return ""
    from asti.applications.selectors import UNDER_3, age_group_on

    group = age_group_on(application.child, application.due_date or today)
    return _("under 3") if group == UNDER_3 else _("3 and over")


def _curriculum_label(value: str) -> str:
    return str(WeightedCurriculum(value).label) if value in WeightedCurriculum.values else value


@staff_view(can_see_applications)
@require_GET
def application_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _application_response(request, _application_or_404(request, pk))


@staff_view(can_handle_applications)
@require_POST
def application_start(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application_or_404(request, pk)
    try:
        application_start_processing(application=application, actor=actor(request))
    except ApplicationError as error:
        return _application_response(request, application, error=str(ERRORS[error.code]), status=400)
    messages.success(request, _("Processing started."))
    return redirect("staff:application", pk=application.pk)


@staff_view(can_handle_applications)
@require_POST
def application_propose(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application_or_404(request, pk)
    today = clock.today_helsinki()
    free = application_places(application, today)[1]
    language = request.LANGUAGE_CODE if request.LANGUAGE_CODE in ("fi", "sv") else "fi"
    form = ProposeForm(request.POST, places=proposable_places(application, today), free=free, language=language)
    if not form.is_valid():
        return _application_response(
            request, application, propose_form=form, error=str(ERRORS[ApplicationErrorCode.WRONG_PLACE]), status=400
        )
    place = form.cleaned_data["place"]
    is_school = application.kind in PLACE_IS_SCHOOL
    try:
        application_propose_place(
            application=application, actor=actor(request),
            unit=None if is_school else _as(place, Unit), school=_as(place, School) if is_school else None,
        )  # fmt: skip
    except ApplicationError as error:
        return _application_response(request, application, propose_form=form, error=str(ERRORS[error.code]), status=400)
    messages.success(request, _("The place was proposed."))
    return redirect("staff:application", pk=application.pk)


def _as(place: object, model: type[Any]) -> Any:
    return place if isinstance(place, model) else None


@staff_view(can_see_applications)
@require_POST
def application_note(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application_or_404(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _application_response(request, application, note_form=form, status=400)
    try:
        application_note_add(application=application, actor=actor(request), text=form.cleaned_data["text"])
    except ApplicationError as error:
        form.add_error("text", str(ERRORS[error.code]))
        return _application_response(request, application, note_form=form, status=400)
    messages.success(request, _("The note was saved."))
    return redirect("staff:application", pk=application.pk)


@staff_view(can_see_applications)
@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    application = _application_or_404(request, pk)
    if not application.attachments.filter(pk=attachment_id).exists():
        raise Http404
    attachment = attachment_for_staff(actor=actor(request), attachment_id=attachment_id)
    if attachment is None:
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
        content_type=attachment.content_type,
    )  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

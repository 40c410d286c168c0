"""A paper application of any kind, entered by service guidance for a child: the same engine and checks as an
online one (asti.applications.services.paper_application_submit), with the day it arrived."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from asti.applications.models import ApplicationKind
from asti.applications.selectors import wishable_units
from asti.applications.services import ApplicationError, ApplicationErrorCode, paper_application_submit
from asti.applications.validation import eligible
from asti.audit.services import audit_log
from asti.core import clock
from asti.people.models import Child, Guardian
from asti.staff.access import actor, staff_view
from asti.staff.forms import StaffApplicationForm
from asti.staff.selectors import can_handle_applications, families_visible_for
from asti.staff.views.applications import ERRORS, problem_text
from asti.units.models import School, Unit

FIELD_OF_PROBLEM = {"wishes": "wish_1", "attachments": "certificate_seen", "child": None}


def paper_kinds(child: Child) -> list[tuple[str, str]]:
    """The kinds of application the child may have now, as (kind, label)."""
    today = clock.today_helsinki()
    return [(value, str(label)) for value, label in ApplicationKind.choices if eligible(value, child, today)]


def _places(kind: str) -> QuerySet[Any]:
    if kind == ApplicationKind.ECEC:
        return Unit.objects.municipal_ecec().order_by("name_fi")
    if kind == ApplicationKind.PRESCHOOL:
        return wishable_units()
    if kind == ApplicationKind.AFTERNOON:
        return School.objects.with_afternoon_activities().order_by("name_fi")
    return School.objects.municipal().order_by("name_fi")


def _form(request: HttpRequest, child: Child, kind: str, data: Any = None) -> StaffApplicationForm:
    language = request.LANGUAGE_CODE if request.LANGUAGE_CODE in ("fi", "sv") else "fi"
    guardians = Guardian.objects.filter(custodies__child=child, custodies__active=True, active=True).distinct()
    initial = {"received_on": clock.today_helsinki(), "education_language": child.education_language or "fi"}
    return StaffApplicationForm(
        data, kind=kind, guardians=guardians, places=_places(kind), language=language, initial=initial
    )


@staff_view(can_handle_applications)
@require_http_methods(["GET", "POST"])
def paper_application(request: HttpRequest, child_id: str, kind: str) -> HttpResponse:
    child = families_visible_for(user=request.user).filter(child_id=child_id).first()
    if child is None or kind not in ApplicationKind.values:
        raise Http404
    form = _form(request, child, kind, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                application = paper_application_submit(
                    child=child, guardian=form.cleaned_data["guardian"], kind=kind, data=form.to_input(),
                    received_on=form.cleaned_data["received_on"], actor=actor(request),
                    certificate_seen=bool(form.cleaned_data.get("certificate_seen")),
                )  # fmt: skip
            except ApplicationError as error:
                _show(form, error)
            else:
                messages.success(request, _("The paper application was entered."))
                return redirect("staff:application", pk=application.pk)
    audit_log(
        actor=actor(request), operation="VIEW", target_type="child", target_id=child.child_id,
        details={"page": "paper_application", "kind": kind},
    )  # fmt: skip
    return render(
        request,
        "staff/paper_application.html",
        {"child": child, "form": form, "kind": kind, "kind_label": ApplicationKind(kind).label},
        status=status,
    )


def _show(form: StaffApplicationForm, error: ApplicationError) -> None:
    if error.code != ApplicationErrorCode.INVALID or not error.problems:
        form.add_error(None, str(ERRORS[error.code]))
        return
    for problem in error.problems:
        field = FIELD_OF_PROBLEM.get(problem.field, problem.field)
        text = problem_text(problem.problem, problem.params)
        if problem.params.get("place"):
            text = f"{text} ({problem.params['place']})"
        form.add_error(field if field in form.fields else None, text)

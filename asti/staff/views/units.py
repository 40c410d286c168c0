"""Units' public details and places, and schools' places.

A unit director keeps their own units, planners any municipal unit giving pre-primary or early childhood
education; others get 404. The pre-primary capacity and language are locked while a sent round runs; the early
childhood education capacities (under 3, 3 and over) and shift care are not tied to a round. Schools (first grade,
weighted-curriculum classes, afternoon activities) are kept by planners. Every change is audited by its service.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from asti.offers.selectors import unit_capacity_locked
from asti.offers.services import RoundError, unit_details_update
from asti.staff.access import actor, staff_view
from asti.staff.forms import SchoolForm, UnitCapacityForm, UnitForm
from asti.staff.selectors import can_keep_schools, unit_pages_for
from asti.units.models import School, Unit
from asti.units.services import PlacesError, school_update, unit_capacities_update


@staff_view()
def unit_list(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/unit_list.html", {"units": unit_pages_for(user=request.user)})


def _unit_or_404(request: HttpRequest, unit_id: str) -> Unit:
    unit = unit_pages_for(user=request.user).filter(unit_id=unit_id).first()
    if unit is None:
        raise Http404
    return unit


def _unit_response(
    request: HttpRequest, unit: Unit, form: UnitForm, capacity_form: UnitCapacityForm, locked: bool, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "staff/unit.html",
        {"unit": unit, "form": form, "capacity_form": capacity_form, "locked": locked},
        status=status,
    )


@staff_view()
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, unit_id: str) -> HttpResponse:
    unit = _unit_or_404(request, unit_id)
    locked = unit_capacity_locked(unit=unit)
    # The forms get their own copies: validating a model form writes into its instance.
    form = UnitForm(request.POST or None, instance=Unit.objects.get(pk=unit.pk), locked=locked)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data if not form.fields[name].disabled}
        try:
            changed = unit_details_update(unit_id=unit.unit_id, changes=changes, actor=actor(request))
        except RoundError as exc:
            form.add_error(None, str(exc))
        else:
            if changed:
                messages.success(request, _("The unit's details were saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("staff:unit", unit_id=unit.unit_id)
    capacity_form = UnitCapacityForm(instance=Unit.objects.get(pk=unit.pk))
    return _unit_response(request, unit, form, capacity_form, locked)


@staff_view()
@require_POST
def unit_capacities(request: HttpRequest, unit_id: str) -> HttpResponse:
    unit = _unit_or_404(request, unit_id)
    capacity_form = UnitCapacityForm(request.POST, instance=Unit.objects.get(pk=unit.pk))
    if capacity_form.is_valid():
        changes = {name: capacity_form.cleaned_data[name] for name in capacity_form.changed_data}
        try:
            changed = unit_capacities_update(unit_id=unit.unit_id, changes=changes, actor=actor(request))
        except PlacesError as exc:
            capacity_form.add_error(None, str(exc))
        else:
            if changed:
                messages.success(request, _("The early childhood education places were saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("staff:unit", unit_id=unit.unit_id)
    locked = unit_capacity_locked(unit=unit)
    form = UnitForm(instance=Unit.objects.get(pk=unit.pk), locked=locked)
    return _unit_response(request, unit, form, capacity_form, locked, status=400)


@staff_view(can_keep_schools)
def school_list(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/school_list.html", {"schools": School.objects.order_by("name_fi", "school_id")})


@staff_view(can_keep_schools)
@require_http_methods(["GET", "POST"])
def school_edit(request: HttpRequest, school_id: str) -> HttpResponse:
    school = School.objects.filter(school_id=school_id).first()
    if school is None:
        raise Http404
    form = SchoolForm(request.POST or None, instance=School.objects.get(pk=school.pk))
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            changed = school_update(school_id=school.school_id, changes=changes, actor=actor(request))
        except PlacesError as exc:
            form.add_error(None, str(exc))
        else:
            if changed:
                messages.success(request, _("The school's places were saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("staff:school", school_id=school.school_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "staff/school.html", {"school": school, "form": form}, status=status)

"""Units' public details: a unit director edits their own units, planners any pre-primary unit; others 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from asti.offers.selectors import unit_capacity_locked
from asti.offers.services import RoundError, unit_details_update
from asti.staff.access import actor, staff_view
from asti.staff.forms import UnitForm
from asti.staff.selectors import units_editable_by, units_visible_for


@staff_view()
def unit_list(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/unit_list.html", {"units": units_visible_for(user=request.user)})


@staff_view()
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, unit_id: str) -> HttpResponse:
    unit = units_editable_by(user=request.user).filter(unit_id=unit_id).first()
    if unit is None:
        raise Http404
    locked = unit_capacity_locked(unit=unit)
    # The form gets its own copy: validating a model form writes into its instance.
    form = UnitForm(request.POST or None, instance=type(unit).objects.get(pk=unit.pk), locked=locked)
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
    return render(request, "staff/unit.html", {"unit": unit, "form": form, "locked": locked})

"""The audit trail for administrators, by person (child, guardian, unit id) or by staff member."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from asti.audit.services import audit_log
from asti.staff.access import actor, staff_view
from asti.staff.audit import audit_events
from asti.staff.forms import AuditFilterForm
from asti.staff.selectors import can_read_audit


@staff_view(can_read_audit)
def audit_page(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    events = None
    if form.is_bound and form.is_valid() and (form.cleaned_data["actor"] or form.cleaned_data["person"]):
        events = audit_events(actor=form.cleaned_data["actor"], target_id=form.cleaned_data["person"])
        audit_log(
            actor=actor(request), operation="AUDIT_READ", target_type="audit",
            target_id=form.cleaned_data["person"], details={"actor_filter": form.cleaned_data["actor"]},
        )  # fmt: skip
    return render(request, "staff/audit.html", {"form": form, "events": events})

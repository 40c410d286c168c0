"""The audit trail for administrators: by person (child, guardian, unit id), staff member, operation and dates,
with the people named; the same selection as CSV. Reading it is itself audited."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from asti.audit.services import audit_log
from asti.staff.access import actor, staff_view
from asti.staff.audit import PAGE, AuditQuery, audit_csv, audit_events_query, person_names
from asti.staff.forms import AuditFilterForm
from asti.staff.selectors import can_read_audit


def _query(form: AuditFilterForm) -> AuditQuery | None:
    if not (form.is_bound and form.is_valid()):
        return None
    data = form.cleaned_data
    query = AuditQuery(actor=data["actor"], person=data["person"], operation=data["operation"], since=data["since"],
                       until=data["until"])  # fmt: skip
    return None if query.empty() else query


def _details(query: AuditQuery) -> dict[str, str]:
    return {"actor_filter": query.actor, "operation_filter": query.operation,
            "since": str(query.since or ""), "until": str(query.until or "")}  # fmt: skip


@staff_view(can_read_audit)
@require_GET
def audit_page(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    query = _query(form)
    events = None
    rows = []
    if query is not None:
        events = list(audit_events_query(query)[: PAGE + 1])
        names = person_names(events[:PAGE])
        rows = [(e, names.get((e.target_type, e.target_id), "")) for e in events[:PAGE]]
        audit_log(actor=actor(request), operation="AUDIT_READ", target_type="audit", target_id=query.person,
                  details=_details(query))  # fmt: skip
    return render(
        request,
        "staff/audit.html",
        {"form": form, "events": events, "rows": rows, "more": events is not None and len(events) > PAGE,
         "page_size": PAGE, "export_query": request.GET.urlencode()},
    )  # fmt: skip


@staff_view(can_read_audit)
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    form = AuditFilterForm(request.GET or None)
    query = _query(form)
    if query is None:
        return HttpResponse("Choose at least one filter.", status=400, content_type="text/plain; charset=utf-8")
    audit_log(actor=actor(request), operation="AUDIT_EXPORT", target_type="audit", target_id=query.person,
              details=_details(query))  # fmt: skip
    response = StreamingHttpResponse(audit_csv(query), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit.csv"'
    return response

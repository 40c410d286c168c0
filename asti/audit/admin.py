"""The Django admin as Asti uses it: a read-only window on the records, which change only through the services
(their locks, the round's state, the audit trail). Every admin of the project derives from these classes:

* `SafeLookupsMixin` allows only the query parameters the page's own filters and date hierarchy make. Django's
  default allows a lookup on any field of the model (`?street_address__startswith=…`, `?lat__gt=…`), which
  recovers a value the record page hides by filtering; such a request is refused (400).
* `ReadOnlyMixin`: nothing is added, changed or deleted here.
* `AuditedAdminMixin` records every list (its filters and search with their values, and the records it showed)
  and every record opened.
"""

from __future__ import annotations

import re
from operator import attrgetter
from typing import Any

from django.contrib import admin
from django.contrib.admin.filters import ListFilter
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest, HttpResponse

from asti.audit.models import AuditEvent
from asti.audit.services import audit_log, audit_log_many

HETU = re.compile(r"\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]", re.IGNORECASE)  # an identity code never enters the trail
LIST_PARAMS = frozenset({"q", "p", "o", "all", "_popup", "_to_field", "e"})  # Django's own, not lookups


class SafeLookupsMixin:
    """Only the lookups of the page's list filters and date hierarchy; relations as Django checks them."""

    def filter_parameters(self, request: HttpRequest | None) -> set[str]:
        names = set()
        date_hierarchy = getattr(self, "date_hierarchy", None)
        if date_hierarchy:
            names.add(date_hierarchy.split(LOOKUP_SEP)[0])
        list_filter = self.get_list_filter(request) if request is not None else self.list_filter  # type: ignore[attr-defined]
        for item in list_filter:
            if isinstance(item, type) and issubclass(item, ListFilter):
                names.add(str(getattr(item, "parameter_name", "")))
            elif isinstance(item, (list, tuple)):
                names.add(str(item[0]).split(LOOKUP_SEP)[0])
            else:
                names.add(str(item).split(LOOKUP_SEP)[0])
        return names - {""}

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        if lookup.split(LOOKUP_SEP)[0] not in self.filter_parameters(request):
            return False
        return bool(super().lookup_allowed(lookup, value, request))  # type: ignore[misc]


class ReadOnlyMixin:
    """Written by the services only; staff read them here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdminMixin:
    """Records who listed, searched and opened which records in the Django admin.

    `audit_target_type` names what a record is in the trail (child, guardian, application…); `audit_key`
    the attribute path of its id there (`child.child_id` for a proposal, which is about a child).
    """

    audit_target_type = ""
    audit_key = "pk"

    def audit_id(self, obj: Any) -> str:
        return str(attrgetter(self.audit_key)(obj))

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response: HttpResponse = super().changelist_view(request, extra_context)  # type: ignore[misc]
        context = getattr(response, "context_data", None) or {}
        changelist = context.get("cl")
        if changelist is None:  # refused or redirected: nothing was shown
            return response
        query = request.GET.get("q", "")
        details = {
            "query": HETU.sub("[identity code]", query),
            "filters": {k: v for k, v in sorted(request.GET.items()) if k not in LIST_PARAMS},
            "page": request.GET.get("p", "1"),
        }
        shown = [self.audit_id(obj) for obj in changelist.result_list]
        operation = "SEARCH" if query else "LIST"
        if shown:
            audit_log_many(
                actor=request.user.get_username(), operation=operation, target_type=self.audit_target_type,
                target_ids=shown, details=details,
            )  # fmt: skip
        else:
            audit_log(
                actor=request.user.get_username(), operation=operation, target_type=self.audit_target_type,
                details=details,
            )  # fmt: skip
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response: HttpResponse = super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        obj = self.get_object(request, object_id)  # type: ignore[attr-defined]
        if obj is not None:
            audit_log(
                actor=request.user.get_username(),
                operation="VIEW",
                target_type=self.audit_target_type,
                target_id=self.audit_id(obj),
            )
        return response


class RecordAdmin(SafeLookupsMixin, ReadOnlyMixin, AuditedAdminMixin, admin.ModelAdmin[Any]):
    """A record in the admin: read-only, safe lookups, every list and record audited."""

    list_per_page = 50
    show_full_result_count = False


class SettingAdmin(SafeLookupsMixin, admin.ModelAdmin[Any]):
    """Something the city keeps here that holds no personal data (e.g. application periods): safe lookups."""


@admin.register(AuditEvent)
class AuditEventAdmin(SafeLookupsMixin, ReadOnlyMixin, admin.ModelAdmin[AuditEvent]):
    list_display = ["at", "actor", "operation", "target_type", "target_id", "status"]
    list_filter = ["operation", "target_type", "status"]
    search_fields = ["=actor", "=target_id"]
    date_hierarchy = "at"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return request.user.is_active and request.user.is_superuser

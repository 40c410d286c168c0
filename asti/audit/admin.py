from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from asti.audit.models import AuditEvent
from asti.audit.services import audit_log


class AuditedAdminMixin:
    """Records who opened which record and what they searched for in the Django admin."""

    audit_target_type = ""
    audit_key_field = "pk"

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response: HttpResponse = super().changelist_view(request, extra_context)  # type: ignore[misc]
        query = request.GET.get("q", "")
        audit_log(
            actor=request.user.get_username(),
            operation="SEARCH" if query else "LIST",
            target_type=self.audit_target_type,
            details={
                "query_length": len(query),
                "filters": sorted(k for k in request.GET if k not in ("q", "p")),
            },
        )
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
                target_id=str(getattr(obj, self.audit_key_field)),
            )
        return response


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ["at", "actor", "operation", "target_type", "target_id", "status"]
    list_filter = ["operation", "target_type", "status"]
    search_fields = ["=actor", "=target_id"]
    date_hierarchy = "at"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

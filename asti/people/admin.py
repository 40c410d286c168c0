"""Staff views of the imported registry data: searchable, read-only, every view audited.

Identity codes are shown masked; an address under a non-disclosure order only to staff holding the
`view_protected_address` permission of the model.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fi import hetu as stdnum_hetu

from asti.audit.admin import AuditedAdminMixin
from asti.core import crypto
from asti.people.models import Child, Custody, Guardian, ImportRun

PROTECTED = "turvakielto — address not shown"


class PersonAdmin(AuditedAdminMixin, admin.ModelAdmin[Any]):
    """Read-only: registry data changes only through a new extract."""

    list_per_page = 50
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="identity code")
    def hetu_masked(self, obj: Any) -> str:
        return crypto.hetu_masked(obj.hetu)

    def _address_visible(self, request: HttpRequest, obj: Any) -> bool:
        perm = f"{obj._meta.app_label}.view_protected_address"
        return not obj.non_disclosure or request.user.has_perm(perm)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:  # type: ignore[override]
        fields = [str(f) for f in super().get_fields(request, obj)]
        if obj is not None and not self._address_visible(request, obj):
            hidden = {"street_address", "postal_code", "lat", "lon"}
            fields = [f for f in fields if f not in hidden] + ["protected_address"]
        return fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.get_fields(request, obj)

    @admin.display(description="address")
    def protected_address(self, obj: Any) -> str:
        return PROTECTED

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        """A full identity code finds its person through the keyed digest; other terms search names and ids."""
        term = search_term.strip().upper()
        try:
            code = stdnum_hetu.validate(term, allow_temporary=True)
        except StdnumError:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(hetu_digest=crypto.hetu_digest(code)), False


class CustodyInline(admin.TabularInline[Custody, Any]):
    model = Custody
    extra = 0
    can_delete = False
    fields = ("guardian", "child", "active")
    readonly_fields = ("guardian", "child", "active")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Child)
class ChildAdmin(PersonAdmin):
    audit_target_type = "child"
    audit_key_field = "child_id"
    list_display = [
        "child_id",
        "last_name",
        "first_name",
        "birth_date",
        "current_unit",
        "admission_area",
        "active",
    ]
    list_filter = ["active", "non_disclosure", "round_the_clock", "education_language", "municipality_code"]
    search_fields = ["=child_id", "last_name", "first_name"]
    list_select_related = ["current_unit", "admission_area"]
    fields = [
        "child_id", "hetu_masked", "first_name", "last_name", "birth_date", "language", "education_language",
        "street_address", "postal_code", "municipality_code", "lat", "lon", "admission_area",
        "admission_area_computed", "non_disclosure", "current_unit", "round_the_clock", "active",
        "created_at", "updated_at",
    ]  # fmt: skip
    inlines = [CustodyInline]


@admin.register(Guardian)
class GuardianAdmin(PersonAdmin):
    audit_target_type = "guardian"
    audit_key_field = "guardian_id"
    list_display = ["guardian_id", "last_name", "first_name", "language", "active"]
    list_filter = ["active", "non_disclosure", "language"]
    search_fields = ["=guardian_id", "last_name", "first_name", "=phone", "=email"]
    fields = [
        "guardian_id", "hetu_masked", "first_name", "last_name", "phone", "email", "language",
        "street_address", "postal_code", "non_disclosure", "active", "created_at", "updated_at",
    ]  # fmt: skip
    inlines = [CustodyInline]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin[ImportRun]):
    list_display = ["started_at", "finished_at", "source", "actor"]
    readonly_fields = ["started_at", "finished_at", "source", "actor", "counts"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ImportRun | None = None) -> bool:
        return False

"""Staff views of the imported registry data: searchable, read-only, every view audited.

Identity codes are shown masked; an address under a non-disclosure order only to staff holding the
`view_protected_address` permission of the model.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fi import hetu as stdnum_hetu

from asti.audit.admin import ReadOnlyMixin, RecordAdmin
from asti.core import crypto
from asti.people.identity_search import identity_code_lookup
from asti.people.models import Child, Custody, Guardian, ImportRun
from asti.people.protection import may_see_protected_addresses

PROTECTED = "turvakielto — address not shown"


class PersonAdmin(RecordAdmin):
    """Read-only: registry data changes only through a new extract."""

    @admin.display(description="identity code")
    def hetu_masked(self, obj: Any) -> str:
        return crypto.hetu_masked(obj.hetu)

    def _address_visible(self, request: HttpRequest, obj: Any) -> bool:
        protected = obj.address_protected() if isinstance(obj, Child) else obj.non_disclosure
        return not protected or may_see_protected_addresses(user=request.user)

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
        """A full identity code finds its person through the keyed digest (counted and audited: at most
        ASTI_IDENTITY_CODE_SEARCHES_PER_HOUR an hour); other terms search names and ids."""
        term = search_term.strip().upper()
        try:
            code = stdnum_hetu.validate(term, allow_temporary=True)
        except StdnumError:
            return super().get_search_results(request, queryset, search_term)
        if not identity_code_lookup(actor=request.user.get_username(), where="admin"):
            self.message_user(request, "Too many identity-code searches in the last hour.", messages.ERROR)
            return queryset.none(), False
        return queryset.filter(hetu_digest=crypto.hetu_digest(code)), False


class CustodyInline(ReadOnlyMixin, admin.TabularInline[Custody, Any]):
    model = Custody
    extra = 0
    can_delete = False
    fields = ("guardian", "child", "active")
    readonly_fields = ("guardian", "child", "active")


@admin.register(Child)
class ChildAdmin(PersonAdmin):
    audit_target_type = "child"
    audit_key = "child_id"
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
    audit_key = "guardian_id"
    list_display = ["guardian_id", "last_name", "first_name", "language", "active"]
    list_filter = ["active", "non_disclosure", "language"]
    search_fields = ["=guardian_id", "last_name", "first_name", "=phone", "=email"]
    fields = [
        "guardian_id", "hetu_masked", "first_name", "last_name", "phone", "email", "language",
        "street_address", "postal_code", "non_disclosure", "active", "created_at", "updated_at",
    ]  # fmt: skip
    inlines = [CustodyInline]


@admin.register(ImportRun)
class ImportRunAdmin(RecordAdmin):
    audit_target_type = "import_run"
    list_display = ["started_at", "finished_at", "source", "actor"]
    readonly_fields = ["started_at", "finished_at", "source", "actor", "counts"]

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from asti.units.models import AdmissionArea, Municipality, School, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin[Unit]):
    list_display = ["unit_id", "name_fi", "provider", "language", "pre_primary", "pre_primary_capacity",
                    "admission_area", "active"]  # fmt: skip
    list_filter = ["active", "provider", "language", "pre_primary", "admission_area"]
    search_fields = ["=unit_id", "name_fi", "name_sv", "street_address"]
    list_select_related = ["admission_area"]
    readonly_fields = ["unit_id", "created_at", "updated_at"]


@admin.register(AdmissionArea)
class AdmissionAreaAdmin(admin.ModelAdmin[AdmissionArea]):
    list_display = ["area_id", "name_fi", "name_sv", "language", "active"]
    list_filter = ["language", "active"]
    search_fields = ["=area_id", "name_fi", "name_sv"]
    readonly_fields = ["area_id", "geometry", "created_at", "updated_at"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin[Municipality]):
    list_display = ["code", "name_fi", "name_sv"]
    search_fields = ["=code", "name_fi"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin[School]):
    """Read-only here: planners edit schools on the staff pages, through the audited service."""

    list_display = ["school_id", "name_fi", "language", "admission_area", "first_grade_capacity",
                    "afternoon_activities", "afternoon_capacity", "active"]  # fmt: skip
    list_filter = ["active", "language", "afternoon_activities"]
    search_fields = ["=school_id", "name_fi", "name_sv"]
    list_select_related = ["admission_area"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: School | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: School | None = None) -> bool:
        return False

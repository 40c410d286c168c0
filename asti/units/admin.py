from __future__ import annotations

from django.contrib import admin

from asti.audit.admin import RecordAdmin
from asti.units.models import AdmissionArea, Municipality, School, Unit


@admin.register(Unit)
class UnitAdmin(RecordAdmin):
    """Read-only: capacities and details change on the staff pages, through the audited service that knows
    the round's state."""

    audit_target_type = "unit"
    audit_key = "unit_id"
    list_display = ["unit_id", "name_fi", "provider", "language", "pre_primary", "pre_primary_capacity",
                    "admission_area", "active"]  # fmt: skip
    list_filter = ["active", "provider", "language", "pre_primary", "admission_area"]
    search_fields = ["=unit_id", "name_fi", "name_sv", "street_address"]
    list_select_related = ["admission_area"]


@admin.register(AdmissionArea)
class AdmissionAreaAdmin(RecordAdmin):
    audit_target_type = "admission_area"
    audit_key = "area_id"
    list_display = ["area_id", "name_fi", "name_sv", "language", "active"]
    list_filter = ["language", "active"]
    search_fields = ["=area_id", "name_fi", "name_sv"]


@admin.register(Municipality)
class MunicipalityAdmin(RecordAdmin):
    audit_target_type = "municipality"
    audit_key = "code"
    list_display = ["code", "name_fi", "name_sv"]
    search_fields = ["=code", "name_fi"]


@admin.register(School)
class SchoolAdmin(RecordAdmin):
    """Read-only here: planners edit schools on the staff pages, through the audited service."""

    audit_target_type = "school"
    audit_key = "school_id"
    list_display = ["school_id", "name_fi", "language", "admission_area", "first_grade_capacity",
                    "afternoon_activities", "afternoon_capacity", "active"]  # fmt: skip
    list_filter = ["active", "language", "afternoon_activities"]
    search_fields = ["=school_id", "name_fi", "name_sv"]
    list_select_related = ["admission_area"]

from __future__ import annotations

from django.contrib import admin

from asti.units.models import AdmissionArea, Municipality, Unit


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

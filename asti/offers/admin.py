from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from asti.offers.models import OfferRound, Proposal


@admin.register(OfferRound)
class OfferRoundAdmin(admin.ModelAdmin[OfferRound]):
    list_display = ["id", "year", "status", "allocated_at", "created_by"]
    readonly_fields = ["year", "status", "created_by", "allocated_at", "allocation_figures"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin[Proposal]):
    list_display = ["round", "child", "unit", "reason", "distance_m", "override_unit"]
    list_filter = ["round", "reason", "education_language"]
    search_fields = ["=child__child_id", "=unit__unit_id"]
    list_select_related = ["round", "child", "unit", "override_unit"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Proposal._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

"""Rounds and proposals in the admin: read-only (they change through the round's services and pages only)."""

from __future__ import annotations

from django.contrib import admin

from asti.audit.admin import RecordAdmin
from asti.offers.models import OfferRound, Proposal


@admin.register(OfferRound)
class OfferRoundAdmin(RecordAdmin):
    audit_target_type = "round"
    list_display = ["id", "year", "status", "allocated_at", "created_by"]
    fields = ["year", "status", "created_by", "allocated_at", "allocation_figures"]


@admin.register(Proposal)
class ProposalAdmin(RecordAdmin):
    """No distances here: two distances from known units locate a home (non-disclosure)."""

    audit_target_type = "child"
    audit_key = "child.child_id"
    list_display = ["round", "child", "unit", "reason", "override_unit"]
    list_filter = ["round", "reason", "education_language"]
    search_fields = ["=child__child_id", "=unit__unit_id"]
    list_select_related = ["round", "child", "unit", "override_unit"]
    fields = [
        "round", "child", "unit", "education_language", "reason", "detail", "kept_current", "in_area",
        "nearest_in_area_unit", "group_key", "override_unit", "override_reason", "override_by", "override_at",
    ]  # fmt: skip

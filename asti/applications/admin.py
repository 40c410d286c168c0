"""Applications in the Django admin: read-only and audited. Every change goes through the services (the staff
pages), which check the state, write the timeline and the audit trail; attachments are not served here (only
the staff application page serves them, audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from asti.applications.models import Application, ApplicationEvent, ApplicationPeriod, Wish
from asti.audit.admin import ReadOnlyMixin, RecordAdmin, SettingAdmin


class WishInline(ReadOnlyMixin, admin.TabularInline[Wish, Application]):
    model = Wish
    extra = 0
    fields = readonly_fields = ("position", "unit", "school")


class EventInline(ReadOnlyMixin, admin.TabularInline[ApplicationEvent, Application]):
    model = ApplicationEvent
    extra = 0
    fields = readonly_fields = ("at", "kind", "actor", "details")


@admin.register(Application)
class ApplicationAdmin(RecordAdmin):
    audit_target_type = "application"
    audit_key = "reference"
    list_display = ["reference", "kind", "status", "due_date", "school_year", "channel", "sent_at"]
    # filters and search on the application's own coded fields only: nothing that narrows by a person's data
    list_filter = ["kind", "status", "channel", "urgent", "shift_care", "late"]
    search_fields = ["=reference"]
    fields = readonly_fields = (
        "reference", "kind", "status", "child", "guardian", "declined_offer", "channel", "received_on",
        "recorded_by", "sent_at", "due_date", "school_year", "start_date", "education_language", "urgent",
        "transfer", "service_need", "daily_start", "daily_end", "shift_care", "supplementary_ecec",
        "first_grade_choice", "weighted_curriculum", "annual_hours", "late", "proposed_unit", "proposed_school",
        "handler",
    )  # fmt: skip
    inlines = [WishInline, EventInline]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).exclude(status="draft")  # a draft is the family's own


@admin.register(ApplicationPeriod)
class ApplicationPeriodAdmin(SettingAdmin):
    """The city's application periods (no personal data): planners keep them here."""

    list_display = ["kind", "year", "opens_on", "closes_on"]
    list_filter = ["kind", "year"]

from __future__ import annotations

from django.contrib import admin

from asti.applications.models import Application, ApplicationEvent, Wish


class WishInline(admin.TabularInline[Wish, Application]):
    model = Wish
    extra = 0
    readonly_fields = ["position", "unit"]


class EventInline(admin.TabularInline[ApplicationEvent, Application]):
    model = ApplicationEvent
    extra = 0
    readonly_fields = ["at", "kind", "actor", "details"]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin[Application]):
    list_display = ["pk", "kind", "child", "status", "supplementary_ecec", "sent_at"]
    list_filter = ["kind", "status", "supplementary_ecec"]
    raw_id_fields = ["child", "guardian", "declined_offer"]
    readonly_fields = ["registry_snapshot", "sent_at", "created_at", "updated_at"]
    inlines = [WishInline, EventInline]

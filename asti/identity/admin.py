"""Read-only views of logins for administrators: roles and units come from the identity provider at each
login, so editing them here would be overwritten (deactivate a user in Django's own user admin instead)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from asti.identity.models import CitizenIdentity, StaffProfile


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StaffProfile)
class StaffProfileAdmin(ReadOnlyAdmin):
    list_display = ["user", "subject", "issuer", "last_method", "last_login_at"]
    search_fields = ["user__username", "subject"]
    fields = ["user", "issuer", "subject", "units", "last_method", "last_login_at"]


@admin.register(CitizenIdentity)
class CitizenIdentityAdmin(ReadOnlyAdmin):
    list_display = ["user", "last_loa", "last_method", "last_login_at"]
    fields = ["user", "last_loa", "last_method", "last_login_at"]  # the identity code's digest stays hidden

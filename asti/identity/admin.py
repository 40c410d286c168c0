"""Read-only views of logins for administrators: roles and units come from the identity provider at each
login, so editing them here would be overwritten (deactivate a user in Django's own user admin instead)."""

from __future__ import annotations

from django.contrib import admin

from asti.audit.admin import RecordAdmin
from asti.identity.models import CitizenIdentity, StaffProfile


@admin.register(StaffProfile)
class StaffProfileAdmin(RecordAdmin):
    audit_target_type = "staff_profile"
    list_display = ["user", "subject", "issuer", "last_method", "last_login_at"]
    search_fields = ["user__username", "subject"]
    fields = ["user", "issuer", "subject", "units", "last_method", "last_login_at"]


@admin.register(CitizenIdentity)
class CitizenIdentityAdmin(RecordAdmin):
    audit_target_type = "citizen_identity"
    list_display = ["user", "last_loa", "last_method", "last_login_at"]
    fields = ["user", "last_loa", "last_method", "last_login_at"]  # the identity code's digest stays hidden

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from asti.audit.admin import RecordAdmin
from asti.messaging.models import FollowUp, InboundMessage, Message
from asti.messaging.services import follow_up_resolve


@admin.register(Message)
class MessageAdmin(RecordAdmin):
    audit_target_type = "message"
    list_display = ["id", "channel", "lane", "status", "recipient", "template_key", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "channel", "lane", "template_key"]
    search_fields = ["=recipient", "=subject_id", "=gateway_message_id"]
    date_hierarchy = "created_at"


@admin.register(InboundMessage)
class InboundMessageAdmin(RecordAdmin):
    audit_target_type = "inbound_message"
    list_display = ["id", "received_at", "sender", "handling_result", "text"]
    list_filter = ["handling_result", "gateway"]
    search_fields = ["=sender"]
    date_hierarchy = "received_at"


@admin.register(FollowUp)
class FollowUpAdmin(RecordAdmin):
    audit_target_type = "follow_up"
    list_display = ["id", "created_at", "reason", "guardian", "subject_type", "subject_id", "detail", "resolved_at"]
    list_filter = ["reason", ("resolved_at", admin.EmptyFieldListFilter)]
    actions = ["resolve"]

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        """Only for the list's action, which resolves through the service; a record is never edited here."""
        return bool(request.user.has_perm("messaging.change_followup")) and obj is None

    @admin.action(description="Mark as resolved", permissions=["change"])
    def resolve(self, request: HttpRequest, queryset: QuerySet[FollowUp]) -> None:
        for follow_up in queryset:
            follow_up_resolve(follow_up=follow_up, actor=request.user.get_username())
        self.message_user(request, f"{queryset.count()} resolved", messages.SUCCESS)

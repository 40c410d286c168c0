from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from asti.messaging.models import FollowUp, InboundMessage, Message
from asti.messaging.services import follow_up_resolve


class ReadOnlyMixin:
    """Written by the services only; staff read them here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(ReadOnlyMixin, admin.ModelAdmin[Message]):
    list_display = ["id", "channel", "lane", "status", "recipient", "template_key", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "channel", "lane", "template_key"]
    search_fields = ["=recipient", "=subject_id", "=gateway_message_id"]
    date_hierarchy = "created_at"


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyMixin, admin.ModelAdmin[InboundMessage]):
    list_display = ["id", "received_at", "sender", "handling_result", "text"]
    list_filter = ["handling_result", "gateway"]
    search_fields = ["=sender"]
    date_hierarchy = "received_at"


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyMixin, admin.ModelAdmin[FollowUp]):
    list_display = ["id", "created_at", "reason", "guardian", "subject_type", "subject_id", "detail", "resolved_at"]
    list_filter = ["reason", ("resolved_at", admin.EmptyFieldListFilter)]
    actions = ["resolve"]

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.has_perm("messaging.change_followup")) and obj is None

    @admin.action(description="Mark as resolved", permissions=["change"])
    def resolve(self, request: HttpRequest, queryset: QuerySet[FollowUp]) -> None:
        for follow_up in queryset:
            follow_up_resolve(follow_up=follow_up, actor=request.user.get_username())
        self.message_user(request, f"{queryset.count()} resolved", messages.SUCCESS)

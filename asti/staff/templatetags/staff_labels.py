"""The staff pages' labels for stored codes (asti.staff.labels) as template filters."""

from __future__ import annotations

from django import template

from asti.staff import labels

register = template.Library()


@register.filter
def language_name(code: str) -> str:
    return labels.label(labels.LANGUAGES, code)


@register.filter
def reply_result(code: str) -> str:
    return labels.label(labels.REPLY_RESULTS, code)


@register.filter
def audit_operation(code: str) -> str:
    return labels.label(labels.AUDIT_OPERATIONS, code)


@register.filter
def audit_status(code: str) -> str:
    return labels.label(labels.AUDIT_STATUSES, code)


@register.filter
def audit_target(code: str) -> str:
    return labels.label(labels.AUDIT_TARGETS, code)

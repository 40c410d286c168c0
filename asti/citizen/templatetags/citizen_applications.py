"""Words for application kinds in the guardian's templates."""

from __future__ import annotations

from django import template

from asti.applications.models import ApplicationKind
from asti.citizen.application_form import KIND_ACTIONS, KIND_TITLES

register = template.Library()


@register.filter
def kind_title(kind: str) -> str:
    return str(KIND_TITLES[ApplicationKind(kind)]) if kind in ApplicationKind.values else kind


@register.filter
def kind_action(kind: str) -> str:
    return str(KIND_ACTIONS[ApplicationKind(kind)]) if kind in ApplicationKind.values else kind


@register.filter
def place_name(place: object, language: str) -> str:
    name_in = getattr(place, "name_in", None)
    return str(name_in(language)) if callable(name_in) else ""


@register.filter
def errors_for(problems: dict[str, list[str]], name: str) -> list[str]:
    return problems.get(name, []) if isinstance(problems, dict) else []

"""Registry rules shared by the import, the round and the pages (pure functions)."""

from __future__ import annotations


def resolve_education_language(*, override: str, current_unit_language: str | None, registered: str) -> str:
    """Contract 3.1: the override, else the current unit's language, else sv for Swedish speakers, else fi."""
    if override:
        return override
    if current_unit_language:
        return current_unit_language
    return "sv" if registered == "sv" else "fi"

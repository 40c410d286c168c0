"""The audit trail is kept apart from the business data: its own database (settings `DATABASES["audit"]`,
from AUDIT_DATABASE_URL), its own connection and transactions. Nothing else is stored there and the audit
table exists nowhere else, so a rollback, a restore or a purge of business data never touches the trail, and
the trail's database can be given to a role that may only INSERT and SELECT."""

from __future__ import annotations

from typing import Any

AUDIT_DB = "audit"
AUDIT_APP = "audit"


class AuditRouter:
    def db_for_read(self, model: type, **hints: Any) -> str | None:
        return AUDIT_DB if model._meta.app_label == AUDIT_APP else None  # type: ignore[attr-defined]

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        return AUDIT_DB if model._meta.app_label == AUDIT_APP else None  # type: ignore[attr-defined]

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        a, b = obj1._meta.app_label == AUDIT_APP, obj2._meta.app_label == AUDIT_APP
        return None if a == b else False

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return (db == AUDIT_DB) == (app_label == AUDIT_APP)

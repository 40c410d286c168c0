"""The audit trail is kept apart from the business data: its own database (settings `DATABASES["audit"]`,
from AUDIT_DATABASE_URL), its own connection and transactions. Nothing else is stored there and the trail's
table exists nowhere else, so a rollback, a restore or a purge of business data never touches the trail, and
the trail's database can be given to a role that may only INSERT and SELECT. Only the short-lived queue of
events waiting for their change's commit (`PendingAuditEvent`) stays in the business database."""

from __future__ import annotations

from typing import Any

AUDIT_DB = "audit"
# The same database under a role that may also DELETE, when configured: used by the retention purge alone.
AUDIT_PURGE_DB = "audit_purge"
AUDIT_APP = "audit"
# The one model of the app that lives in the business database: events waiting for their change's commit.
PENDING_MODEL = "pendingauditevent"


def _in_audit_db(app_label: str, model_name: str | None) -> bool:
    return app_label == AUDIT_APP and model_name != PENDING_MODEL


class AuditRouter:
    def db_for_read(self, model: type, **hints: Any) -> str | None:
        meta = model._meta  # type: ignore[attr-defined]
        return AUDIT_DB if _in_audit_db(meta.app_label, meta.model_name) else None

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        return self.db_for_read(model, **hints)

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        a = _in_audit_db(obj1._meta.app_label, obj1._meta.model_name)
        b = _in_audit_db(obj2._meta.app_label, obj2._meta.model_name)
        return None if a == b else False

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        if db == AUDIT_PURGE_DB:
            return False  # the trail's database under the purge's role: migrated as `audit`
        if app_label == AUDIT_APP and model_name is None:
            return db == AUDIT_DB  # an operation without a model (none in the app so far)
        return (db == AUDIT_DB) == _in_audit_db(app_label, model_name)

"""A guardian's data as Asti holds it, machine-readable (GDPR article 15 and 20): the guardian, every child in
their custody, and every row of every table that refers to them, followed through the foreign keys.

The tables are found from the models themselves (`personal_tables`): a model is personal data when one of its
foreign keys leads to a guardian or a child, directly or through another such model. So a table added later is in
the export without a change here, and `docs/privacy.md` lists them (a test keeps the two equal).

What is left out of a row: keyed digests and encrypted values (the identity code is given in clear instead, for
the guardian and their children), secrets and tokens. Of a file, its name and size (the files themselves are
served by the pages that check who may see them). Another guardian's own record is not included; their id may
appear where they acted on a shared child. The access log gives when and how the data was used, not by whom
(staff identities are the city's to give on request).
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models.fields.files import FieldFile

from asti.audit.models import AuditEvent
from asti.core import clock
from asti.identity.models import CitizenIdentity
from asti.people.models import Child, Guardian

ROOTS: tuple[type[models.Model], ...] = (Guardian, Child)
HIDDEN_FIELD_PARTS = ("digest", "encrypted", "secret", "token", "password")


def personal_tables() -> dict[str, list[tuple[str, str]]]:
    """Every project model whose rows refer to a guardian or a child (through foreign keys, at any depth):
    label -> [(foreign key name, label of the personal model it points to)], each table after those it points
    to, so that one pass in this order collects a family."""
    keys = {m._meta.label: _foreign_keys(m) for m in apps.get_models() if m.__module__.startswith("asti.")}
    found = {m._meta.label for m in ROOTS}
    while new := {label for label, fks in keys.items() if label not in found and any(t in found for _, t in fks)}:
        found |= new
    tables: dict[str, list[tuple[str, str]]] = {m._meta.label: [] for m in ROOTS}
    while len(tables) < len(found):
        ready = {}
        for label in sorted(found - tables.keys()):
            links = [(name, target) for name, target in keys[label] if target in found and target != label]
            if all(target in tables for _, target in links):
                ready[label] = links
        if not ready:  # pragma: no cover - the foreign keys between personal tables form a cycle
            raise RuntimeError(f"no order for {sorted(found - tables.keys())}")
        tables.update(ready)
    return tables


def _foreign_keys(model: type[models.Model]) -> list[tuple[str, str]]:
    out = []
    for f in model._meta.get_fields():
        related = f.related_model
        relation = f.concrete and f.is_relation and (f.many_to_one or f.one_to_one)
        if relation and isinstance(related, type) and issubclass(related, models.Model):
            out.append((f.name, related._meta.label))
    return out


def person_data_export(*, guardian: Guardian) -> dict[str, Any]:
    """Everything Asti holds on this guardian and the children in their custody (active or ended)."""
    children = list(Child.objects.filter(custodies__guardian=guardian).distinct().order_by("child_id"))
    rows: dict[str, dict[Any, models.Model]] = {
        Guardian._meta.label: {guardian.pk: guardian},
        Child._meta.label: {c.pk: c for c in children},
    }
    tables = personal_tables()
    for label, links in tables.items():  # each table after those it points to: one pass
        query = models.Q()
        for field, target in links:
            if rows.get(target):
                query |= models.Q(**{f"{field}__in": list(rows[target])})
        if query:
            found = apps.get_model(label)._default_manager.filter(query).order_by("pk")
            rows.setdefault(label, {}).update((obj.pk, obj) for obj in found)
    out_tables = {label: [_row(obj) for obj in rows.get(label, {}).values()] for label in tables}
    out_tables[Guardian._meta.label][0]["identity_code"] = guardian.hetu
    for child, row in zip(children, out_tables[Child._meta.label], strict=True):
        row["identity_code"] = child.hetu
    logins = CitizenIdentity.objects.filter(hetu_digest=guardian.hetu_digest)
    ids = [guardian.guardian_id, *(c.child_id for c in children)]
    return {
        "format": "asti-person-data/1",
        "generated_at": clock.now().isoformat(timespec="seconds"),
        "guardian_id": guardian.guardian_id,
        "children": [c.child_id for c in children],
        "tables": out_tables,
        "logins": [_row(login) for login in logins],
        "access_log": _access_log(ids),
    }


def _access_log(ids: Iterable[str]) -> list[dict[str, Any]]:
    events = AuditEvent.objects.filter(target_type__in=["child", "guardian"], target_id__in=list(ids))
    return [
        {"at": e.at.isoformat(timespec="seconds"), "operation": e.operation, "about": f"{e.target_type} {e.target_id}",
         "staff": not e.actor.startswith(("guardian:", "system", "scheduler")), "status": e.status}
        for e in events.order_by("at", "id")
    ]  # fmt: skip


def _row(obj: models.Model) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if any(part in field.name for part in HIDDEN_FIELD_PARTS):
            continue
        value = getattr(obj, field.attname)
        row[field.attname] = _json_value(value)
    return row


def _json_value(value: Any) -> Any:
    if isinstance(value, FieldFile):
        if not value:
            return None
        try:
            size: int | None = value.size
        except OSError:
            size = None
        return {"name": value.name, "bytes": size}
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    return value

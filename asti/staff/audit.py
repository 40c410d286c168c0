"""Reading the audit trail (asti.audit writes it): filtered by person, staff member, operation and dates, with the
people named, and exported."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from asti.audit.models import AuditEvent
from asti.core import clock
from asti.people.models import Child, Guardian

PAGE = 200
EXPORT_LIMIT = 100_000


@dataclass(frozen=True)
class AuditQuery:
    actor: str = ""
    person: str = ""
    operation: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

    def empty(self) -> bool:
        return not (self.actor or self.person or self.operation or self.since or self.until)


def audit_events_query(query: AuditQuery) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
    if query.actor:
        events = events.filter(actor=query.actor.strip())
    if query.person:
        events = events.filter(target_id=query.person.strip())
    if query.operation:
        events = events.filter(operation=query.operation.strip().upper())
    if query.since:
        events = events.filter(at__gte=_start_of(query.since))
    if query.until:
        events = events.filter(at__lt=_start_of(query.until + dt.timedelta(days=1)))
    return events.order_by("-at", "-id")


def person_names(events: Iterable[AuditEvent]) -> dict[tuple[str, str], str]:
    """(target type, id) -> the person's name, for the children and guardians among the events."""
    events = list(events)
    children = {e.target_id for e in events if e.target_type == "child"}
    guardians = {e.target_id for e in events if e.target_type == "guardian"}
    names: dict[tuple[str, str], str] = {}
    for key, first, last in Child.objects.filter(child_id__in=children).values_list(
        "child_id", "first_name", "last_name"
    ):
        names[("child", key)] = f"{first} {last}"
    for key, first, last in Guardian.objects.filter(guardian_id__in=guardians).values_list(
        "guardian_id", "first_name", "last_name"
    ):
        names[("guardian", key)] = f"{first} {last}"
    return names


def audit_csv(query: AuditQuery) -> Iterator[str]:
    """The events as CSV rows (newest first, at most EXPORT_LIMIT), people named; streamed in chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["at", "actor", "operation", "target_type", "target_id", "name", "status", "details"])
    events = audit_events_query(query)[:EXPORT_LIMIT]
    chunk: list[AuditEvent] = []

    def flush() -> str:
        names = person_names(chunk)
        for e in chunk:
            writer.writerow([
                e.at.astimezone(clock.HELSINKI).isoformat(timespec="seconds"), e.actor, e.operation, e.target_type,
                e.target_id, names.get((e.target_type, e.target_id), ""), e.status, _json(e.details),
            ])  # fmt: skip
        chunk.clear()
        out = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return out

    yield flush()
    for event in events.iterator(chunk_size=2000):
        chunk.append(event)
        if len(chunk) == 2000:
            yield flush()
    yield flush()


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=clock.HELSINKI)


def _json(details: object) -> str:
    return json.dumps(details, ensure_ascii=False, sort_keys=True, default=str)

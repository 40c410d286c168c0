"""The audit trail is kept apart from the business data and written only after the change commits."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections, transaction

from asti.audit.models import AuditEvent, AuditTrailIsAppendOnly, PendingAuditEvent
from asti.audit.router import AuditRouter
from asti.audit.services import audit_log, audit_log_many, forward_pending
from asti.core import clock
from tests.factories import ChildFactory

ROOT = Path(__file__).resolve().parents[2]


def _tables(alias: str) -> set[str]:
    with connections[alias].cursor() as cursor:
        return set(connections[alias].introspection.table_names(cursor))


@pytest.mark.django_db(transaction=True, databases=["default", "audit"])
def test_events_live_in_the_audit_database_only() -> None:
    assert "audit_auditevent" in _tables("audit")
    assert "audit_auditevent" not in _tables("default")
    assert "people_child" in _tables("default")
    assert "people_child" not in _tables("audit")
    assert "audit_pendingauditevent" in _tables("default")  # the queue of events waiting for a commit
    assert "audit_pendingauditevent" not in _tables("audit")

    audit_log(actor="planner1", operation="VIEW", target_type="child", target_id="42")

    assert AuditEvent.objects.db == "audit"
    with connections["audit"].cursor() as cursor:
        cursor.execute("SELECT actor, operation, target_id FROM audit_auditevent")
        assert cursor.fetchall() == [("planner1", "VIEW", "42")]


@pytest.mark.django_db(transaction=True, databases=["default", "audit"])
def test_written_after_the_business_change_commits_and_not_for_a_rollback() -> None:
    seen_inside: list[tuple[int, int]] = []
    with transaction.atomic():
        child = ChildFactory()
        audit_log(actor="planner1", operation="UPDATE", target_type="child", target_id=str(child.pk))
        seen_inside.append((AuditEvent.objects.count(), PendingAuditEvent.objects.count()))
    assert seen_inside == [(0, 1)]  # waiting in the change's own transaction
    assert list(AuditEvent.objects.values_list("operation", "target_id")) == [("UPDATE", str(child.pk))]
    assert not PendingAuditEvent.objects.exists()

    with pytest.raises(RuntimeError), transaction.atomic():
        other = ChildFactory()
        audit_log(actor="planner1", operation="UPDATE", target_type="child", target_id=str(other.pk))
        raise RuntimeError("the change fails")
    assert AuditEvent.objects.count() == 1
    assert not PendingAuditEvent.objects.exists()


@contextmanager
def trail_unavailable() -> Iterator[None]:
    """The audit database refuses writes to the trail (its table is away for a moment)."""
    with connections["audit"].cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent RENAME TO audit_auditevent_away")
    try:
        yield
    finally:
        with connections["audit"].cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditevent_away RENAME TO audit_auditevent")


@pytest.mark.django_db(transaction=True, databases=["default", "audit"])
def test_when_the_trail_cannot_be_written_events_wait_and_are_moved_once_later() -> None:
    with trail_unavailable():
        with transaction.atomic():
            child = ChildFactory()
            audit_log(actor="planner1", operation="UPDATE", target_type="child", target_id=child.child_id)
        audit_log(actor="planner1", operation="VIEW", target_type="child", target_id=child.child_id)  # a read
        audit_log_many(actor="planner1", operation="SEARCH", target_type="child", target_ids=["C1", "C2"])
        assert type(child).objects.filter(pk=child.pk).exists()  # the change stands
    assert PendingAuditEvent.objects.count() == 4
    assert AuditEvent.objects.count() == 0

    out = StringIO()
    call_command("audit_forward", "--older-than", "0", stdout=out)
    assert "moved 4 audit events" in out.getvalue()
    call_command("audit_forward", "--older-than", "0", stdout=StringIO())
    ops = sorted(AuditEvent.objects.values_list("operation", "target_id"))
    assert ops == sorted([("UPDATE", child.child_id), ("VIEW", child.child_id), ("SEARCH", "C1"), ("SEARCH", "C2")])
    assert not PendingAuditEvent.objects.exists()


@pytest.mark.django_db(transaction=True, databases=["default", "audit"])
def test_a_move_cut_off_after_the_trail_insert_is_not_recorded_twice() -> None:
    with transaction.atomic():
        pending = PendingAuditEvent.objects.create(
            event_id=uuid.uuid4(), at=clock.now(), actor="planner1", operation="VIEW", target_id="C1"
        )
    AuditEvent.objects.create(event_id=pending.event_id, at=pending.at, actor="planner1", operation="VIEW",
                              target_id="C1")  # fmt: skip
    assert forward_pending(older_than=dt.timedelta(0)) == 0
    assert AuditEvent.objects.filter(event_id=pending.event_id).count() == 1
    assert not PendingAuditEvent.objects.exists()
    assert forward_pending(older_than=dt.timedelta(0)) == 0


@pytest.mark.django_db(transaction=True, databases=["default", "audit"])
def test_a_failure_in_the_audit_database_transaction_does_not_undo_the_business_change() -> None:
    """Separate connections: rolling back the audit side leaves the business side as it was."""
    child = ChildFactory()
    with pytest.raises(RuntimeError), transaction.atomic(using="audit"):
        AuditEvent.objects.create(at=clock.now(), actor="planner1", operation="VIEW")
        raise RuntimeError("audit side fails")
    assert AuditEvent.objects.count() == 0
    assert type(child).objects.filter(pk=child.pk).exists()


def test_router_keeps_each_app_in_its_own_database() -> None:
    router = AuditRouter()
    assert router.allow_migrate("audit", "audit") is True
    assert router.allow_migrate("default", "audit") is False
    assert router.allow_migrate("audit", "people") is False
    assert router.allow_migrate("default", "people") is True
    assert router.allow_migrate("default", "audit", "pendingauditevent") is True
    assert router.allow_migrate("audit", "audit", "pendingauditevent") is False
    assert router.allow_migrate("audit", "audit", "auditevent") is True


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _sqlite_tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_migrate_prepares_both_databases_and_database_option_just_one(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("AUDIT_DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(ASTI_ENV="development", DATABASE_URL=f"sqlite:///{tmp_path / 'city.sqlite3'}")
    r = _manage("migrate", "--noinput", env=env)
    assert r.returncode == 0, r.stderr
    assert "audit_auditevent" in _sqlite_tables(tmp_path / "city-audit.sqlite3")
    main = _sqlite_tables(tmp_path / "city.sqlite3")
    assert "people_child" in main and "audit_auditevent" not in main

    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    env["AUDIT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'trail' / 'audit.sqlite3'}"
    r = _manage("migrate", "--noinput", "--database", "default", env=env)
    assert r.returncode == 0, r.stderr
    assert not (tmp_path / "trail" / "audit.sqlite3").exists() or not _sqlite_tables(
        tmp_path / "trail" / "audit.sqlite3"
    )
    r = _manage("migrate", "--noinput", env=env)
    assert r.returncode == 0, r.stderr
    assert "audit_auditevent" in _sqlite_tables(tmp_path / "trail" / "audit.sqlite3")


@pytest.mark.django_db(databases=["default", "audit"])
def test_an_event_is_never_changed_or_deleted() -> None:
    event = AuditEvent.objects.create(at=clock.now(), actor="planner1", operation="VIEW", target_id="7")
    event.actor = "someone else"
    with pytest.raises(AuditTrailIsAppendOnly):
        event.save()
    with pytest.raises(AuditTrailIsAppendOnly):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).actor == "planner1"


@pytest.mark.django_db(transaction=True, databases=["default", "audit"])
def test_a_list_of_thousands_goes_into_the_trail_whole_and_as_given() -> None:
    ids = [f"C{i:05d}" for i in range(1200)]  # past COPY_FROM: PostgreSQL's COPY writes them
    audit_log_many(actor="planner", operation="EXPORT", target_type="child", target_ids=ids,
                   details={"round": 7, "export": "proposals.csv", "note": "ä € \"quoted\" \\ tab\t"})  # fmt: skip
    rows = list(AuditEvent.objects.filter(operation="EXPORT").order_by("target_id"))
    assert [r.target_id for r in rows] == ids
    assert len({r.event_id for r in rows}) == 1200 and all(r.event_id is not None for r in rows)
    first = rows[0]
    assert (first.actor, first.target_type, first.status) == ("planner", "child", "SUCCESS")
    assert first.details == {"round": 7, "export": "proposals.csv", "note": 'ä € "quoted" \\ tab\t'}
    assert abs((first.at - clock.now()).total_seconds()) < 60

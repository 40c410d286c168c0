"""Retention: what Asti keeps only for a while, and the purge that removes it when its time is up.

Each rule names one table, the setting that gives its period (days after the event the rule names), which rows
have expired, and what happens to them: deleted, or anonymised (the row stays, its personal fields are emptied,
so what it proves stays: a message was sent and delivered, a reply answered an offer). docs/privacy.md gives each
rule's legal basis, and the privacy notice shows the same periods (`retention_periods`).

Official records are not purged here: applications that were sent, offers and their answers, decisions and the
consent to electronic delivery are kept under the city's archive plan (Arkistolaki 831/1994, tiedonhallintalaki
906/2019 21 §) and leave Asti through the city's archive, not through this purge.

The purge works in batches of `ASTI_RETENTION_BATCH_SIZE` rows, each in a transaction of its own (short locks), and
is idempotent: an anonymised row no longer matches its rule, a deleted one is gone. One audit event per run gives
the counts per table, never what was removed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError, models, transaction
from django.db.models import Q, QuerySet

from asti.applications.models import Application, ApplicationStatus, Attachment
from asti.audit.models import AuditEvent
from asti.audit.router import AUDIT_DB, AUDIT_PURGE_DB
from asti.audit.services import audit_log
from asti.conversations.models import CallNote, Thread, ThreadAttachment
from asti.core import clock
from asti.decisions.models import Decision
from asti.messaging.models import (
    CLAIMABLE_STATUSES,
    DeliveryReport,
    FollowUp,
    InboundMessage,
    Message,
    SimulatedMessage,
)
from asti.offers.models import Feedback, Offer

DELETE = "deleted"
ANONYMISE = "anonymised"

# Official records of the admission procedure (which rows of a table are one), kept under the city's archive plan:
# never purged here and never erased on request (asti.privacy.erasure), except a test family's.
OFFICIAL_RECORDS: dict[str, Q] = {
    Application._meta.label: ~Q(status=ApplicationStatus.DRAFT),
    Offer._meta.label: Q(),
    Decision._meta.label: Q(),
}


@dataclass(frozen=True)
class Rule:
    key: str  # the retention period's name: the setting ASTI_RETENTION_<KEY>_DAYS
    model: type[models.Model]
    expired: Callable[[dt.datetime], QuerySet[Any]]
    anonymise: dict[str, Any] | None = None  # None: delete the row
    files: Callable[[list[Any]], list[models.fields.files.FieldFile]] = field(default=lambda pks: [])
    database: str = "default"

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def action(self) -> str:
        return DELETE if self.anonymise is None else ANONYMISE

    @property
    def days(self) -> int:
        return int(getattr(settings, f"ASTI_RETENTION_{self.key.upper()}_DAYS"))


def _message_files(pks: list[Any]) -> list[models.fields.files.FieldFile]:
    return [a.file for a in ThreadAttachment.objects.filter(message__thread__in=pks)]


def _application_files(pks: list[Any]) -> list[models.fields.files.FieldFile]:
    return [a.file for a in Attachment.objects.filter(application__in=pks)]


def _audit_database() -> str:
    return AUDIT_PURGE_DB if AUDIT_PURGE_DB in settings.DATABASES else AUDIT_DB


def rules() -> list[Rule]:
    """Every retention rule, in the order the purge applies them (rows that others point to last)."""
    sent = ~Q(status__in=CLAIMABLE_STATUSES)
    return [
        # Message contents: the text, the number or address, the fallback email and the gateway's error go; the row
        # (template, channel, times, delivery state, guardian) stays, as it proves the offer was served.
        Rule("message", DeliveryReport, lambda cut: DeliveryReport.objects.filter(message__created_at__lt=cut)),
        Rule("message", SimulatedMessage, lambda cut: SimulatedMessage.objects.filter(created_at__lt=cut)),
        Rule(
            "message",
            Message,
            lambda cut: Message.objects.filter(sent, created_at__lt=cut).exclude(
                body="", subject="", recipient="", last_error="", fallback__isnull=True
            ),
            anonymise={"body": "", "subject": "", "recipient": "", "last_error": "", "fallback": None},
        ),
        # Replies: the words, the number and the raw gateway data go; what the reply did (its handling result, the
        # guardian, the time) stays, and the answer it gave is kept on the offer as part of the decision's record.
        Rule("reply", FollowUp, lambda cut: FollowUp.objects.filter(resolved_at__lt=cut)),
        Rule(
            "reply",
            InboundMessage,
            lambda cut: InboundMessage.objects.filter(received_at__lt=cut).exclude(
                text="", sender="", receiver="", raw={}, error=""
            ),
            anonymise={"text": "", "sender": "", "receiver": "", "raw": {}, "error": ""},
        ),
        # Conversations with service guidance or a unit: the whole thread (messages, files, read marks) once its
        # last message is older than the period; notes of calls likewise.
        Rule("conversation", Thread, lambda cut: Thread.objects.filter(last_message_at__lt=cut), files=_message_files),
        Rule("conversation", CallNote, lambda cut: CallNote.objects.filter(written_at__lt=cut)),
        # Feedback: the comment goes, the score stays for the yearly figures.
        Rule(
            "feedback",
            Feedback,
            lambda cut: Feedback.objects.filter(given_at__lt=cut).exclude(comment=""),
            anonymise={"comment": ""},
        ),
        # Drafts never sent were never delivered to the city: deleted with their wishes, timeline and files.
        Rule(
            "draft",
            Application,
            lambda cut: Application.objects.exclude(OFFICIAL_RECORDS["applications.Application"]).filter(
                updated_at__lt=cut
            ),
            files=_application_files,
        ),
        # A guardian's login (their user, with the name the identification service gave) once unused for the period;
        # the next login creates it again. A disabled account is kept, so that it stays disabled.
        Rule(
            "login",
            User,
            lambda cut: User.objects.filter(citizen_identity__last_login_at__lt=cut, is_active=True),
        ),
        # The audit trail, by its own rule: events older than the period.
        Rule(
            "audit",
            AuditEvent,
            lambda cut: AuditEvent.objects.using(_audit_database()).filter(at__lt=cut),
            database="audit",
        ),
    ]


def retention_periods() -> dict[str, int]:
    """The period of each rule in days (0: kept until the rule is turned on), for the privacy notice."""
    return {rule.key: rule.days for rule in rules()}


@dataclass
class PurgeResult:
    dry_run: bool
    rows: dict[str, int] = field(default_factory=dict)  # "label action" -> rows
    cutoffs: dict[str, str] = field(default_factory=dict)  # label -> the instant before which rows expired

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def lines(self) -> Iterable[str]:
        verb = "would be " if self.dry_run else ""
        for key, count in self.rows.items():
            label, action = key.split(" ")
            yield f"{label}: {count} {verb}{action} (before {self.cutoffs[label]})"


STATUS_DONE, STATUS_FAILED = "SUCCESS", "FAILED"  # the audit statuses (labels: asti.staff.labels)


class PurgeFailed(Exception):
    pass


def purge_expired(*, actor: str, dry_run: bool = False, now: dt.datetime | None = None) -> PurgeResult:
    """Applies every rule whose period is on. Audited (counts per table) unless nothing was removed or a dry run.
    A rule that fails (e.g. the trail's role may not delete) does not stop the others; what was done is audited
    and the failure raised at the end (`PurgeFailed`), so the scheduler's run shows it."""
    now = now or clock.now()
    batch = max(1, settings.ASTI_RETENTION_BATCH_SIZE)
    result = PurgeResult(dry_run=dry_run)
    failed: dict[str, str] = {}
    for rule in rules():
        if rule.days <= 0:
            continue
        cutoff = now - dt.timedelta(days=rule.days)
        result.cutoffs[rule.label] = cutoff.isoformat(timespec="seconds")
        key = f"{rule.label} {rule.action}"
        result.rows[key] = 0
        try:
            if dry_run:
                result.rows[key] = rule.expired(cutoff).count()
            else:
                _apply(rule, cutoff, batch, result.rows, key)
        except DatabaseError as error:
            failed[rule.label] = f"{type(error).__name__}: {error}"[:300]
    if not dry_run and (result.total or failed):
        details: dict[str, Any] = {"rows": result.rows, "cutoffs": result.cutoffs}
        if failed:
            details["failed"] = failed
        audit_log(
            actor=actor, operation="RETENTION_PURGE", target_type="retention", details=details,
            status=STATUS_FAILED if failed else STATUS_DONE,
        )  # fmt: skip
    if failed:
        raise PurgeFailed("; ".join(f"{label}: {why}" for label, why in failed.items()))
    return result


def _delete_files(files: list[models.fields.files.FieldFile]) -> None:
    for f in files:
        f.delete(save=False)


def _apply(rule: Rule, cutoff: dt.datetime, batch: int, counts: dict[str, int], key: str) -> None:
    """Batch after batch, each in its own transaction, in primary-key order (so it always ends, even if a row
    should still match after its change)."""
    database = _audit_database() if rule.database == "audit" else "default"
    last: Any = None
    while True:
        with transaction.atomic(using=database):
            expired = rule.expired(cutoff) if last is None else rule.expired(cutoff).filter(pk__gt=last)
            pks = list(expired.order_by("pk").values_list("pk", flat=True)[:batch])
            if not pks:
                return
            rows = rule.model._default_manager.db_manager(database).filter(pk__in=pks)
            if rule.anonymise is None:
                files = [f for f in rule.files(pks) if f]
                rows.delete()
                if files:
                    transaction.on_commit(partial(_delete_files, files))
            else:
                rows.update(**rule.anonymise)
        counts[key] += len(pks)
        last = pks[-1]
        if len(pks) < batch:
            return

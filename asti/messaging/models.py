"""The outbox and everything that comes back: delivery reports, inbound replies, and the staff follow-up list.

A Message row is written in the same transaction as the change that causes it and is sent later by a worker
(asti.messaging.worker). Its status only moves forward; the final states are never overwritten.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from asti.people.models import Guardian


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("email")


class Lane(models.TextChoices):
    FAST = "fast", _("fast (answers, confirmations)")
    BULK = "bulk", _("bulk (offers, reminders)")


class Status(models.TextChoices):
    CREATED = "created", _("created")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent (handed to the gateway)")
    DELIVERED = "delivered", _("delivered")
    TEMPORARY_FAILURE = "temporary_failure", _("temporary failure (will be retried)")
    PERMANENT_FAILURE = "permanent_failure", _("permanent failure")
    TECHNICAL_FAILURE = "technical_failure", _("technical failure")


FINAL_STATUSES = frozenset({Status.DELIVERED, Status.PERMANENT_FAILURE, Status.TECHNICAL_FAILURE})
FAILED_STATUSES = frozenset({Status.PERMANENT_FAILURE, Status.TECHNICAL_FAILURE})
# A worker may claim a row in these states once its next_attempt_at has passed; a row in SENDING only once the
# lease of the worker that claimed it has run out and that worker had not begun handing it to the gateway
# (handed_at unset): that is how a crashed worker's rows are recovered without sending anything twice. A row it was
# handing over is "in doubt" and settled by asti.messaging.handoff instead.
CLAIMABLE_STATUSES = (Status.CREATED, Status.TEMPORARY_FAILURE, Status.SENDING)


class Message(models.Model):
    """One outgoing SMS or email: an outbox row tied to the template version it was rendered from."""

    channel = models.CharField(max_length=8, choices=Channel.choices)
    lane = models.CharField(max_length=8, choices=Lane.choices, default=Lane.BULK)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CREATED)
    recipient = models.CharField(max_length=254, help_text="E.164 phone number or email address")
    language = models.CharField(max_length=2)
    template_key = models.CharField(max_length=100)
    template_version = models.CharField(max_length=16, help_text="hash of the template file")
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    sms_encoding = models.CharField(max_length=8, blank=True, help_text="GSM-7 or UCS-2")
    sms_parts = models.PositiveSmallIntegerField(default=0)

    # What the message is about, for the app that sent it (e.g. "offer", 123); messaging does not interpret it.
    subject_type = models.CharField(max_length=64, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    guardian = models.ForeignKey(Guardian, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    # An SMS may carry the email to send instead if it fails for good: {"recipient", "subject", "body",
    # "template_key", "template_version"}. The email is enqueued in the transaction that records the failure.
    fallback = models.JSONField(null=True, blank=True)
    fallback_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="fallback_message"
    )
    follow_up_on_failure = models.BooleanField(
        default=True, help_text="put the guardian on the staff follow-up list when this (and its fallback) fails"
    )

    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        help_text="when a worker may claim the row (its place in the queue): creation or the back-off time"
    )
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    handed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="when the worker began handing this try to the gateway (committed before the hand-off)",
    )
    gateway_message_id = models.CharField(max_length=100, blank=True)
    last_error = models.TextField(blank=True)

    created_at = models.DateTimeField()
    sending_at = models.DateTimeField(null=True, blank=True, help_text="last claimed by a worker")
    sent_at = models.DateTimeField(null=True, blank=True, help_text="handed to the gateway")
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["lane", "channel", "next_attempt_at"],
                name="messaging_message_due",
                condition=Q(status__in=CLAIMABLE_STATUSES),
            ),
            models.Index(fields=["subject_type", "subject_id"], name="messaging_message_subject"),
            models.Index(fields=["recipient"], name="messaging_message_recipient"),
            # SMS still waiting for their final delivery report (asti.messaging.reconcile)
            models.Index(
                fields=["sent_at"],
                name="messaging_message_unreported",
                condition=Q(status=Status.SENT, channel=Channel.SMS),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk} to {self.recipient} ({self.status})"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class DeliveryReport(models.Model):
    """A gateway's delivery report (Kannel DLR), stored once per message and status: replays change nothing.

    The callback view only stores it (one INSERT); the worker applies stored reports to their messages in batches.
    """

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="delivery_reports")
    status_code = models.PositiveSmallIntegerField(
        help_text="Kannel: 1 delivered, 2 failed, 4 queued, 8 operator ack, 16 operator reject"
    )
    smsc_message_id = models.CharField(max_length=100, blank=True)
    answer = models.CharField(max_length=300, blank=True, help_text="the operator's answer (Kannel %A)")
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True, help_text="when the worker applied it")
    applied = models.BooleanField(default=False, help_text="changed the message's status")

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["message", "status_code"], name="messaging_one_report_per_status")
        ]
        indexes = [models.Index(fields=["id"], name="messaging_report_pending", condition=Q(processed_at__isnull=True))]

    def __str__(self) -> str:
        return f"DLR {self.status_code} for #{self.message_id}"


class HandlingResult(models.TextChoices):
    PENDING = "pending", _("pending")
    NO_HANDLER = "no_handler", _("no reply handler registered")
    HANDLER_ERROR = "handler_error", _("the reply handler failed")


class InboundMessage(models.Model):
    """Every reply as the gateway gave it, stored before anything is done with it."""

    gateway = models.CharField(max_length=16, help_text="kannel, smtp or simulated")
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.SMS)
    gateway_id = models.CharField(
        max_length=100,
        help_text="the gateway's message id (Kannel %I, an email's Message-ID), or h:<hash> of sender, time and text",
    )
    sender = models.CharField(
        max_length=254, help_text="SMS: E.164 when it could be read as a phone number; email: the From address"
    )
    receiver = models.CharField(max_length=254, blank=True)
    text = models.TextField(blank=True)
    coding = models.CharField(max_length=8, blank=True)
    charset = models.CharField(max_length=32, blank=True)
    smsc = models.CharField(max_length=64, blank=True)
    gateway_time = models.DateTimeField(null=True, blank=True)
    raw = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField()
    guardian = models.ForeignKey(Guardian, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    handling_result = models.CharField(max_length=32, default=HandlingResult.PENDING)
    handled_at = models.DateTimeField(null=True, blank=True)
    answer = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["gateway", "gateway_id"], name="messaging_inbound_once_per_gateway_id")
        ]
        indexes = [models.Index(fields=["sender", "received_at"], name="messaging_inbound_sender")]

    def __str__(self) -> str:
        return f"reply #{self.pk} from {self.sender} ({self.handling_result})"


class FollowUpReason(models.TextChoices):
    UNREACHABLE = "unreachable", _("no channel reached the family")
    REPLY_NEEDS_STAFF = "reply_needs_staff", _("a reply needs a person")
    HANDLER_ERROR = "handler_error", _("a reply could not be handled")
    NO_ANSWER = "no_answer", _("no answer by the deadline")
    UNCLEAR_REPLY = "unclear_reply", _("a reply that is not a clear answer")
    LATE_REPLY = "late_reply", _("a reply after the deadline")
    GUARDIANS_DISAGREE = "guardians_disagree", _("the guardians answered differently")
    ANSWER_CHANGED = "answer_changed", _("an answer changed after the fact")
    NO_DELIVERY_REPORT = "no_delivery_report", _("no delivery report from the operator")


class FollowUp(models.Model):
    """The staff follow-up list: families the messages did not reach, replies a person has to read."""

    created_at = models.DateTimeField()
    reason = models.CharField(max_length=20, choices=FollowUpReason.choices)
    guardian = models.ForeignKey(Guardian, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    subject_type = models.CharField(max_length=64, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    inbound = models.ForeignKey(InboundMessage, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    detail = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=200, blank=True)
    resolution_note = models.TextField(blank=True, help_text="what was done, written when it was marked done")

    class Meta:
        ordering = ["resolved_at", "-created_at"]
        indexes = [models.Index(fields=["created_at"], name="messaging_follow_up_open", condition=Q(resolved_at=None))]
        constraints = [
            models.UniqueConstraint(
                fields=["message"], condition=Q(message__isnull=False), name="messaging_one_follow_up_per_message"
            ),
            models.UniqueConstraint(
                fields=["inbound"], condition=Q(inbound__isnull=False), name="messaging_one_follow_up_per_reply"
            ),
        ]

    def __str__(self) -> str:
        return f"follow-up #{self.pk} ({self.reason})"


class Direction(models.TextChoices):
    TO_GUARDIAN = "out", _("to the guardian")
    FROM_GUARDIAN = "in", _("from the guardian")


class SimulatedMessage(models.Model):
    """What the simulated operator and mailbox hold: the guardian's side of the demo."""

    created_at = models.DateTimeField()
    direction = models.CharField(max_length=3, choices=Direction.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    address = models.CharField(max_length=254, help_text="the guardian's phone number or email address")
    counterpart = models.CharField(max_length=254, blank=True, help_text="our number or sender address")
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    inbound = models.ForeignKey(InboundMessage, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["address", "created_at"], name="messaging_simulated_address")]

    def __str__(self) -> str:
        return f"{self.direction} {self.channel} {self.address}"


class ChannelThrottle(models.Model):
    """A shared send-rate budget ("sms.bulk"): workers on every machine reserve their slots here."""

    key = models.CharField(max_length=32, primary_key=True)
    next_free_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key} free from {self.next_free_at:%H:%M:%S.%f}"


class MessageTextQuerySet(models.QuerySet["MessageText"]):
    def newest(self) -> MessageTextQuerySet:
        """The newest row of every (key, language) the city has changed: the one in use, or a return to the file."""
        newest = self.values("key", "language").annotate(newest=models.Max("id")).values("newest")
        return self.filter(id__in=newest)


class MessageText(models.Model):
    """A city's own wording of a message template (key, language), kept as history: a change is a new row, never
    an update, and the newest row of a (key, language) is the one in use. A row with `is_default` returns the text
    to the template file in git. Checked before it is saved (asti.messaging.texts)."""

    key = models.CharField(max_length=100)
    language = models.CharField(max_length=2)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    is_default = models.BooleanField(default=False, help_text="back to the template file's own text")
    version = models.CharField(max_length=16, blank=True, help_text="hash of the subject and body, as on a Message")
    changed_by = models.CharField(max_length=200)
    changed_at = models.DateTimeField()

    objects = MessageTextQuerySet.as_manager()

    class Meta:
        ordering = ["key", "language", "-id"]
        indexes = [models.Index(fields=["key", "language", "-id"], name="messaging_text_newest")]

    def __str__(self) -> str:
        return f"{self.key}.{self.language} by {self.changed_by} ({'default' if self.is_default else self.version})"

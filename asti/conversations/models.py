"""Threads between a family and one of the city's teams (service guidance, or a unit's director), their messages,
who has read them, the team's ready answers, and service guidance's notes of calls and visits.

A thread is about a child (both custodians see it) or, when a guardian writes about no child in particular, only
about its guardian. A thread with a `unit` belongs to that unit's directors; without one, to service guidance.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from asti.messaging.models import FollowUp, InboundMessage
from asti.people.models import Child, Guardian
from asti.units.models import Unit

MAX_BODY = 5000


class Origin(models.TextChoices):
    PORTAL = "portal", _("written in the e-service")
    STAFF = "staff", _("started by staff")
    SMS_REPLY = "sms_reply", _("an SMS reply that needs a person")
    EMAIL_REPLY = "email_reply", _("an email reply")


class Topic(models.TextChoices):
    GENERAL = "general", _("general question")
    OFFER = "offer", _("the pre-primary offer")
    APPLICATION = "application", _("an application")
    DECISION = "decision", _("a decision")
    PLACEMENT = "placement", _("the child's unit and daily life")


class Thread(models.Model):
    title = models.CharField(max_length=200)
    topic = models.CharField(max_length=16, choices=Topic.choices, default=Topic.GENERAL)
    child = models.ForeignKey(Child, null=True, blank=True, on_delete=models.CASCADE, related_name="threads")
    guardian = models.ForeignKey(
        Guardian,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="threads",
        help_text="the guardian who started it or was written to; alone sees a thread about no child",
    )
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="threads",
        help_text="empty: service guidance",
    )
    # What it is about, as in Message.subject_type/subject_id ("offer", "application", "decision").
    subject_type = models.CharField(max_length=64, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    origin = models.CharField(max_length=16, choices=Origin.choices)
    created_at = models.DateTimeField()
    last_message_at = models.DateTimeField()
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    staff_unread = models.BooleanField(default=True, help_text="a family member wrote after staff last read it")
    closed_at = models.DateTimeField(null=True, blank=True)
    follow_up = models.OneToOneField(
        FollowUp,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="thread",
        help_text="the reply it began with",
    )

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "-last_message_at", "-id"], name="conv_thread_team_recent"),
            models.Index(
                fields=["-last_message_at", "-id"],
                name="conv_thread_guidance_open",
                condition=Q(unit__isnull=True, closed_at__isnull=True),
            ),
            models.Index(
                fields=["unit", "-last_message_at"], name="conv_thread_team_unread", condition=Q(staff_unread=True)
            ),
            models.Index(fields=["assigned_to", "-last_message_at"], name="conv_thread_assigned"),
        ]

    def __str__(self) -> str:
        return f"thread #{self.pk}"

    @property
    def display_title(self) -> str:
        """The title given, or for a thread a reply began, what began it."""
        return self.title or str(self.get_origin_display())


class AuthorKind(models.TextChoices):
    GUARDIAN = "guardian", _("guardian")
    STAFF = "staff", _("staff")
    SYSTEM = "system", _("the e-service")


class ThreadMessage(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    at = models.DateTimeField()
    author_kind = models.CharField(max_length=8, choices=AuthorKind.choices)
    guardian = models.ForeignKey(Guardian, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    staff_name = models.CharField(max_length=200, blank=True, help_text="the signature the family sees")
    body = models.TextField()
    internal = models.BooleanField(default=False, help_text="a note for staff; never shown to the family")
    inbound = models.OneToOneField(
        InboundMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="thread_message"
    )

    class Meta:
        ordering = ["thread", "at", "id"]

    def __str__(self) -> str:
        return f"message #{self.pk} in thread #{self.thread_id}"


class ThreadAttachment(models.Model):
    """A file attached to a message; the same checks and storage as an application's attachments."""

    message = models.ForeignKey(ThreadMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="messages/%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.CharField(max_length=200)
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["message", "id"]

    def __str__(self) -> str:
        return f"attachment #{self.pk} of message #{self.message_id}"


class ThreadRead(models.Model):
    """When a guardian last read a thread: their unread count and the portal's marks."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="reads")
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "guardian"], name="conv_one_read_per_guardian")]

    def __str__(self) -> str:
        return f"{self.guardian_id} read #{self.thread_id}"


class AnswerTemplate(models.Model):
    """A ready answer a team uses for common questions, in each language; staff edit it before sending."""

    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+", help_text="empty: service guidance"
    )
    title = models.CharField(max_length=200)
    body_fi = models.TextField()
    body_sv = models.TextField()
    body_en = models.TextField()
    active = models.BooleanField(default=True)
    updated_by = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title

    def body_in(self, language: str) -> str:
        return {"sv": self.body_sv, "en": self.body_en}.get(language, self.body_fi)


class CallChannel(models.TextChoices):
    PHONE = "phone", _("phone call")
    VISIT = "visit", _("visit")
    OTHER = "other", _("other")


class CallNote(models.Model):
    """Service guidance's note of a call or visit, on the family's page (never shown to the family)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="call_notes")
    guardian = models.ForeignKey(Guardian, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(max_length=8, choices=CallChannel.choices, default=CallChannel.PHONE)
    text = models.TextField()
    written_by = models.CharField(max_length=200)
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["-written_at", "-id"]

    def __str__(self) -> str:
        return f"call note #{self.pk}"

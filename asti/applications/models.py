"""Guardians' applications (first kind: a pre-primary place after declining the offered one) and their timeline."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from asti.core.models import TimeStampedModel
from asti.offers.models import Offer
from asti.people.models import Child, Guardian
from asti.units.models import Unit

MAX_WISHES = 3


class ApplicationKind(models.TextChoices):
    PRESCHOOL = "preschool", _("pre-primary education")


class ApplicationStatus(models.TextChoices):
    SENT = "sent", _("sent")
    IN_PROCESS = "in_process", _("being processed")
    DECIDED = "decided", _("decided")
    CANCELLED = "cancelled", _("cancelled")


class ApplicationChannel(models.TextChoices):
    ONLINE = "online", _("online")
    PAPER = "paper", _("on paper")


class Application(TimeStampedModel):
    """One guardian's application for a child, with a snapshot of what the registry said when it was sent."""

    kind = models.CharField(max_length=16, choices=ApplicationKind.choices, default=ApplicationKind.PRESCHOOL)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="applications")
    guardian = models.ForeignKey(Guardian, on_delete=models.PROTECT, related_name="applications")
    declined_offer = models.ForeignKey(
        Offer, null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.SENT)
    supplementary_ecec = models.BooleanField(
        default=False, help_text="needs early childhood education before and after pre-primary hours"
    )
    registry_snapshot = models.JSONField(
        default=dict, help_text="guardians, address (never one under non-disclosure) and language when sent"
    )
    language = models.CharField(max_length=2, help_text="the guardian's language when applying")
    sent_at = models.DateTimeField()
    channel = models.CharField(
        max_length=8, choices=ApplicationChannel.choices, default=ApplicationChannel.ONLINE, db_default="online"
    )
    received_on = models.DateField(null=True, blank=True, help_text="a paper application: the day it arrived")
    recorded_by = models.CharField(max_length=200, blank=True, help_text="a paper application: who entered it")

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["declined_offer"],
                condition=models.Q(declined_offer__isnull=False),
                name="one_application_per_declined_offer",
            )
        ]
        indexes = [models.Index(fields=["status", "kind"])]

    def __str__(self) -> str:
        return f"application {self.pk} for {self.child_id} ({self.status})"


class Wish(models.Model):
    """A preferred unit; position 1 is the first wish."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="wishes")
    position = models.PositiveSmallIntegerField()
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["application", "position"]
        constraints = [
            models.UniqueConstraint(fields=["application", "position"], name="one_wish_per_position"),
            models.UniqueConstraint(fields=["application", "unit"], name="one_wish_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.unit_id}"


class EventKind(models.TextChoices):
    SENT = "sent", _("Application sent")
    RECEIVED_ON_PAPER = "received_paper", _("Paper application received")
    IN_PROCESS = "in_process", _("Processing started")
    DECIDED = "decided", _("Decision made")
    CANCELLED = "cancelled", _("Application cancelled")


class ApplicationEvent(models.Model):
    """The application's timeline, shown to the guardian and to staff."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    actor = models.CharField(max_length=200)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["application", "at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind} at {self.at:%Y-%m-%d %H:%M}"

"""Official decisions on places, made in batches that a decision-maker approves and that are released to every
family at one instant.

A decision's content is frozen when the batch is prepared (texts and the PDF): what the family reads is what the
decision-maker approved. Its service date and rectification deadline are set at release, from the delivery.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from asti.core.models import TimeStampedModel
from asti.people.models import Child


class DecisionKind(models.TextChoices):
    PRESCHOOL = "preschool", _("pre-primary education")
    SUPPLEMENTARY_ECEC = "supplementary_ecec", _("supplementary early childhood education")
    ECEC = "ecec", _("early childhood education")
    FIRST_GRADE = "first_grade", _("first grade")
    AFTERNOON = "afternoon", _("afternoon activities")


class Delivery(models.TextChoices):
    ELECTRONIC = "electronic", _("electronic, in the e-service")
    POST = "post", _("by post")


class BatchStatus(models.TextChoices):
    PREPARED = "prepared", _("prepared, waiting for approval")
    APPROVED = "approved", _("approved, waiting for release")
    RELEASED = "released", _("released")


class DecisionBatch(TimeStampedModel):
    """Decisions made together (a round's accepted offers and its decided applications) and released at once."""

    title = models.CharField(max_length=200)
    offer_round = models.ForeignKey(
        "offers.OfferRound", null=True, blank=True, on_delete=models.PROTECT, related_name="decision_batches"
    )
    status = models.CharField(max_length=10, choices=BatchStatus.choices, default=BatchStatus.PREPARED)
    decided_on = models.DateField(help_text="the date of the decisions")
    prepared_by = models.CharField(max_length=200)
    decision_maker = models.CharField(max_length=200, help_text="name and title of the deciding official")
    decision_maker_username = models.CharField(max_length=150, help_text="only this user may approve the batch")
    approved_by = models.CharField(max_length=200, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    release_at = models.DateTimeField(null=True, blank=True, help_text="when every family may see the decisions")
    released_at = models.DateTimeField(null=True, blank=True)
    print_file = models.FileField(upload_to="decisions/print/", blank=True, max_length=300)
    figures = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.status})"


class Decision(models.Model):
    """One decision on one child's place; its PDF is the official document."""

    batch = models.ForeignKey(DecisionBatch, on_delete=models.PROTECT, related_name="decisions")
    number = models.CharField(max_length=30, unique=True, help_text="e.g. EO-2027-000123")
    kind = models.CharField(max_length=20, choices=DecisionKind.choices)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="decisions")
    offer = models.ForeignKey("offers.Offer", null=True, blank=True, on_delete=models.PROTECT, related_name="decisions")
    application = models.ForeignKey(
        "applications.Application", null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    language = models.CharField(max_length=2, help_text="fi or sv: the language of the decision")
    unit_name = models.CharField(max_length=200)
    unit_address = models.CharField(max_length=200, blank=True)
    period_start = models.DateField()
    period_end = models.DateField(null=True, blank=True)
    daily_hours = models.CharField(max_length=40, blank=True)
    content = models.JSONField(help_text="the frozen texts of the decision, also shown on the guardian's page")
    recipients = models.JSONField(default=list, help_text="guardians served: id, name, delivery (no addresses)")
    delivery = models.CharField(max_length=10, choices=Delivery.choices)
    pdf = models.FileField(upload_to="decisions/%Y/", max_length=300)
    pdf_sha256 = models.CharField(max_length=64)
    sent_on = models.DateField(null=True, blank=True)
    served_on = models.DateField(null=True, blank=True)
    rectification_deadline = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "number"]
        indexes = [models.Index(fields=["child", "batch"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(offer__isnull=False) | models.Q(application__isnull=False),
                name="decision_has_a_subject",
            ),
            models.UniqueConstraint(
                fields=["offer", "kind"], condition=models.Q(offer__isnull=False), name="one_decision_per_offer_kind"
            ),
            models.UniqueConstraint(
                fields=["application", "kind"],
                condition=models.Q(application__isnull=False),
                name="one_decision_per_application_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"decision {self.number} ({self.kind})"


class DeliveryConsent(models.Model):
    """A guardian's consent to get decisions electronically (Act 13/2003, 19 §); without it, by post."""

    guardian = models.OneToOneField("people.Guardian", on_delete=models.CASCADE, related_name="delivery_consent")
    given_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"consent of {self.guardian_id}"

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None

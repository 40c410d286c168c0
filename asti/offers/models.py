"""Offer rounds and their proposals: the city proposes a pre-primary place for every eligible child."""

from __future__ import annotations

from django.db import models

from asti.core.models import TimeStampedModel
from asti.people.models import Child
from asti.units.models import Unit


class RoundStatus(models.TextChoices):
    DRAFT = "draft", "draft"
    ALLOCATED = "allocated", "allocated"
    SENT = "sent", "sent"
    CLOSED = "closed", "closed"


class OfferRound(TimeStampedModel):
    """A round for one pre-primary year: children born in (year - 6) start in August of `year`."""

    year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    created_by = models.CharField(max_length=200)
    allocated_at = models.DateTimeField(null=True, blank=True)
    allocation_figures = models.JSONField(default=dict, blank=True, help_text="objective values and timings")

    class Meta:
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return f"Pre-primary round {self.year} (#{self.pk})"

    @property
    def cohort_birth_year(self) -> int:
        return self.year - 6


class Reason(models.TextChoices):
    CURRENT_UNIT = "CURRENT_UNIT", "keeps the current unit"
    SIBLING = "SIBLING", "together with a sibling"
    IN_AREA = "IN_AREA", "in the child's own admission area"
    OUT_OF_AREA = "OUT_OF_AREA", "outside the child's admission area"
    UNPLACED = "UNPLACED", "no place could be proposed"


class Proposal(models.Model):
    """The proposed unit for one eligible child, with the reason and the figures behind it."""

    round = models.ForeignKey(OfferRound, on_delete=models.CASCADE, related_name="proposals")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="proposals")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="proposals")
    education_language = models.CharField(max_length=2)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    detail = models.CharField(max_length=64, blank=True)
    distance_m = models.PositiveIntegerField(default=0)
    kept_current = models.BooleanField(default=False)
    in_area = models.BooleanField(default=False)
    nearest_in_area_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    nearest_in_area_distance_m = models.PositiveIntegerField(null=True, blank=True)
    group_key = models.CharField(max_length=64, blank=True, help_text="twins / same-year siblings kept together")
    override_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="unit fixed by a planner; kept when the round is re-allocated",
    )  # fmt: skip
    override_reason = models.TextField(blank=True)
    override_by = models.CharField(max_length=200, blank=True)
    override_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "child__child_id"]
        constraints = [models.UniqueConstraint(fields=["round", "child"], name="one_proposal_per_child")]
        indexes = [models.Index(fields=["round", "unit"])]

    def __str__(self) -> str:
        return f"{self.child_id} → {self.unit_id} ({self.reason})"

"""Offer rounds and their proposals: the city proposes a pre-primary place for every eligible child."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from asti.core import city
from asti.core.models import TimeStampedModel
from asti.people.models import Child
from asti.units.models import Unit


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    ALLOCATED = "allocated", _("allocated")
    SENT = "sent", _("sent")
    CLOSED = "closed", _("closed")


class NoAnswerPolicy(models.TextChoices):
    AUTO_ACCEPT = "auto_accept", _("confirm the place automatically")
    STAFF = "staff", _("hand to staff")


class OfferRound(TimeStampedModel):
    """A round for one pre-primary year: children born in (year - 6) start in August of `year`."""

    year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    created_by = models.CharField(max_length=200)
    allocated_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="every offer answered or past its deadline")
    answer_days = models.PositiveSmallIntegerField(default=14, help_text="days guardians have to answer")
    reminder_days_before = models.PositiveSmallIntegerField(default=3)
    no_answer_policy = models.CharField(
        max_length=12, choices=NoAnswerPolicy.choices, default=NoAnswerPolicy.AUTO_ACCEPT
    )
    start_date = models.DateField(null=True, blank=True, help_text="first day of pre-primary education")
    daily_hours = models.CharField(max_length=40, default="9.00–13.00")
    allocation_figures = models.JSONField(default=dict, blank=True, help_text="objective values and timings")

    class Meta:
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return f"Pre-primary round {self.year} (#{self.pk})"

    @property
    def cohort_birth_year(self) -> int:
        return self.year - 6

    @property
    def confirms_without_answer(self) -> bool:
        """What the deadline does to an offer left without an answer: True confirms the place (auto-accept), False
        hands the family to staff, who call. Every text that tells a family what happens without an answer asks
        this."""
        return self.no_answer_policy == NoAnswerPolicy.AUTO_ACCEPT

    @property
    def first_day(self) -> dt.date:
        """The first day of pre-primary education: the round's own, else the school year's start in the city
        profile."""
        return self.start_date or city.active().school_year_first_day(self.year)


class Reason(models.TextChoices):
    CURRENT_UNIT = "CURRENT_UNIT", _("keeps the current unit")
    SIBLING = "SIBLING", _("together with a sibling")
    IN_AREA = "IN_AREA", _("in the child's own admission area")
    OUT_OF_AREA = "OUT_OF_AREA", _("outside the child's admission area")
    UNPLACED = "UNPLACED", _("no place could be proposed")


class Proposal(models.Model):
    """The proposed unit for one eligible child, with the reason and the figures behind it."""

    # a round's proposals are found through the (round, child) and (round, unit) indexes; the FKs below that
    # nothing looks up by have no index of their own (each index costs every re-allocation of a city ~0.1 s)
    round = models.ForeignKey(OfferRound, on_delete=models.CASCADE, related_name="proposals", db_index=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="proposals")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="proposals")
    education_language = models.CharField(max_length=2)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    detail = models.CharField(max_length=64, blank=True)
    distance_m = models.PositiveIntegerField(default=0)
    kept_current = models.BooleanField(default=False)
    in_area = models.BooleanField(default=False)
    nearest_in_area_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    nearest_in_area_distance_m = models.PositiveIntegerField(null=True, blank=True)
    group_key = models.CharField(max_length=64, blank=True, help_text="twins / same-year siblings kept together")
    override_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False,
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


class OfferStatus(models.TextChoices):
    OPEN = "open", _("waiting for an answer")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    AUTO_ACCEPTED = "auto_accepted", _("confirmed without an answer")
    NO_ANSWER = "no_answer", _("no answer, with staff")


class AnswerChannel(models.TextChoices):
    SMS = "sms", _("SMS reply")
    EMAIL = "email", _("email reply")
    LINK = "link", _("e-service")
    PHONE = "phone", _("by phone, recorded by staff")
    PAPER = "paper", _("on paper, recorded by staff")
    DEADLINE = "deadline", _("the round's no-answer policy")


class DeclineReason(models.TextChoices):
    OTHER_ARRANGEMENT = "other_arrangement", _("no municipal place needed (private unit or other arrangement)")
    APPLY_ELSEWHERE = "apply_elsewhere", _("applying for another municipal place")


class Offer(TimeStampedModel):
    """A proposal sent to the child's guardians; the first valid answer decides."""

    round = models.ForeignKey(OfferRound, on_delete=models.CASCADE, related_name="offers")
    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="offer")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="offers")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="offers")
    code = models.CharField(max_length=4, help_text="tells a family's children apart in SMS replies")
    status = models.CharField(max_length=16, choices=OfferStatus.choices, default=OfferStatus.OPEN)
    sent_at = models.DateTimeField()
    deadline = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        "people.Guardian", null=True, blank=True, on_delete=models.PROTECT, related_name="answered_offers"
    )
    answer_channel = models.CharField(max_length=10, choices=AnswerChannel.choices, blank=True)
    recorded_by = models.CharField(max_length=200, blank=True, help_text="staff member who recorded the answer")
    reminded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(
        max_length=20,
        choices=DeclineReason.choices,
        blank=True,
        db_default="",
        help_text="what the family does instead",
    )

    class Meta:
        ordering = ["round", "child__child_id"]
        constraints = [models.UniqueConstraint(fields=["round", "child"], name="one_offer_per_child")]
        indexes = [models.Index(fields=["round", "status"])]

    def __str__(self) -> str:
        return f"offer {self.child_id} → {self.unit_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == OfferStatus.OPEN


class Feedback(models.Model):
    """The one satisfaction question after answering, with an optional comment."""

    class Score(models.IntegerChoices):
        VERY_DISSATISFIED = 1, "very dissatisfied"
        DISSATISFIED = 2, "dissatisfied"
        NEUTRAL = 3, "neither satisfied nor dissatisfied"
        SATISFIED = 4, "satisfied"
        VERY_SATISFIED = 5, "very satisfied"

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="feedback")
    guardian = models.ForeignKey("people.Guardian", on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(choices=Score.choices)
    comment = models.TextField(blank=True, max_length=2000)
    given_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["offer", "guardian"], name="one_feedback_per_guardian")]

    def __str__(self) -> str:
        return f"feedback {self.score} on {self.offer_id}"

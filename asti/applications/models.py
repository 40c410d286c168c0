"""Guardians' applications of every kind (early childhood education, pre-primary, first grade, afternoon
activities) on one engine: drafts, the sent application with its reference and legal due date, wishes,
attachments, staff notes and the timeline both custodians follow."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from asti.core.models import TimeStampedModel
from asti.offers.models import Offer
from asti.people.models import Child, Guardian
from asti.units.models import School, Unit

MAX_WISHES = 3


class ApplicationKind(models.TextChoices):
    ECEC = "ecec", _("early childhood education")
    PRESCHOOL = "preschool", _("pre-primary education")
    FIRST_GRADE = "first_grade", _("first grade")
    AFTERNOON = "afternoon", _("afternoon activities")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SENT = "sent", _("sent")
    IN_PROCESS = "in_process", _("being processed")
    PLACE_PROPOSED = "place_proposed", _("place proposed")
    DECIDED = "decided", _("decided")
    CANCELLED = "cancelled", _("cancelled")


class ServiceNeed(models.TextChoices):
    PART_TIME = "part_time", _("part-time (at most 5 hours a day)")
    FULL_TIME = "full_time", _("full-time (over 5 hours a day)")


class FirstGradeChoice(models.TextChoices):
    NEIGHBOURHOOD = "neighbourhood", _("the neighbourhood school")
    OTHER_SCHOOL = "other_school", _("another school")
    WEIGHTED = "weighted", _("a weighted-curriculum class")


AFTERNOON_HOURS = (570, 760)


OPEN_STATUSES = ("sent", "in_process", "place_proposed")


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
    reference = models.CharField(
        max_length=20, unique=True, null=True, blank=True, help_text="Given when sent, e.g. VK-2027-000123"
    )
    status = models.CharField(max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.SENT)
    education_language = models.CharField(
        max_length=2, blank=True, db_default="", help_text="Language of the education applied for (fi/sv)"
    )
    school_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Pre-primary, first grade, afternoon activities: the year starting in August"
    )
    start_date = models.DateField(null=True, blank=True, help_text="When the place is needed")
    due_date = models.DateField(
        null=True, blank=True, db_index=True, help_text="By when the city must arrange the place (set when sent)"
    )
    urgent = models.BooleanField(
        default=False, db_default=False, help_text="Need from sudden employment or studies (at least 2 weeks)"
    )
    transfer = models.BooleanField(
        default=False, db_default=False, help_text="The child already has a municipal place and wants another"
    )
    service_need = models.CharField(max_length=10, choices=ServiceNeed.choices, blank=True, db_default="")
    daily_start = models.TimeField(null=True, blank=True)
    daily_end = models.TimeField(null=True, blank=True)
    shift_care = models.BooleanField(default=False, db_default=False)
    shift_care_reason = models.TextField(blank=True, db_default="")
    support_need = models.BooleanField(default=False, db_default=False)
    support_description = models.TextField(blank=True, db_default="")
    first_grade_choice = models.CharField(max_length=16, choices=FirstGradeChoice.choices, blank=True, db_default="")
    weighted_curriculum = models.CharField(max_length=16, blank=True, db_default="")
    annual_hours = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Afternoon activities: 570 or 760")
    late = models.BooleanField(default=False, db_default=False, help_text="Sent after the application period closed")
    answers = models.JSONField(
        default=dict, blank=True, help_text="What the family told: contact details, siblings, other guardian, notes"
    )
    proposed_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="proposed_applications"
    )
    proposed_school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.PROTECT, related_name="proposed_applications"
    )
    handler = models.CharField(max_length=200, blank=True, db_default="", help_text="Staff member handling it")
    supplementary_ecec = models.BooleanField(
        default=False, help_text="needs early childhood education before and after pre-primary hours"
    )
    registry_snapshot = models.JSONField(
        default=dict, help_text="guardians, address (never one under non-disclosure) and language when sent"
    )
    language = models.CharField(max_length=2, help_text="the guardian's language when applying")
    sent_at = models.DateTimeField(null=True, blank=True)
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
                condition=models.Q(declined_offer__isnull=False) & ~models.Q(status="cancelled"),
                name="one_live_application_per_declined_offer",
            )
        ]
        indexes = [
            models.Index(fields=["status", "kind"]),
            models.Index(fields=["kind", "status", "due_date"]),
        ]

    def __str__(self) -> str:
        return f"application {self.reference or self.pk} for {self.child_id} ({self.status})"

    @property
    def is_draft(self) -> bool:
        return self.status == ApplicationStatus.DRAFT

    @property
    def editable(self) -> bool:
        """The family may still change or cancel it: processing has not started."""
        return self.status in (ApplicationStatus.DRAFT, ApplicationStatus.SENT)


class Wish(models.Model):
    """A preferred unit (ECEC, pre-primary) or school (first grade, afternoon activities); position 1 is first."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="wishes")
    position = models.PositiveSmallIntegerField()
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["application", "position"]
        constraints = [
            models.UniqueConstraint(fields=["application", "position"], name="one_wish_per_position"),
            models.UniqueConstraint(fields=["application", "unit"], name="one_wish_per_unit"),
            models.UniqueConstraint(fields=["application", "school"], name="one_wish_per_school"),
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False, school__isnull=True)
                | models.Q(unit__isnull=True, school__isnull=False),
                name="wish_is_unit_or_school",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.unit_id or self.school_id}"

    def place_name(self, language: str) -> str:
        place = self.unit or self.school
        return place.name_in(language) if place is not None else ""


class EventKind(models.TextChoices):
    SENT = "sent", _("Application sent")
    RECEIVED_ON_PAPER = "received_paper", _("Paper application received")
    EDITED = "edited", _("Application changed")
    IN_PROCESS = "in_process", _("Processing started")
    PLACE_PROPOSED = "place_proposed", _("Place proposed")
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


class AttachmentKind(models.TextChoices):
    EMPLOYMENT = "employment", _("employer's or school's certificate (sudden need)")
    SHIFT_CARE = "shift_care", _("certificate of shift work (shift care)")
    SUPPORT = "support", _("statement on the child's need for support")
    OTHER = "other", _("other attachment")


class Attachment(models.Model):
    """A file the family added to an application; stored outside the web root, served only to the family and to
    the staff handling it (asti.applications.attachments)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=16, choices=AttachmentKind.choices)
    file = models.FileField(upload_to="attachments/%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.CharField(max_length=200)
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["application", "uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} for {self.application_id}"


class ApplicationNote(models.Model):
    """A handler's internal note; never shown to the family."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notes")
    at = models.DateTimeField()
    author = models.CharField(max_length=200)
    text = models.TextField()

    class Meta:
        ordering = ["application", "at", "id"]

    def __str__(self) -> str:
        return f"note on {self.application_id} by {self.author}"


class ApplicationPeriod(models.Model):
    """When the city takes applications of one kind for the school year starting in August of `year`.

    Early childhood education is applied for all year round and has no period. An application sent after the
    period closes is still taken (a late application, e.g. after a move) and marked late.
    """

    kind = models.CharField(max_length=16, choices=ApplicationKind.choices)
    year = models.PositiveSmallIntegerField(help_text="The school year that starts in August of this year")
    opens_on = models.DateField()
    closes_on = models.DateField()

    class Meta:
        ordering = ["-year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="one_period_per_kind_and_year"),
            models.CheckConstraint(condition=models.Q(closes_on__gte=models.F("opens_on")), name="period_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.opens_on}–{self.closes_on}"


class SecondRoundMethod(models.TextChoices):
    WISH = "wish", _("a wish met")
    ASSIGNED = "assigned", _("assigned where there was room")
    UNPLACED = "unplaced", _("no place")


class SecondRoundPlacement(models.Model):
    """The second round's result for one pre-primary application, for the planners to review before it becomes
    the application's proposed place."""

    offer_round = models.ForeignKey("offers.OfferRound", on_delete=models.CASCADE, related_name="second_round")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="second_round")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=10, choices=SecondRoundMethod.choices)
    wish_position = models.PositiveSmallIntegerField(null=True, blank=True)
    in_area = models.BooleanField(default=False)
    distance_m = models.PositiveIntegerField(default=0)
    reasons = models.JSONField(default=list, help_text="per wish: admitted, or the priority that was needed")
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["offer_round", "application"]
        constraints = [
            models.UniqueConstraint(fields=["offer_round", "application"], name="one_placement_per_application")
        ]

    def __str__(self) -> str:
        return f"second round {self.offer_round_id}: {self.application_id} → {self.unit_id} ({self.method})"

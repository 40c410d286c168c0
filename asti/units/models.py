"""Municipalities, pre-primary admission areas and early-childhood / pre-primary units."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from asti.core.models import EducationLanguage, TimeStampedModel
from asti.units.validators import no_links


class Municipality(TimeStampedModel):
    code = models.CharField(max_length=3, unique=True, help_text="Three-digit municipality code, e.g. 091")
    name_fi = models.CharField(max_length=100, blank=True)
    name_sv = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "municipalities"

    def __str__(self) -> str:
        return f"{self.code} {self.name_fi}".strip()


class AdmissionArea(TimeStampedModel):
    """A pre-primary admission area: Finnish- and Swedish-language areas overlap each other."""

    area_id = models.CharField(max_length=64, unique=True)
    name_fi = models.CharField(max_length=200, blank=True)
    name_sv = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=2, choices=EducationLanguage.choices)
    geometry = models.JSONField(null=True, blank=True, help_text="GeoJSON Polygon or MultiPolygon (WGS84)")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["area_id"]

    def __str__(self) -> str:
        return f"{self.area_id} {self.name_fi}".strip()


class Provider(models.TextChoices):
    MUNICIPAL = "municipal", _("municipal")
    PRIVATE = "private", _("private")
    PURCHASED = "purchased", _("purchased service")


class UnitQuerySet(models.QuerySet["Unit"]):
    """The one home of the rules that say which units offer which municipal service."""

    def municipal(self) -> UnitQuerySet:
        return self.filter(active=True, provider=Provider.MUNICIPAL)

    def municipal_pre_primary(self) -> UnitQuerySet:
        """Units that may be offered or wished for pre-primary education (contract 3.2)."""
        return self.municipal().filter(pre_primary=True)

    def municipal_ecec(self) -> UnitQuerySet:
        """Units one may apply to for early childhood education: municipal daycare that takes applications."""
        return self.municipal().filter(ecec=True)


class Unit(TimeStampedModel):
    unit_id = models.CharField(max_length=64, unique=True)
    name_fi = models.CharField(max_length=200, validators=[no_links])
    name_sv = models.CharField(max_length=200, blank=True, validators=[no_links])
    street_address = models.CharField(max_length=200, blank=True, validators=[no_links])
    postal_code = models.CharField(max_length=5, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    provider = models.CharField(max_length=10, choices=Provider.choices)
    language = models.CharField(max_length=2, choices=EducationLanguage.choices)
    pre_primary = models.BooleanField(default=False)
    pre_primary_capacity = models.PositiveIntegerField(default=0)
    admission_area = models.ForeignKey(
        AdmissionArea, null=True, blank=True, on_delete=models.PROTECT, related_name="units"
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164")
    # Kept by the unit's director (not in the registry extract; an import leaves them as they are).
    pre_primary_hours = models.CharField(
        max_length=20,
        blank=True,
        db_default="",
        help_text="Daily pre-primary hours, e.g. 8.30–12.30; blank: the round's hours",
    )
    opening_hours = models.CharField(
        max_length=100, blank=True, db_default="", help_text="When the unit is open, e.g. Mon–Fri 6.30–17.30"
    )
    # Early childhood education, kept by planners and the unit's director (an import leaves them as they are).
    ecec = models.BooleanField(
        default=True, db_default=True, help_text="Takes applications for early childhood education"
    )
    ecec_capacity_under3 = models.PositiveIntegerField(
        default=0, db_default=0, help_text="Early childhood education places for children under 3"
    )
    ecec_capacity_over3 = models.PositiveIntegerField(
        default=0, db_default=0, help_text="Early childhood education places for children of 3 and over"
    )
    shift_care = models.BooleanField(
        default=False, db_default=False, help_text="Gives shift care (evenings, nights, weekends)"
    )
    active = models.BooleanField(default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["unit_id"]
        indexes = [models.Index(fields=["language", "provider", "pre_primary"])]

    def __str__(self) -> str:
        return f"{self.name_fi} ({self.unit_id})"

    def name_in(self, language: str) -> str:
        return self.name_sv if language == "sv" and self.name_sv else self.name_fi


class WeightedCurriculum(models.TextChoices):
    MUSIC = "music", _("music")
    ARTS = "arts", _("visual arts")
    SPORTS = "sports", _("physical education")
    SCIENCE = "science", _("science and mathematics")
    LANGUAGES = "languages", _("languages")
    ENGLISH = "english", _("English-language teaching")


class SchoolQuerySet(models.QuerySet["School"]):
    def municipal(self) -> SchoolQuerySet:
        return self.filter(active=True)

    def with_afternoon_activities(self) -> SchoolQuerySet:
        return self.municipal().filter(afternoon_activities=True)


class School(TimeStampedModel):
    """A municipal comprehensive school: its first grade and its afternoon activities.

    Schools are not in the registry extract; the city keeps them in Asti (planners, and the school's head for its
    own details). Each school is the neighbourhood school of the children in its admission area and language.
    """

    school_id = models.CharField(max_length=64, unique=True)
    name_fi = models.CharField(max_length=200)
    name_sv = models.CharField(max_length=200, blank=True)
    street_address = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(max_length=5, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    language = models.CharField(max_length=2, choices=EducationLanguage.choices)
    admission_area = models.ForeignKey(
        AdmissionArea,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="schools",
        help_text="Children living in this area (in the school's language) have it as their neighbourhood school",
    )
    first_grade_capacity = models.PositiveIntegerField(default=0, help_text="First-grade places for the coming year")
    weighted_curricula = models.JSONField(
        default=list, blank=True, help_text='Weighted-curriculum classes the school has, e.g. ["music"]'
    )
    afternoon_activities = models.BooleanField(default=False, help_text="Runs afternoon activities")
    afternoon_capacity = models.PositiveIntegerField(default=0, help_text="Afternoon activity places")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164")
    active = models.BooleanField(default=True)

    objects = SchoolQuerySet.as_manager()

    class Meta:
        ordering = ["school_id"]

    def __str__(self) -> str:
        return f"{self.name_fi} ({self.school_id})"

    def name_in(self, language: str) -> str:
        return self.name_sv if language == "sv" and self.name_sv else self.name_fi

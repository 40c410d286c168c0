"""Municipalities, pre-primary admission areas and early-childhood / pre-primary units."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from asti.core.models import EducationLanguage, TimeStampedModel


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


class Unit(TimeStampedModel):
    unit_id = models.CharField(max_length=64, unique=True)
    name_fi = models.CharField(max_length=200)
    name_sv = models.CharField(max_length=200, blank=True)
    street_address = models.CharField(max_length=200, blank=True)
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
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["unit_id"]
        indexes = [models.Index(fields=["language", "provider", "pre_primary"])]

    def __str__(self) -> str:
        return f"{self.name_fi} ({self.unit_id})"

    def name_in(self, language: str) -> str:
        return self.name_sv if language == "sv" and self.name_sv else self.name_fi

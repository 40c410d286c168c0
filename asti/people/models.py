"""Children, guardians and custody as the population registry extract gives them.

Personal identity codes are stored only encrypted plus a keyed digest (asti.core.crypto). A person under a
non-disclosure order (turvakielto) has `non_disclosure` set: their address is for authorised staff only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from asti.core import crypto
from asti.core.models import EducationLanguage, Language, TimeStampedModel
from asti.people.rules import resolve_education_language
from asti.units.models import AdmissionArea, Unit


class Person(TimeStampedModel):
    hetu_encrypted = models.TextField(editable=False)
    hetu_digest = models.CharField(max_length=64, db_index=True, editable=False)
    first_name = models.CharField(max_length=200)
    last_name = models.CharField(max_length=200)
    street_address = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(max_length=5, blank=True)
    non_disclosure = models.BooleanField(default=False, help_text="Address under a non-disclosure order")
    active = models.BooleanField(default=True, help_text="False when missing from the latest extract")

    class Meta:
        abstract = True

    @property
    def hetu(self) -> str:
        return crypto.hetu_decrypt(self.hetu_encrypted)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Guardian(Person):
    guardian_id = models.CharField(max_length=64, unique=True)
    phone = models.CharField(max_length=20, blank=True, db_index=True, help_text="E.164")
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.FI)

    class Meta:
        ordering = ["guardian_id"]
        # a caller found by phone number or email address; an SMS or email reply's sender found
        indexes = [models.Index(Upper("email"), name="people_guardian_email_ci")]
        permissions = [("view_protected_address", "Can see addresses under a non-disclosure order")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.guardian_id})"


# The rule of `Child.address_protected` as a filter, for lists: the child's own order or an active custodian's.
PROTECTED_HOME = Q(non_disclosure=True) | Q(custodies__active=True, custodies__guardian__non_disclosure=True)


class Child(Person):
    child_id = models.CharField(max_length=64, unique=True)
    birth_date = models.DateField(db_index=True)
    language = models.CharField(max_length=3, help_text="Registered mother tongue, ISO 639-1")
    education_language = models.CharField(max_length=2, choices=EducationLanguage.choices, blank=True)
    municipality_code = models.CharField(max_length=3)
    lat = models.FloatField()
    lon = models.FloatField()
    admission_area = models.ForeignKey(
        AdmissionArea, null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    admission_area_computed = models.BooleanField(
        default=False, help_text="True when the area was computed from the home location"
    )
    current_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="current_children",
        help_text="Current early childhood education placement",
    )
    round_the_clock = models.BooleanField(default=False)
    guardians: models.ManyToManyField[Guardian, Custody] = models.ManyToManyField(
        Guardian, through="Custody", related_name="children"
    )

    class Meta:
        ordering = ["child_id"]
        verbose_name_plural = "children"
        permissions = [("view_protected_address", "Can see addresses under a non-disclosure order")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.child_id})"

    def address_protected(self, custodians: Iterable[Guardian] | None = None) -> bool:
        """Non-disclosure covers the child's home: their own order, or an order of an active custodian (a child
        shares the home of the guardian they live with; which one that is the extract does not say, so any).
        `custodians`: the active custodians when already loaded."""
        if self.non_disclosure:
            return True
        if custodians is not None:
            return any(g.non_disclosure for g in custodians)
        return Child.objects.filter(PROTECTED_HOME, pk=self.pk).exists()

    def education_language_resolved(self, current_unit_language: str | None) -> str:
        return resolve_education_language(
            override=self.education_language,
            current_unit_language=current_unit_language,
            registered=self.language,
        )

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


class Custody(TimeStampedModel):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="custodies")
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="custodies")
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "custodies"
        constraints = [models.UniqueConstraint(fields=["child", "guardian"], name="unique_custody")]

    def __str__(self) -> str:
        return f"{self.guardian_id} → {self.child_id}"


class ImportRun(models.Model):
    """One successful import of a registry extract (a failed one changes nothing, so leaves no row)."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    source = models.CharField(max_length=500)
    actor = models.CharField(max_length=200)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"import {self.started_at:%Y-%m-%d %H:%M} from {self.source}"

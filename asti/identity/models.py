"""Who logged in: citizens (guardians) identified strongly, and staff with roles from the city's groups.

A citizen's Django user carries no personal identity code: CitizenIdentity keeps only its keyed digest, the
same digest as asti.people's Guardian.hetu_digest, so the link to the registry is a lookup that survives every
re-import (asti.identity.selectors.guardian_for_user).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from asti.core.models import TimeStampedModel
from asti.units.models import Unit


class Loa(models.TextChoices):
    """Level of assurance of an electronic identification (eIDAS), as Suomi.fi reports it."""

    LOW = "low", _("low")
    SUBSTANTIAL = "substantial", _("substantial")
    HIGH = "high", _("high")


class Role(models.TextChoices):
    """Staff roles; each is a Django group of the same name."""

    PLANNER = "planner", _("planner / service guidance")
    UNIT_DIRECTOR = "unit_director", _("unit director")
    ADMIN = "admin", _("administrator")
    DECISION_MAKER = "decision_maker", _("decision-maker")


class LoginMethod(models.TextChoices):
    OIDC = "oidc", "OpenID Connect"
    DEMO = "demo", _("demo test identification")


class CitizenIdentity(TimeStampedModel):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="citizen_identity")
    hetu_digest = models.CharField(max_length=64, unique=True, editable=False)
    last_loa = models.CharField(max_length=16, choices=Loa.choices)
    last_method = models.CharField(max_length=8, choices=LoginMethod.choices)
    last_login_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "citizen identities"

    def __str__(self) -> str:
        return f"citizen {self.user_id}"


class StaffProfile(TimeStampedModel):
    """A staff member known to the city's identity provider as (issuer, subject); unit directors' units."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    units = models.ManyToManyField(
        Unit, blank=True, related_name="staff_profiles", help_text="Units a unit director is responsible for"
    )
    last_method = models.CharField(max_length=8, choices=LoginMethod.choices)
    last_login_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="unique_staff_identity")]

    def __str__(self) -> str:
        return f"{self.user} ({self.subject})"

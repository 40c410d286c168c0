"""System checks: every message template in every language, a numeric SMS sender, known backends, and city
names that keep the SMS texts' part counts.

`manage.py check --fail-level WARNING` (scripts/test, CI) fails when any of these does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.utils.module_loading import import_string

from asti.core import city
from asti.messaging.channels import backend_path
from asti.messaging.sms import GSM7, sms_encoding
from asti.messaging.templates import template_problems


@register()
def message_templates_complete(
    *, app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    return [Error(problem, id="messaging.E001") for problem in template_problems()]


@register()
def messaging_settings(
    *, app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    for channel in ("sms", "email"):
        path = backend_path(channel)
        try:
            import_string(path)
        except ImportError:
            messages.append(Error(f"unknown {channel} backend {path!r}", id="messaging.E002"))
    sender: str = settings.MESSAGING_SMS_SENDER
    if not sender.lstrip("+").isdigit():
        messages.append(
            Warning(
                f"MESSAGING_SMS_SENDER {sender!r} is not a number: guardians cannot reply to it",
                id="messaging.W001",
            )
        )
    return messages


# The organisation opens every offer SMS; Helsinki's and Tampere's names are 18 characters. A longer name, or one
# with a character outside GSM-7 (which doubles the parts of the whole text), changes what every family pays for.
ORGANISATION_MAX_CHARS = 30


@register()
def city_names_fit_sms(
    *, app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    profile = city.active()
    messages: list[CheckMessage] = []
    for language in ("fi", "sv", "en"):
        name = profile.organisation.get(language)
        encoding = sms_encoding(name)
        if encoding.encoding != GSM7 or encoding.length > ORGANISATION_MAX_CHARS:
            messages.append(
                Error(
                    f"city profile {profile.slug}: [organisation] {language} {name!r} must be GSM-7 and at most "
                    f"{ORGANISATION_MAX_CHARS} characters: it opens every offer SMS",
                    id="messaging.E003",
                )
            )
    return messages

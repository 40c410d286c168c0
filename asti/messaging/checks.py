"""System checks: every message template in every language, a numeric SMS sender, known backends, a reply token
that Kannel can carry in a URL, a report mask with the operator's ack, city names that keep the SMS texts' part
counts; with --deploy, https for Kannel's callbacks.

`manage.py check --fail-level WARNING` (scripts/test, CI) fails when any of these does.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.utils.module_loading import import_string

from asti.core import city
from asti.messaging.channels import backend_path
from asti.messaging.reports import DLR_ACK
from asti.messaging.sms import GSM7, sms_encoding
from asti.messaging.templates import template_problems
from asti.messaging.tokens import URL_SAFE_SECRET


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
    kannel = backend_path("sms").endswith("KannelSmsBackend")
    if kannel and not settings.MESSAGING_KANNEL_DLR_MASK & DLR_ACK:
        messages.append(
            Warning(
                "MESSAGING_KANNEL_DLR_MASK lacks 8 (the operator's ack): Kannel reports on a long SMS's first part "
                "only, and only the ack says that every part was taken, so no long SMS would count as delivered; "
                "an SMS left in doubt by a stopped worker is then settled only after MESSAGING_SMS_IN_DOUBT_SECONDS",
                id="messaging.W002",
            )
        )
    token: str = settings.MESSAGING_KANNEL_INBOUND_TOKEN
    if kannel and not URL_SAFE_SECRET.fullmatch(token):
        messages.append(
            Error(
                "MESSAGING_KANNEL_INBOUND_TOKEN may contain only letters, digits and . _ ~ - "
                "(Kannel reads it from a URL as it is)",
                id="messaging.E003",
            )
        )
    return messages


@register(deploy=True)
def kannel_callbacks_encrypted(
    *, app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """Kannel's callbacks carry their secrets as basic auth, which only https protects beyond this machine."""
    if not backend_path("sms").endswith("KannelSmsBackend"):
        return []
    url = urllib.parse.urlsplit(settings.MESSAGING_CALLBACK_BASE_URL)
    if url.scheme == "https" or url.hostname in ("127.0.0.1", "localhost", "::1"):
        return []
    return [
        Warning(
            "MESSAGING_CALLBACK_BASE_URL is not https: Kannel's reply token and report signatures would cross the "
            "network unencrypted (basic auth)",
            id="messaging.W003",
        )
    ]


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
                    id="messaging.E004",
                )
            )
    return messages

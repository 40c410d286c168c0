from __future__ import annotations

import asyncio
import itertools
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from asti.core import crypto
from asti.messaging.channels import OutboundMessage, Outcome, SendResult
from asti.messaging.inbound import Answer, InboundReply, ReplyOutcome, reply_handler_override
from asti.messaging.kannel_local import LocalKannel, free_port, kannel_available
from asti.messaging.replies import Verdict, parse_reply
from asti.messaging.tokens import url_with_credentials
from asti.people.models import Guardian

IN_CI = os.environ.get("CI", "").lower() == "true"
INBOUND_TOKEN = "test-inbound-token"
needs_kannel = pytest.mark.skipif(
    not kannel_available() and not IN_CI, reason="Kannel is not installed: run scripts/install-system-packages"
)
_ids = itertools.count(1)


def make_guardian(*, phone: str = "", email: str = "", language: str = "fi", first_name: str = "Anna") -> Guardian:
    n = next(_ids)
    hetu = f"0101{n:02d}-{n:04d}"[:11]
    return Guardian.objects.create(
        guardian_id=f"G-msg-{n}-{os.getpid()}",
        hetu_encrypted=crypto.hetu_encrypt(hetu),
        hetu_digest=crypto.hetu_digest(hetu),
        first_name=first_name,
        last_name="Virtanen",
        phone=phone,
        email=email,
        language=language,
    )


@pytest.fixture(autouse=True)
def _messaging_settings(settings: Any) -> None:
    """Every messaging test starts from the simulated channels, no rate limits and quick retries."""
    settings.MESSAGING_SMS_BACKEND = "simulated"
    settings.MESSAGING_EMAIL_BACKEND = "simulated"
    settings.MESSAGING_RATE_LIMITS = {}
    settings.MESSAGING_RETRY_BASE_SECONDS = 10.0
    settings.MESSAGING_MAX_ATTEMPTS = 4
    settings.MESSAGING_LEASE_SECONDS = 60.0
    settings.MESSAGING_SIMULATED_UNREACHABLE = []
    settings.MESSAGING_KANNEL_INBOUND_TOKEN = INBOUND_TOKEN
    settings.MESSAGING_CALLBACK_KEY = "test-callback-key"


class RecordingBackend:
    """A channel that remembers what it was asked to send (thread-safe), for worker tests."""

    uses_database = False
    sent: list[OutboundMessage] = []
    lock = threading.Lock()
    delay = 0.0
    outcome = Outcome.SENT

    def send(self, message: OutboundMessage) -> SendResult:
        if self.delay:
            threading.Event().wait(self.delay)
        with self.lock:
            RecordingBackend.sent.append(message)
        return SendResult(RecordingBackend.outcome)

    def close(self) -> None:
        return None


@pytest.fixture
def recording(settings: Any) -> Iterator[type[RecordingBackend]]:
    settings.MESSAGING_SMS_BACKEND = "tests.messaging.conftest.RecordingBackend"
    settings.MESSAGING_EMAIL_BACKEND = "tests.messaging.conftest.RecordingBackend"
    RecordingBackend.sent = []
    RecordingBackend.delay = 0.0
    RecordingBackend.outcome = Outcome.SENT
    yield RecordingBackend
    RecordingBackend.sent = []


@dataclass
class RecordingHandler:
    """A reply handler as the offers app would write one, much simplified: known numbers may accept or decline."""

    seen: list[tuple[int, Verdict]] = field(default_factory=list)

    def __call__(self, reply: InboundReply) -> ReplyOutcome:
        parsed = parse_reply(reply.text)
        self.seen.append((reply.id, parsed.verdict))
        if not reply.guardian_ids:
            return ReplyOutcome(
                result="unknown_sender", answer=Answer("messaging.test", "fi", {"text": "Numeroa ei tunnistettu."})
            )
        if parsed.verdict is Verdict.UNKNOWN:
            return ReplyOutcome(
                result="not_understood",
                answer=Answer("messaging.test", "fi", {"text": "Vastaa KYLLÄ tai EI."}),
                needs_staff=True,
            )
        word = "vahvistettu" if parsed.verdict is Verdict.ACCEPT else "peruttu"
        return ReplyOutcome(
            result=parsed.verdict.lower(), answer=Answer("messaging.test", "fi", {"text": f"Paikka {word}."})
        )


@pytest.fixture
def handler() -> Iterator[RecordingHandler]:
    test_handler = RecordingHandler()
    with reply_handler_override(test_handler):
        yield test_handler


# --- SMTP (aiosmtpd in this process) --------------------------------------------------------------------------


class SmtpRecorder:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpRecorder]:
    recorder = SmtpRecorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, loop=asyncio.new_event_loop())
    controller.start()
    settings.MESSAGING_EMAIL_BACKEND = "smtp"
    settings.MESSAGING_SMTP_HOST = "127.0.0.1"
    settings.MESSAGING_SMTP_PORT = port
    settings.MESSAGING_SMTP_TIMEOUT = 5.0
    try:
        yield recorder
    finally:
        controller.stop()


# --- Kannel (real bearerbox + smsbox + fakesmsc) ------------------------------------------------------------------


def _require_kannel() -> None:
    if not kannel_available():
        if IN_CI:
            pytest.fail("CI=true and Kannel is missing: CI must run scripts/install-system-packages")
        pytest.skip("Kannel is not installed: run scripts/install-system-packages")


@pytest.fixture(scope="session")
def kannel_session(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalKannel]:
    _require_kannel()
    inbound_url = url_with_credentials(live_server.url + reverse("messaging:kannel_inbound"), "kannel", INBOUND_TOKEN)
    kannel = LocalKannel(workdir=tmp_path_factory.mktemp("kannel"), inbound_url=inbound_url).start()
    try:
        yield kannel
    finally:
        kannel.stop()


def use_kannel(settings: Any, kannel: LocalKannel, callback_base: str) -> None:
    settings.MESSAGING_SMS_BACKEND = "kannel"
    settings.MESSAGING_KANNEL_SENDSMS_URL = kannel.sendsms_url
    settings.MESSAGING_KANNEL_USERNAME = kannel.username
    settings.MESSAGING_KANNEL_PASSWORD = kannel.password
    settings.MESSAGING_CALLBACK_BASE_URL = callback_base
    settings.MESSAGING_HTTP_TIMEOUT = 5.0


@pytest.fixture
def kannel(kannel_session: LocalKannel, live_server: Any, settings: Any) -> LocalKannel:
    use_kannel(settings, kannel_session, live_server.url)
    return kannel_session


@pytest.fixture
def kannel_workdir(tmp_path: Path) -> Path:
    return tmp_path / "kannel"


def family_staff(username: str) -> User:
    """Staff who may see families (a planner's `people.view_guardian`): they use the simulated phone and mailbox."""
    user = User.objects.create_user(username=username, is_staff=True)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="people", codename="view_guardian"))
    return User.objects.get(pk=user.pk)

"""Email through an SMTP server (smtplib). A recipient refused with a 5xx code is a permanent failure; 4xx codes,
lost connections and timeouts are temporary. Each sender thread keeps its own SMTP session open between messages.

When replies are taken (MESSAGING_EMAIL_REPLY_ADDRESS), every email says Reply-To: the reply address with the
message's signed tag, and its Message-ID carries the same token (asti.messaging.email_inbound).
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
import threading
from email.message import EmailMessage
from email.utils import format_datetime

from django.conf import settings

from asti.core import clock
from asti.messaging.channels import OutboundMessage, Outcome, SendResult, email_from
from asti.messaging.email_inbound import original_message_id, replies_taken, reply_address, sender_domain


class SmtpEmailBackend:
    uses_database = False

    def __init__(self) -> None:
        self._local = threading.local()
        self._sessions: list[smtplib.SMTP] = []
        self._lock = threading.Lock()
        self._domain = sender_domain()

    def _session(self) -> smtplib.SMTP:
        session: smtplib.SMTP | None = getattr(self._local, "session", None)
        if session is not None:
            return session
        host: str = settings.MESSAGING_SMTP_HOST
        port: int = settings.MESSAGING_SMTP_PORT
        timeout: float = settings.MESSAGING_SMTP_TIMEOUT
        if settings.MESSAGING_SMTP_SSL:
            session = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            session = smtplib.SMTP(host, port, timeout=timeout)
            if settings.MESSAGING_SMTP_STARTTLS:
                session.starttls(context=ssl.create_default_context())
        if settings.MESSAGING_SMTP_USER:
            session.login(settings.MESSAGING_SMTP_USER, settings.MESSAGING_SMTP_PASSWORD)
        self._local.session = session
        with self._lock:
            self._sessions.append(session)
        return session

    def _drop_session(self) -> None:
        session: smtplib.SMTP | None = getattr(self._local, "session", None)
        self._local.session = None
        if session is not None:
            with contextlib.suppress(OSError):
                session.close()

    def build(self, message: OutboundMessage) -> EmailMessage:
        email = EmailMessage()
        email["From"] = email_from(message.language)
        email["To"] = message.recipient
        email["Subject"] = message.subject
        email["Date"] = format_datetime(clock.now())
        email["Message-ID"] = original_message_id(message.id, self._domain)
        if replies_taken():
            email["Reply-To"] = reply_address(message.id)
        email["Auto-Submitted"] = "auto-generated"
        email.set_content(message.body)
        email["Content-Language"] = message.language  # after set_content, which clears Content-* headers
        return email

    def send(self, message: OutboundMessage) -> SendResult:
        email = self.build(message)
        message_id = str(email["Message-ID"])
        try:
            session = self._session()
            session.send_message(email, to_addrs=[message.recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()), (550, b""))
            return _failure(code, f"recipient refused: {code} {_text(reply)}")
        except smtplib.SMTPResponseException as exc:
            self._drop_session()
            code = exc.smtp_code
            if isinstance(exc, smtplib.SMTPDataError):
                return _failure(code, f"message refused: {code} {_text(exc.smtp_error)}")
            return SendResult(Outcome.TEMPORARY, error=f"SMTP {code} {_text(exc.smtp_error)}")
        except (smtplib.SMTPException, OSError) as exc:
            self._drop_session()
            return SendResult(Outcome.TEMPORARY, error=f"SMTP unreachable: {exc!r}")
        return SendResult(Outcome.SENT, gateway_message_id=message_id)

    def close(self) -> None:
        with self._lock:
            for session in self._sessions:
                try:
                    session.quit()
                except (smtplib.SMTPException, OSError):
                    session.close()
            self._sessions.clear()


def _failure(code: int, error: str) -> SendResult:
    return SendResult(Outcome.PERMANENT if 500 <= code < 600 else Outcome.TEMPORARY, error=error)


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply

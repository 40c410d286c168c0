"""Replies by email: the reply address of each email, reading a reply, and the SMTP server of manage.py receive_mail.

Every email we send says "Reply-To: vastaus+<message id>-<HMAC>@<domain>" (MESSAGING_EMAIL_REPLY_ADDRESS with a +tag,
see asti.messaging.tokens) and carries the same token in its Message-ID. A reply is parsed with the standard library
(RFC 5322, policy=default); what the guardian wrote is what is left of its text part (or of its HTML) once the quoted
original, the reply header lines ("On … wrote:", "Lähettäjä:", "Från:"…) and the signature are cut off. It then goes
through asti.messaging.inbound.inbound_receive like an SMS reply: stored once per Message-ID, handed to the handler
when the token is valid, to staff when it is not. Automatic replies (out of office, bounces) are stored and nothing
more: answering them could start a loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import close_old_connections

from asti.messaging.inbound import Received, inbound_receive
from asti.messaging.models import Channel
from asti.messaging.tokens import email_reply_message_id, email_reply_token

if TYPE_CHECKING:
    import datetime as dt

    from aiosmtpd.controller import Controller

log = logging.getLogger(__name__)

GATEWAY = "smtp"
MAX_FULL_TEXT = 10_000
_MESSAGE_ID_TOKEN = re.compile(r"<asti-([0-9]{1,12}-[0-9a-f]{20})@", re.IGNORECASE)


# --- the reply address -------------------------------------------------------------------------------------------


def replies_taken() -> bool:
    """Whether emails may be answered by email (a reply address is configured and receive_mail runs for it)."""
    return bool(_reply_parts())


def _reply_parts() -> tuple[str, str] | None:
    _, address = parseaddr(str(settings.MESSAGING_EMAIL_REPLY_ADDRESS))
    local, _, domain = address.rpartition("@")
    if not local or not domain:
        return None
    return local.lower(), domain.lower()


def reply_address(message_id: int) -> str:
    """The Reply-To of an email: the reply address with the message's signed tag."""
    parts = _reply_parts()
    if parts is None:
        raise RuntimeError("MESSAGING_EMAIL_REPLY_ADDRESS is not set")
    local, domain = parts
    return f"{local}+{email_reply_token(message_id)}@{domain}"


def sender_domain() -> str:
    """The domain of MESSAGING_EMAIL_FROM: the right-hand side of our Message-IDs."""
    _, address = parseaddr(str(settings.MESSAGING_EMAIL_FROM))
    return address.rpartition("@")[2] or "localhost"


def original_message_id(message_id: int, domain: str = "") -> str:
    """The Message-ID of an email we send: it carries the reply token too, so a reply's In-Reply-To proves it."""
    return f"<asti-{email_reply_token(message_id)}@{domain or sender_domain()}>"


def reply_tag(address: str) -> str | None:
    """The +tag of one of our reply addresses ("" without one), or None for an address that is not ours."""
    parts = _reply_parts()
    _, plain = parseaddr(address)
    local, _, domain = plain.lower().rpartition("@")
    if parts is None or domain != parts[1]:
        return None
    base, _, tag = local.partition("+")
    return tag if base == parts[0] else None


# --- reading a reply ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedReply:
    sender: str
    receiver: str
    token: str
    message_id: str
    subject: str
    text: str  # what the guardian wrote
    full_text: str  # the whole text part, quotes and all
    charset: str
    date: dt.datetime | None
    automatic: bool


def email_parse(data: bytes, *, recipients: Sequence[str], envelope_sender: str) -> ParsedReply:
    """Reads an RFC 5322 message addressed (in the SMTP envelope) to `recipients`."""
    parsed = message_from_bytes(data, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    sender = _address(_header(parsed, "From")) or _address(envelope_sender)
    ours = [(address, reply_tag(address)) for address in recipients]
    ours = [(address, tag) for address, tag in ours if tag is not None]
    receiver = ours[0][0] if ours else (recipients[0] if recipients else "")
    tokens = [tag for _, tag in ours if tag and email_reply_message_id(tag) is not None]
    if not tokens:  # a mail system that drops +tags: the reply's In-Reply-To/References still name our email
        tokens = _MESSAGE_ID_TOKEN.findall(_header(parsed, "In-Reply-To") + " " + _header(parsed, "References"))
    token = tokens[0] if tokens else next((tag for _, tag in ours if tag), "")
    full_text, charset = _text_of(parsed)
    return ParsedReply(
        sender=sender,
        receiver=_address(receiver),
        token=token.lower(),
        message_id=_header(parsed, "Message-ID").strip(),
        subject=_header(parsed, "Subject"),
        text=reply_text(full_text),
        full_text=full_text,
        charset=charset,
        date=_date(_header(parsed, "Date")),
        automatic=not envelope_sender or _automatic(parsed),
    )


def email_receive(data: bytes, *, recipients: Sequence[str], envelope_sender: str, gateway: str = GATEWAY) -> Received:
    """A reply as the SMTP server (or the demo's mailbox) got it: parsed, then received like an SMS reply."""
    reply = email_parse(data, recipients=recipients, envelope_sender=envelope_sender)
    gateway_id = reply.message_id
    if not gateway_id:
        gateway_id = "h:" + hashlib.sha256(b"\x1f".join((reply.sender.encode(), data))).hexdigest()[:40]
    elif len(gateway_id) > 100:
        gateway_id = "m:" + hashlib.sha256(gateway_id.encode()).hexdigest()[:40]
    return inbound_receive(
        gateway=gateway,
        gateway_id=gateway_id,
        channel=Channel.EMAIL,
        sender=reply.sender,
        receiver=reply.receiver,
        text=reply.text,
        charset=reply.charset,
        gateway_time=reply.date,
        reply_token=reply.token,
        automatic=reply.automatic,
        raw={
            "message_id": reply.message_id[:300],
            "subject": reply.subject[:300],
            "envelope_from": envelope_sender[:254],
            "full_text": reply.full_text[:MAX_FULL_TEXT],
        },
    )


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, TypeError, IndexError):  # a header the parser cannot read
        return ""
    return str(value) if value is not None else ""


def _address(value: str) -> str:
    found = getaddresses([value])
    return found[0][1].strip().lower() if found and found[0][1] else ""


def _date(value: str) -> dt.datetime | None:
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo is not None else None


def _automatic(message: EmailMessage) -> bool:
    """An out-of-office answer, a bounce or a list's mail (RFC 3834, RFC 3464), not a person's reply."""
    auto = _header(message, "Auto-Submitted").strip().lower()
    if auto and auto != "no":
        return True
    if _header(message, "X-Autoreply") or _header(message, "X-Autorespond"):
        return True
    if _header(message, "Precedence").strip().lower() in ("bulk", "junk", "list", "auto_reply"):
        return True
    return message.get_content_type() == "multipart/report"


def _text_of(message: EmailMessage) -> tuple[str, str]:
    """The reply's text: its text/plain part, or the text of its HTML part; and the part's charset."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return "", ""
    charset = part.get_content_charset() or ""
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    text = content if isinstance(content, str) else ""
    if part.get_content_type() == "text/html":
        text = html_text(text)
    return text.replace("\r\n", "\n").replace("\r", "\n"), charset


# --- what the guardian wrote -------------------------------------------------------------------------------------

# A line where the quoted original, a forwarded message or the sender's signature begins (fi/sv/en clients).
_CUT = re.compile(
    r"^\s*(?:"
    r"-{2,}\s*(?:original message|alkuperäinen viesti|ursprungligt meddelande|forwarded message|välitetty viesti"
    r"|vidarebefordrat meddelande)\s*-{2,}"
    r"|_{10,}"
    r"|\*?(?:from|lähettäjä|från|sent|lähetetty|skickat|date|päivämäärä|datum|to|vastaanottaja|till)\s*:\*?\s.*"
    r"|(?:sent from|sent with|lähetetty (?:iphone|android|puhelime|mobiili|outlook|samsung|galaxy|gmail)"
    r"|skickat från|skickades från|hämta outlook|get outlook|hanki outlook)\w*.*"
    r"|--\s*"
    r")$",
    re.IGNORECASE,
)
# "On Mon, 3 Mar 2027 at 10:00, Asti <…> wrote:", "ma 3.3.2027 klo 10.00 Asti <…> kirjoitti:", "Den … skrev Asti <…>:"
_WROTE = re.compile(r"\b(?:wrote|kirjoitti|skrev|schrieb)\b[^\n]*:\s*$", re.IGNORECASE)
_WROTE_START = re.compile(r"^\s*(?:on|den|am|le|\w{2,3}\.?\s+\d|\d)", re.IGNORECASE)


def _is_wrote(line: str) -> bool:
    return bool(_WROTE.search(line)) and bool(re.search(r"[@\d]", line))


def reply_text(text: str) -> str:
    """What the guardian wrote: the text up to the quoted original or signature, without "> " lines."""
    lines = text.replace("\r\n", "\n").split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if _CUT.match(line) or _is_wrote(line):
            break
        if following and _WROTE_START.match(line) and _is_wrote(f"{line} {following}") and not _is_wrote(following):
            break  # the "wrote:" line wrapped onto the next line
        if line.lstrip().startswith(">"):
            continue  # a quoted line between the guardian's own lines
        kept.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


class _HtmlText(HTMLParser):
    """The visible text of an HTML reply, without quoted blocks and from where a client's quoted original starts."""

    SKIP = frozenset({"script", "style", "head", "title", "blockquote"})
    BREAKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table"})
    QUOTE_CLASSES = frozenset({"gmail_quote", "gmail_attr", "moz-cite-prefix", "yahoo_quoted", "protonmail_quote"})
    QUOTE_IDS = frozenset(
        {"appendonsend", "divrplyfwdmsg", "x_divrplyfwdmsg", "mail-editor-reference-message-container"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []
        self.stopped = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.stopped:
            return
        values = dict(attrs)
        classes = set((values.get("class") or "").lower().split())
        if classes & self.QUOTE_CLASSES or (values.get("id") or "").lower() in self.QUOTE_IDS:
            self.stopped = True
            return
        if tag in self.SKIP:
            self.skipping.append(tag)
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" and not self.stopped and not self.skipping:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()
        elif tag in self.BREAKS and not self.stopped and not self.skipping:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.stopped and not self.skipping:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    return "\n".join(re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n"))


# --- the SMTP server of manage.py receive_mail -------------------------------------------------------------------


class ReplyMailHandler:
    """aiosmtpd's handler: only our reply addresses are accepted; each message is received in a worker thread (the
    database is not touched from the event loop). A failure answers 451, so the sending mail server tries again."""

    def __init__(self, *, threads: int = 4) -> None:
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="receive-mail")

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if reply_tag(address) is None:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        loop = asyncio.get_running_loop()
        try:
            received = await loop.run_in_executor(
                self._pool, _receive_in_thread, data, list(envelope.rcpt_tos), envelope.mail_from or ""
            )
        except Exception:
            log.exception("receive_mail: could not store a reply")
            return "451 4.3.0 Temporary failure, please try again later"
        log.info("receive_mail: reply #%s %s", received.inbound.pk, "(duplicate)" if received.duplicate else "stored")
        return "250 2.0.0 OK"

    def close(self) -> None:
        self._pool.shutdown(wait=True)


def _receive_in_thread(data: bytes, recipients: list[str], envelope_sender: str) -> Received:
    close_old_connections()
    try:
        return email_receive(data, recipients=recipients, envelope_sender=envelope_sender)
    finally:
        close_old_connections()


def reply_server(*, host: str, port: int, max_bytes: int | None = None) -> Controller:
    """The SMTP server that takes replies (start() it; stop() ends it). Mail larger than `max_bytes`
    (MESSAGING_INBOUND_EMAIL_MAX_BYTES) is refused with 552, mail to other addresses with 550."""
    from aiosmtpd.controller import Controller

    limit: int = max_bytes or settings.MESSAGING_INBOUND_EMAIL_MAX_BYTES
    parts = _reply_parts()
    return Controller(
        ReplyMailHandler(),
        hostname=host,
        port=port,
        loop=asyncio.new_event_loop(),
        server_hostname=parts[1] if parts else "localhost",
        data_size_limit=limit,
        enable_SMTPUTF8=True,
    )

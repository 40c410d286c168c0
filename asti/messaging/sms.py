"""Pure SMS helpers: the encoding and part count of a text, and reading phone numbers as E.164."""

from __future__ import annotations

import unicodedata
from typing import NamedTuple

import phonenumbers

# The GSM 03.38 default alphabet (one septet each) and its extension table (escape + septet: two each).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7 = "GSM-7"
UCS2 = "UCS-2"


class SmsEncoding(NamedTuple):
    encoding: str  # "GSM-7" or "UCS-2"
    parts: int
    length: int  # septets for GSM-7 (extension characters count two), UTF-16 code units for UCS-2


def sms_text(text: str) -> str:
    """The text as it is stored and sent: Unicode NFC, so that "ä" written as "a" and a combining diaeresis is the
    one GSM-7 character it looks like (and is counted as such)."""
    return unicodedata.normalize("NFC", text)


def sms_encoding(text: str) -> SmsEncoding:
    """How an SMS will travel: GSM-7 (160 a part, 153 when concatenated) or UCS-2 (70, then 67), for the text in
    NFC, counted as Kannel splits it (checked against Kannel in tests/messaging/test_kannel.py): an extension
    character's escape and septet stay in one part (when they do not fit, the part ends one short); UCS-2 is cut
    by code units, a surrogate pair possibly between two parts (the phone joins the parts before decoding)."""
    text = sms_text(text)
    widths = []
    for char in text:
        if char in GSM7_BASIC:
            widths.append(1)
        elif char in GSM7_EXTENSION:
            widths.append(2)
        else:
            units = len(text.encode("utf-16-le")) // 2
            return SmsEncoding(UCS2, _parts([1] * units, single=70, multi=67), units)
    return SmsEncoding(GSM7, _parts(widths, single=160, multi=153), sum(widths))


def _parts(widths: list[int], *, single: int, multi: int) -> int:
    if sum(widths) <= single:
        return 1
    parts, used = 1, 0
    for width in widths:
        if used + width > multi:
            parts, used = parts + 1, 0
        used += width
    return parts


def phone_e164(raw: str, *, region: str = "FI") -> str | None:
    """The number as E.164 (+358401234567), or None when it cannot be a phone number.

    Gateways give numbers as +358..., 00358..., 358... or 040...; all are read.
    """
    candidate = raw.strip().replace(" ", "").replace("-", "")
    if not candidate:
        return None
    if candidate.startswith("00"):
        candidate = "+" + candidate[2:]
    attempts = [candidate]
    if candidate.isdigit() and not candidate.startswith("0"):
        attempts.append("+" + candidate)
    for attempt in attempts:
        try:
            number = phonenumbers.parse(attempt, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None

"""Protection of personal identity codes (henkilötunnus) at rest.

A code is stored twice, never in the clear: encrypted (Fernet, AES-128-CBC + HMAC) so authorised code can
read it back, and as a keyed HMAC-SHA256 digest so it can be looked up and compared without decrypting.
Both keys are derived from the one secret ASTI_HETU_KEY with HKDF, each for its own purpose.

Credentials the server keeps for a while in a session (a staff member's refresh token from the identity provider)
are encrypted the same way with a key derived from SECRET_KEY, so a copy of the session table alone gives nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _derive(purpose: bytes) -> bytes:
    secret: str = settings.ASTI_HETU_KEY
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"asti-hetu-v1", info=purpose).derive(secret.encode())


@cache
def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(b"encrypt")))


@cache
def _mac_key() -> bytes:
    return _derive(b"lookup")


@cache
def _session_fernet() -> Fernet:
    secret: str = settings.SECRET_KEY
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"asti-session-v1", info=b"encrypt").derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def session_secret_encrypt(value: str) -> str:
    return _session_fernet().encrypt(value.encode()).decode()


def session_secret_decrypt(token: str) -> str:
    """The value back; cryptography.fernet.InvalidToken when it was not encrypted with this SECRET_KEY."""
    return _session_fernet().decrypt(token.encode()).decode()


def hetu_digest(hetu: str) -> str:
    """Keyed digest for lookups and comparisons; the same code always gives the same digest."""
    return hmac.new(_mac_key(), hetu.upper().encode(), hashlib.sha256).hexdigest()


def hetu_encrypt(hetu: str) -> str:
    return _fernet().encrypt(hetu.upper().encode()).decode()


def hetu_decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def hetu_masked(hetu: str) -> str:
    """The birth-date part only, as staff lists show it: 010688-****."""
    return hetu[:7] + "****" if len(hetu) == 11 else "****"


def hetu_is_temporary(hetu: str) -> bool:
    """An identity code with an individual number 900–999: a temporary or test code, never a permanent one the
    population register gives (demo people and test families carry these)."""
    number = hetu[7:10]
    return len(hetu) == 11 and number.isdigit() and int(number) >= 900


def reset_key_cache() -> None:
    """For tests that change ASTI_HETU_KEY."""
    _fernet.cache_clear()
    _mac_key.cache_clear()
    _session_fernet.cache_clear()

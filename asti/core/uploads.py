"""Files a family or staff member sends (an application's certificates, a message's attachments): checked for size
and type by their content, never by the name or the browser's word for it, and stored under a random name."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile

# Scanned or photographed documents.
SIGNATURES = {
    b"%PDF-": ("application/pdf", ".pdf"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
}

TOO_BIG = "attachment_too_big"
WRONG_TYPE = "attachment_wrong_type"
TOO_MANY = "attachment_too_many"
EMPTY = "attachment_empty"


@dataclass
class AttachmentRefused(Exception):
    reason: str  # TOO_BIG, WRONG_TYPE, TOO_MANY, EMPTY

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True)
class CheckedUpload:
    content: bytes
    name: str
    content_type: str
    extension: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)

    def save_to(self, field: FieldFile) -> None:
        """Writes the content under a random name (the caller deletes the file if its row is not saved)."""
        field.save(secrets.token_hex(16) + self.extension, ContentFile(self.content), save=False)


def sniff(head: bytes) -> tuple[str, str] | None:
    for signature, kind in SIGNATURES.items():
        if head.startswith(signature):
            return kind
    return None


def clean_name(name: str) -> str:
    name = unicodedata.normalize("NFC", name).replace("\x00", "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(ch for ch in name if ch.isprintable())
    return kept.strip()[:150] or "attachment"


def checked_upload(upload: UploadedFile) -> CheckedUpload:
    """The upload's content when it is a non-empty PDF, PNG or JPEG within ASTI_ATTACHMENT_MAX_BYTES; raises
    AttachmentRefused otherwise (nothing is stored)."""
    limit: int = settings.ASTI_ATTACHMENT_MAX_BYTES
    if upload.size is None or upload.size == 0:
        raise AttachmentRefused(EMPTY)
    if upload.size > limit:
        raise AttachmentRefused(TOO_BIG)
    upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise AttachmentRefused(TOO_BIG)
    if not content:
        raise AttachmentRefused(EMPTY)
    sniffed = sniff(content[:16])
    if sniffed is None:
        raise AttachmentRefused(WRONG_TYPE)
    content_type, extension = sniffed
    return CheckedUpload(
        content=content,
        name=clean_name(upload.name or ""),
        content_type=content_type,
        extension=extension,
        sha256=hashlib.sha256(content).hexdigest(),
    )

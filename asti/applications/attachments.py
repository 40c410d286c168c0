"""Attachments: added by the family while the application can still be changed (or by staff copying a paper
one), checked for size and type by their content, stored outside the web root under a random name, and read
only by the application's family or staff who handle applications, each read audited."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from asti.applications.models import Application, Attachment, AttachmentKind
from asti.applications.selectors import applications_visible_for, registry_details_for
from asti.applications.services import ApplicationError, ApplicationErrorCode
from asti.applications.validation import FieldProblem, Problem
from asti.audit.services import audit_log
from asti.core import clock
from asti.core.uploads import EMPTY, TOO_BIG, TOO_MANY, WRONG_TYPE, AttachmentRefused, checked_upload
from asti.people.models import Guardian

__all__ = ["EMPTY", "TOO_BIG", "TOO_MANY", "WRONG_TYPE", "AttachmentRefused"]


def attachment_add(
    *, application: Application, kind: str, upload: UploadedFile, actor: str, guardian: Guardian | None = None
) -> Attachment:
    """Stores one file for the application; raises AttachmentRefused (nothing stored) when it is too big, of a
    type not taken, empty, or one too many; ApplicationError when the application can no longer be changed."""
    if kind not in AttachmentKind.values:
        raise ApplicationError(ApplicationErrorCode.INVALID, [FieldProblem("attachment_kind", Problem.REQUIRED)])
    checked = checked_upload(upload)
    with transaction.atomic():
        application = Application.objects.select_for_update().select_related("child").get(pk=application.pk)
        if guardian is not None:
            if registry_details_for(guardian=guardian, child=application.child) is None:
                raise ApplicationError(ApplicationErrorCode.NOT_GUARDIAN)
            if application.is_draft and application.guardian_id != guardian.pk:
                raise ApplicationError(ApplicationErrorCode.NOT_GUARDIAN)
            if not application.editable:
                raise ApplicationError(ApplicationErrorCode.NOT_EDITABLE)
        if application.attachments.count() >= settings.ASTI_ATTACHMENTS_PER_APPLICATION:
            raise AttachmentRefused(TOO_MANY)
        attachment = Attachment(
            application=application,
            kind=kind,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=actor,
            uploaded_at=clock.now(),
        )
        checked.save_to(attachment.file)
        stored = attachment.file
        try:
            attachment.save()
            if not application.is_draft:
                audit_log(
                    actor=actor, operation="APPLICATION_ATTACHMENT_ADD", target_type="child",
                    target_id=application.child.child_id,
                    details={"application": application.pk, "attachment": attachment.pk, "kind": kind},
                )  # fmt: skip
        except Exception:
            stored.delete(save=False)  # the row is rolled back: leave no file behind
            raise
        return attachment


def attachment_remove(*, attachment: Attachment, actor: str, guardian: Guardian | None = None) -> None:
    with transaction.atomic():
        application = Application.objects.select_for_update().select_related("child").get(pk=attachment.application_id)
        if guardian is not None:
            if registry_details_for(guardian=guardian, child=application.child) is None:
                raise ApplicationError(ApplicationErrorCode.NOT_GUARDIAN)
            if not application.editable:
                raise ApplicationError(ApplicationErrorCode.NOT_EDITABLE)
        stored = attachment.file
        attachment.delete()
        transaction.on_commit(lambda: stored.delete(save=False))
        if not application.is_draft:
            audit_log(
                actor=actor, operation="APPLICATION_ATTACHMENT_REMOVE", target_type="child",
                target_id=application.child.child_id, details={"application": application.pk},
            )  # fmt: skip


def attachment_for_guardian(*, guardian: Guardian, attachment_id: int) -> Attachment | None:
    """An attachment of an application of a child in this guardian's custody (another guardian's draft excluded);
    None otherwise. The read is audited."""
    attachment = (
        Attachment.objects.filter(pk=attachment_id, application__in=applications_visible_for(guardian=guardian))
        .select_related("application__child")
        .first()
    )
    if attachment is not None:
        audit_log(
            actor=f"guardian:{guardian.guardian_id}", operation="APPLICATION_ATTACHMENT_READ", target_type="child",
            target_id=attachment.application.child.child_id,
            details={"application": attachment.application_id, "attachment": attachment.pk},
        )  # fmt: skip
    return attachment


def attachment_for_staff(*, actor: str, attachment_id: int) -> Attachment | None:
    """An attachment of a sent application, for staff who handle applications (the caller checks the role);
    drafts are the family's own. The read is audited."""
    attachment = (
        Attachment.objects.filter(pk=attachment_id)
        .exclude(application__status="draft")
        .select_related("application__child")
        .first()
    )
    if attachment is not None:
        audit_log(
            actor=actor, operation="APPLICATION_ATTACHMENT_READ", target_type="child",
            target_id=attachment.application.child.child_id,
            details={"application": attachment.application_id, "attachment": attachment.pk},
        )  # fmt: skip
    return attachment

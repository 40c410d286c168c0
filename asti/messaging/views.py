"""Kannel's calls to us (replies, delivery reports) and the demo's simulated phone and mailbox (where the guardian
answers an SMS, or replies to an email)."""

from __future__ import annotations

import codecs
import datetime as dt
import logging

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from asti.audit.services import audit_log, audit_log_many
from asti.messaging import reports, selectors
from asti.messaging.inbound import dedup_key, inbound_receive
from asti.messaging.models import SimulatedMessage
from asti.messaging.simulated import (
    simulated_email_repliable,
    simulated_email_reply,
    simulated_enabled,
    simulated_reply,
)
from asti.messaging.tokens import dlr_request_valid, inbound_request_valid
from asti.people.models import Guardian

log = logging.getLogger(__name__)
# The longest SMS a phone can send: 255 concatenated parts of 134 bytes (UCS-2), 34,170 bytes; recoded to UTF-8
# (mo-recode) at most half as much again, 51,255 bytes.
MAX_REPLY_BYTES = 64_000


def _plain(text: str, status: int = 200) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


def _decode(data: bytes, charset: str) -> str:
    try:
        codec = codecs.lookup(charset or "utf-8").name
    except LookupError:
        codec = "utf-8"
    return data.decode(codec, "replace")


@csrf_exempt
@require_POST
def kannel_inbound(request: HttpRequest) -> HttpResponse:
    """Kannel's sms-service post-url: the reply's text in the body, in the charset its Content-Type names
    (UTF-8, or UTF-16BE for UCS-2 without mo-recode; 8-bit data as application/octet-stream), the numbers, time
    and coding in X-Kannel-* headers, Kannel's message id (%I) in the query. Answers with an empty body: the
    answer to the guardian goes through the outbox, never as Kannel's direct reply. Kannel proves itself with
    basic-auth credentials (the user "kannel" and MESSAGING_KANNEL_INBOUND_TOKEN)."""
    if not inbound_request_valid(request.headers.get("Authorization", "")):
        return _plain("forbidden", 403)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _plain("bad length", 400)
    if length > MAX_REPLY_BYTES:
        return _plain("reply too long", 413)
    headers = request.headers
    sender = headers.get("X-Kannel-From", "")
    if not sender:
        return _plain("sender missing", 400)
    charset = request.content_params.get("charset", "").strip('"') if request.content_params else ""
    text = _decode(request.body, charset)
    receiver = headers.get("X-Kannel-To", "")
    sent_at = headers.get("X-Kannel-Time", "")
    gateway_id = request.GET.get("id", "") or dedup_key(
        sender=sender, receiver=receiver, gateway_time=sent_at, text=text
    )
    received = inbound_receive(
        gateway="kannel",
        gateway_id=gateway_id,
        sender=sender,
        receiver=receiver,
        text=text,
        coding=headers.get("X-Kannel-Coding", ""),
        charset=charset,
        smsc=headers.get("X-Kannel-SMSC", ""),
        gateway_time=_kannel_time(sent_at),
        raw={name: value[:500] for name, value in headers.items() if name.lower().startswith("x-kannel-")},
    )
    response = _plain("")  # empty: whatever Kannel's sms-service says, it must not answer the guardian itself
    response["X-Asti-Result"] = "duplicate" if received.duplicate else "stored"
    return response


def _kannel_time(value: str) -> dt.datetime | None:
    """X-Kannel-Time: "YYYY-MM-DD HH:MM:SS" in UTC."""
    try:
        return dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


@csrf_exempt
@require_GET
def kannel_dlr(request: HttpRequest, message_id: int) -> HttpResponse:
    """Kannel's delivery report for one message; its basic-auth password (the message's HMAC, put in the dlr-url we
    gave Kannel) proves we made the URL."""
    if not dlr_request_valid(message_id, request.headers.get("Authorization", "")):
        return _plain("forbidden", 403)
    try:
        status_code = int(request.GET.get("status", ""))
    except ValueError:
        return _plain("status missing", 400)
    if status_code not in reports.DLR_CODES:
        return _plain("unknown status", 400)
    result = reports.delivery_report_store(
        message_id=message_id,
        status_code=status_code,
        smsc_message_id=request.GET.get("smsc_id", ""),
        answer=request.GET.get("answer", ""),
    )
    if result == "unknown":
        return _plain("unknown message", 404)
    return _plain(result)


# --- the simulated phone and mailbox (demo) -----------------------------------------------------------------------


def _require_simulated(request: HttpRequest) -> None:
    """The demo's phone and mailbox show every family's messages: staff who may see families (planners and
    administrators, `people.view_guardian`), not unit directors."""
    if not simulated_enabled():
        raise Http404("the simulated channels are not in use")
    if not request.user.has_perm("people.view_guardian"):
        raise PermissionDenied


@staff_member_required
@require_GET
def simulated_index(request: HttpRequest) -> HttpResponse:
    _require_simulated(request)
    query = request.GET.get("q", "").strip()
    guardians = Guardian.objects.exclude(phone="", email="").order_by("last_name", "first_name", "pk")
    if query:
        guardians = guardians.filter(
            Q(last_name__icontains=query) | Q(first_name__icontains=query) | Q(phone__contains=query)
            | Q(email__icontains=query)
        )  # fmt: skip
    page = Paginator(guardians.only("pk", "first_name", "last_name", "phone", "email"), 50).get_page(
        request.GET.get("page")
    )
    recent = selectors.simulated_recent_guardians(limit=20)
    shown = sorted({g.guardian_id for g in page.object_list} | {g.guardian_id for g in recent})
    audit_log_many(actor=request.user.get_username(), operation="VIEW_LIST", target_type="guardian",
                   target_ids=shown, details={"page": "simulated phone list", "searched": bool(query)})  # fmt: skip
    return render(request, "messaging/simulated/index.html", {"page": page, "query": query, "recent": recent})


@staff_member_required
@require_http_methods(["GET", "POST"])
def simulated_guardian(request: HttpRequest, guardian_id: int) -> HttpResponse:
    _require_simulated(request)
    guardian = get_object_or_404(Guardian, pk=guardian_id)
    error = ""
    error_mail = 0
    if request.method == "POST" and request.POST.get("mail"):
        mail = _inbox_mail(guardian, request.POST["mail"])
        text = request.POST.get("text", "")
        if not text.strip():
            error, error_mail = "empty", mail.pk
        else:
            simulated_email_reply(mail=mail, text=text[:2000], language=guardian.language)
            return HttpResponseRedirect(reverse("messaging:simulated_guardian", args=[guardian.pk]) + "#inbox")
    elif request.method == "POST":
        text = request.POST.get("text", "")
        if not guardian.phone:
            error = "no-phone"
        elif not text.strip():
            error = "empty"
        else:
            simulated_reply(phone=guardian.phone, text=text[:2000])
            return HttpResponseRedirect(reverse("messaging:simulated_guardian", args=[guardian.pk]) + "#phone")
    audit_log(actor=request.user.get_username(), operation="VIEW", target_type="guardian",
              target_id=guardian.guardian_id, details={"page": "simulated phone and inbox"})  # fmt: skip
    inbox = list(selectors.simulated_conversation(address=guardian.email)) if guardian.email else []
    context = {
        "guardian": guardian,
        "phone": selectors.simulated_conversation(address=guardian.phone) if guardian.phone else [],
        "inbox": [(mail, simulated_email_repliable(mail)) for mail in inbox],
        "error": "" if error_mail else error,
        "error_mail": error_mail,
    }
    return render(request, "messaging/simulated/guardian.html", context, status=400 if error else 200)


def _inbox_mail(guardian: Guardian, mail_id: str) -> SimulatedMessage:
    """An email in this guardian's simulated inbox that may be answered by email."""
    mail = SimulatedMessage.objects.filter(pk=int(mail_id) if mail_id.isdigit() else 0, address=guardian.email).first()
    if not guardian.email or mail is None or not simulated_email_repliable(mail):
        raise Http404("no such email to answer")
    return mail

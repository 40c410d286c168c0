"""Against a real Kannel (bearerbox + smsbox from Debian) with its fake operator fakesmsc, and a live server for
Kannel's callbacks. Skipped only when Kannel is not installed and CI is not set; with CI=true a missing Kannel
fails."""

from __future__ import annotations

import base64
import datetime as dt
import http.server
import threading
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from asti.core import clock
from asti.messaging.channels.kannel import KannelSmsBackend, dlr_url
from asti.messaging.kannel_local import FakePhone, LocalKannel, free_port
from asti.messaging.models import DeliveryReport, FollowUp, InboundMessage, Lane, Message, Status
from asti.messaging.reconcile import unreported_messages_follow_up
from asti.messaging.replies import Verdict
from asti.messaging.reports import delivery_reports_apply
from asti.messaging.services import OutgoingMessage, message_enqueue_bulk
from asti.messaging.tokens import dlr_token, url_with_credentials
from asti.messaging.worker import Worker, claim
from tests.messaging.conftest import INBOUND_TOKEN, RecordingHandler, make_guardian, needs_kannel, use_kannel

pytestmark = [needs_kannel, pytest.mark.django_db(transaction=True)]
OUR_NUMBER = "+358500000000"


def wait_until(check: Callable[[], bool], *, timeout: float = 15.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what or check}")


@pytest.fixture
def phone(kannel: LocalKannel) -> Iterator[FakePhone]:
    fake = kannel.phone()
    yield fake
    fake.stop()


def enqueue_sms(texts: dict[str, str], **kwargs: Any) -> list[Message]:
    with transaction.atomic():
        return message_enqueue_bulk(
            messages=[
                OutgoingMessage(
                    channel="sms",
                    recipient=number,
                    template_key="messaging.test",
                    language="fi",
                    context={"text": text},
                    **kwargs,
                )
                for number, text in texts.items()
            ]
        )


def statuses(messages: list[Message]) -> list[str]:
    """The messages' statuses once the delivery reports stored so far are applied (the worker's job)."""
    delivery_reports_apply()
    return [Message.objects.get(pk=m.pk).status for m in messages]


def test_sms_go_through_kannel_and_delivery_reports_come_back(kannel: LocalKannel, phone: FakePhone) -> None:
    long_text = "Esiopetuspaikka päiväkoti Käpylästä alkaa 11.8. " * 5
    messages = enqueue_sms(
        {
            "+358401000001": "Hei Åsa, paikka on valmis: ÄÖÅ äöå €",
            "+358401000002": "Hei Šárka!",
            "+358401000003": long_text,
        }
    )
    assert [(m.sms_encoding, m.sms_parts) for m in messages] == [("GSM-7", 1), ("UCS-2", 1), ("GSM-7", 2)]
    assert Worker().run_once() == 3
    assert phone.wait_for(lambda got: len(got) >= 4)
    assert sorted(phone.texts()) == sorted(["Hei Åsa, paikka on valmis: ÄÖÅ äöå €", "Hei Šárka!", long_text.strip()])
    assert {m.sender for m in phone.messages()} == {OUR_NUMBER}
    wait_until(lambda: statuses(messages) == [Status.DELIVERED] * 3, what="delivery reports")
    for message in messages:
        assert set(DeliveryReport.objects.filter(message=message).values_list("status_code", flat=True)) == {1, 8}
        row = Message.objects.get(pk=message.pk)
        assert row.sent_at is not None and row.delivered_at is not None and row.attempts == 1


def test_part_counts_match_what_kannel_sends_at_the_boundaries(kannel: LocalKannel, phone: FakePhone) -> None:
    """The parts the operator receives from Kannel are the parts we count, with an extension character or an
    emoji on a part boundary, and for a text not in NFC (sent normalised)."""
    texts = {
        "+358401000011": "a" * 152 + "€" + "b" * 152,  # 306 septets, three parts
        "+358401000012": "a" * 151 + "€" + "b" * 153,  # 306 septets, two parts
        "+358401000013": "Š" + "a" * 65 + "👍" + "b" * 66,  # 134 UTF-16 units, the emoji across two parts
        "+358401000014": "Pa\u0308iva\u0308koti " * 12,  # NFC: GSM-7, one part
    }
    messages = enqueue_sms(texts)
    assert [m.sms_parts for m in messages] == [3, 2, 2, 1]
    assert Worker().run_once() == 4
    assert phone.wait_for(lambda got: len(got) >= 8)
    time.sleep(0.5)  # nothing more arrives
    per_number = Counter(m.receiver for m in phone.messages())
    assert [per_number[number] for number in texts] == [m.sms_parts for m in messages]
    assert sorted(phone.texts()) == sorted(unicodedata.normalize("NFC", text).strip() for text in texts.values())


def test_a_reply_reaches_us_and_the_answer_goes_out_at_once(
    kannel: LocalKannel, phone: FakePhone, handler: RecordingHandler
) -> None:
    guardian = make_guardian(phone="+358401000010")
    phone.send(f"+358401000010 {OUR_NUMBER} text Kyllä kiitos")
    wait_until(lambda: InboundMessage.objects.filter(handled_at__isnull=False).exists(), what="the reply")
    reply = InboundMessage.objects.get()
    assert (reply.gateway, reply.sender, reply.receiver, reply.text, reply.guardian) == (
        "kannel",
        "+358401000010",
        OUR_NUMBER,
        "Kyllä kiitos",
        guardian,
    )
    assert reply.gateway_id and reply.handling_result == "accept"
    Worker(lanes=[Lane.FAST]).run_once()
    assert phone.wait_for(lambda got: any(m.text == "Paikka vahvistettu." for m in got))
    assert [m.receiver for m in phone.messages()] == ["+358401000010"]
    answer = reply.answer
    assert answer is not None
    wait_until(lambda: statuses([answer]) == [Status.DELIVERED], what="its report")


def test_replies_that_say_nothing_get_a_helpful_answer_and_change_nothing(
    kannel: LocalKannel, handler: RecordingHandler
) -> None:
    replies = {
        "+358401000021": "text ",  # empty
        "+358401000022": "ucs2 %D8%3D%DE%0A%D8%3D%DC%4D",  # emoji only, as UCS-2
        "+358401000023": "data %FF%FE%80%81%00",  # garbled 8-bit data
        "+358401000024": "ucs2 " + urllib.parse.quote_from_bytes("Hei, mitä tämä on? Šárka".encode("utf-16-be")),
        "+358401000025": "text " + "Voisitteko kertoa lisää tästä paikasta ja sen aukioloajoista " * 16,  # very long
    }
    for number in replies:
        make_guardian(phone=number)
    long_phone = kannel.phone(f"+358401000025 {OUR_NUMBER} {replies['+358401000025']}")
    wait_until(lambda: InboundMessage.objects.count() == 1, what="the long reply")
    long_phone.stop()
    phone = kannel.phone()
    try:
        for number, reply in list(replies.items())[:4]:
            phone.send(f"{number} {OUR_NUMBER} {reply}")
        wait_until(lambda: InboundMessage.objects.filter(handled_at__isnull=False).count() == 5, what="replies")
        by_sender = {r.sender: r for r in InboundMessage.objects.all()}
        assert by_sender["+358401000021"].text == ""
        assert by_sender["+358401000022"].text == "😊👍"
        assert by_sender["+358401000023"].coding == "1"
        assert by_sender["+358401000024"].text == "Hei, mitä tämä on? Šárka"
        assert len(by_sender["+358401000025"].text) > 900
        assert [v for _, v in handler.seen] == [Verdict.UNKNOWN] * 5
        assert {r.handling_result for r in by_sender.values()} == {"not_understood"}
        assert FollowUp.objects.filter(reason="reply_needs_staff").count() == 5
        Worker(lanes=[Lane.FAST]).run_once()
        assert phone.wait_for(lambda got: len(got) >= 5)
        assert sorted(m.receiver for m in phone.messages()) == sorted(replies)
        assert {m.text for m in phone.messages()} == {"Vastaa KYLLÄ tai EI."}
        assert Message.objects.count() == 5  # the answers and nothing else
    finally:
        phone.stop()


def test_a_reply_of_the_longest_sms_arrives_whole(kannel: LocalKannel, handler: RecordingHandler) -> None:
    """A reply of ten concatenated UCS-2 parts (670 characters, 1,340 bytes of UTF-16) comes by POST, whole: by GET
    it would not fit in a web server's request line. The operator hands it to Kannel as one message (as an SMSC does
    after joining the parts)."""
    make_guardian(phone="+358401000026")
    text = "Hyvä päiväkoti! Šárka kysyy: milloin lapsi pääsee kotiin? 😊 " * 11
    text = text[:670]
    encoded = urllib.parse.quote_from_bytes(text.encode("utf-16-be"))
    long_phone = kannel.phone(f"+358401000026 {OUR_NUMBER} ucs2 {encoded}")
    try:
        wait_until(lambda: InboundMessage.objects.filter(handled_at__isnull=False).exists(), what="the long reply")
    finally:
        long_phone.stop()
    reply = InboundMessage.objects.get()
    assert (reply.sender, reply.text, reply.receiver) == ("+358401000026", text, OUR_NUMBER)
    assert reply.gateway_time is not None and len(reply.gateway_id) == 36  # Kannel's UUID, from the query


def test_an_unknown_number_is_answered(kannel: LocalKannel, phone: FakePhone, handler: RecordingHandler) -> None:
    phone.send(f"+358409999999 {OUR_NUMBER} text KYLLÄ")
    wait_until(lambda: InboundMessage.objects.filter(handled_at__isnull=False).exists(), what="the reply")
    assert InboundMessage.objects.get().handling_result == "unknown_sender"
    Worker(lanes=[Lane.FAST]).run_once()
    assert phone.wait_for(lambda got: [m.text for m in got] == ["Numeroa ei tunnistettu."])


def http_call(url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, str]:
    """GET (or POST with a body) as Kannel's HTTP client does: credentials in the URL become basic auth."""
    parts = urllib.parse.urlsplit(url)
    headers = dict(headers or {})
    if parts.username is not None:
        credentials = f"{parts.username}:{parts.password or ''}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(credentials).decode()
        url = urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    request = urllib.request.Request(url, data=body, headers=headers, method="POST" if body is not None else "GET")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (the test's live server)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_forged_and_replayed_callbacks_are_refused(kannel: LocalKannel, phone: FakePhone, live_server: Any) -> None:
    (message,) = enqueue_sms({"+358401000030": "Hei"})
    Worker().run_once()
    wait_until(lambda: statuses([message]) == [Status.DELIVERED], what="delivery")
    dlr_path = live_server.url + reverse("messaging:kannel_dlr", args=[message.pk])
    assert http_call(dlr_path + "?status=2")[0] == 403  # no credentials
    assert http_call(dlr_path.replace("http://", f"http://dlr:{'f' * 32}@") + "?status=2")[0] == 403
    replay = KannelSmsBackend().query  # the real URL Kannel called, replayed by someone who captured it
    captured = urllib.parse.parse_qs(urllib.parse.urlsplit(replay(_outbound(message))).query)["dlr-url"][0]
    assert "@" in captured and str(message.pk) in urllib.parse.urlsplit(captured).path
    assert http_call(captured.replace("%d", "1").replace("%F", "").replace("%A", "")) == (200, "duplicate")
    assert http_call(captured.replace("%d", "2").replace("%F", "").replace("%A", "")) == (200, "stored")
    assert statuses([message]) == [Status.DELIVERED]  # a final state is never overwritten
    inbound = live_server.url + reverse("messaging:kannel_inbound")
    assert http_call(inbound, b"EI", {"X-Kannel-From": "+358401000030"})[0] == 403
    forged = inbound.replace("http://", "http://kannel:not-the-token@")
    assert http_call(forged, b"EI", {"X-Kannel-From": "+358401000030"})[0] == 403
    assert not InboundMessage.objects.exists()


def test_kannel_presents_its_secrets_as_basic_auth_and_not_in_the_path(
    kannel: LocalKannel, phone: FakePhone, handler: RecordingHandler
) -> None:
    """Kannel's HTTP client turns the credentials in its post-url and dlr-url into an Authorization header (the
    views take nothing else): the reply and the delivery reports come through, and the request lines that an
    access log keeps (path and query) carry no secret."""
    (message,) = enqueue_sms({"+358401000031": "Hei"})
    Worker().run_once()
    phone.send(f"+358401000031 {OUR_NUMBER} text EI")
    wait_until(lambda: statuses([message]) == [Status.DELIVERED], what="delivery")
    wait_until(lambda: InboundMessage.objects.filter(sender="+358401000031").exists(), what="the reply")
    post_url = next(line for line in kannel.replies_config_path.read_text().splitlines() if "post-url" in line)
    sendsms = urllib.parse.parse_qs(urllib.parse.urlsplit(KannelSmsBackend().query(_outbound(message))).query)
    for url, secret in ((post_url.split('"')[1], INBOUND_TOKEN), (sendsms["dlr-url"][0], dlr_token(message.pk))):
        parts = urllib.parse.urlsplit(url)
        assert parts.password == secret and secret not in parts.path + parts.query


def _outbound(message: Message) -> Any:
    from asti.messaging.channels import OutboundMessage

    return OutboundMessage(message.pk, "sms", message.recipient, "fi", "", message.body, message.sms_encoding)


def test_messages_wait_while_kannel_is_down_and_go_when_it_is_up(
    live_server: Any, settings: Any, tmp_path: Path
) -> None:
    down = LocalKannel(workdir=tmp_path / "kannel", inbound_url=live_server.url + "/unused/")
    use_kannel(settings, down, live_server.url)
    messages = enqueue_sms({f"+35840100004{i}": f"Viesti {i}" for i in range(3)})
    assert Worker().run_once() == 3
    rows = [Message.objects.get(pk=m.pk) for m in messages]
    assert {(r.status, r.attempts) for r in rows} == {(Status.TEMPORARY_FAILURE, 1)}
    assert all("unreachable" in r.last_error and r.next_attempt_at > clock.now() for r in rows)
    assert Worker().run_once() == 0  # backing off
    down.start()
    phone = down.phone()
    try:
        with clock.frozen_at(clock.now() + dt.timedelta(seconds=11)):
            assert Worker().run_once() == 3
        assert phone.wait_for(lambda got: len(got) == 3)
        wait_until(lambda: statuses(messages) == [Status.DELIVERED] * 3, what="delivery reports")
        assert {Message.objects.get(pk=m.pk).attempts for m in messages} == {2}
    finally:
        phone.stop()
        down.stop()


def test_after_a_worker_dies_mid_batch_everyone_gets_their_message(kannel: LocalKannel, phone: FakePhone) -> None:
    numbers = {f"+3584010001{i:02d}": f"Tarjous {i}" for i in range(20)}
    messages = enqueue_sms(numbers)
    batch = claim(worker_id="dying", lane=Lane.BULK, channel="sms", limit=8, lease_seconds=60)
    backend = KannelSmsBackend()
    for claimed in batch[:3]:  # three handed to Kannel, then the worker is killed before it records anything
        assert backend.send(claimed.message).outcome == "sent"
    backend.close()
    assert Worker().run_once() == 12  # the rest go at once; the dead worker's eight wait for its lease
    with clock.frozen_at(clock.now() + dt.timedelta(seconds=61)):
        Worker().run_once()
    assert phone.wait_for(lambda got: {m.receiver for m in got} == set(numbers), timeout=15)
    counts = Counter(m.receiver for m in phone.messages())
    duplicates = {number for number, n in counts.items() if n > 1}
    assert duplicates <= {c.message.recipient for c in batch[:3]}  # at most the ones in flight
    assert all(n <= 2 for n in counts.values())
    wait_until(lambda: set(statuses(messages)) == {Status.DELIVERED}, what="delivery reports")


def test_messages_kannel_accepted_survive_a_bearerbox_crash(live_server: Any, settings: Any, tmp_path: Path) -> None:
    """With the operator down Kannel keeps what it accepts ("Queued for later delivery") in its store; bearerbox is
    killed with SIGKILL and started again, and every message reaches the operator exactly once, each in as many
    parts as counted, and is delivered."""
    kannel = LocalKannel(workdir=tmp_path / "kannel", inbound_url=live_server.url + "/unused/", supervise=False)
    kannel.start()
    use_kannel(settings, kannel, live_server.url)
    long_text = "Tervetuloa esiopetukseen päiväkoti Käpylään, ovet aukeavat seitsemältä. " * 3
    texts = {f"+3584010005{i:02d}": long_text if i % 5 == 0 else f"Tarjous numero {i}" for i in range(40)}
    messages = enqueue_sms(texts)
    phone: FakePhone | None = None
    try:
        assert Worker().run_once() == 40  # nobody on the operator's side: Kannel queues them
        assert set(statuses(messages)) == {Status.SENT}
        assert len(list((kannel.store_dir / "messages").rglob("*-*"))) >= 40  # one file per accepted message
        kannel.crash("bearerbox")
        kannel.stop()
        kannel.start()
        phone = kannel.phone()
        parts = {m.recipient: m.sms_parts for m in messages}
        assert phone.wait_for(lambda got: len(got) >= sum(parts.values()), timeout=30)
        time.sleep(2)  # nothing more arrives
        assert Counter(m.receiver for m in phone.messages()) == parts  # every part once, none twice
        assert sorted(phone.texts()) == sorted(text.strip() for text in texts.values())
        wait_until(lambda: set(statuses(messages)) == {Status.DELIVERED}, timeout=30, what="delivery reports")
    finally:
        if phone is not None:
            phone.stop()
        kannel.stop()


def test_dead_boxes_are_started_again(
    live_server: Any, settings: Any, tmp_path: Path, handler: RecordingHandler
) -> None:
    """The supervisor starts a killed smsbox again, and after bearerbox is killed all three boxes in order; the
    fake operator, which ends with bearerbox, reconnects. Then an offer goes out, is delivered and answered."""
    inbound_url = url_with_credentials(live_server.url + reverse("messaging:kannel_inbound"), "kannel", INBOUND_TOKEN)
    kannel = LocalKannel(workdir=tmp_path / "kannel", inbound_url=inbound_url).start()
    use_kannel(settings, kannel, live_server.url)
    phone = kannel.phone()
    try:
        for box in ("sender", "replies", "bearerbox"):
            kannel.crash(box)
            wait_until(lambda box=box: kannel.restarts[box] == 1 and kannel.up(), timeout=40, what=f"{box} again")
        assert kannel.restarts == Counter({"sender": 1, "replies": 1, "bearerbox": 1})
        wait_until(lambda: phone.restarts >= 1 and "online" in kannel.status(), timeout=40, what="the operator")
        make_guardian(phone="+358401000060")
        (message,) = enqueue_sms({"+358401000060": "Tarjous"})
        assert Worker().run_once() == 1
        assert phone.wait_for(lambda got: [m.receiver for m in got] == ["+358401000060"], timeout=15)
        wait_until(lambda: statuses([message]) == [Status.DELIVERED], what="its report")
        phone.send(f"+358401000060 {OUR_NUMBER} text KYLLÄ")
        wait_until(lambda: InboundMessage.objects.filter(handled_at__isnull=False).exists(), what="the reply")
    finally:
        phone.stop()
        kannel.stop()


def test_kannel_keeps_trying_a_reply_while_asti_is_away(tmp_path: Path) -> None:
    """smsbox holds a reply in memory while it retries: with Asti's web server away for longer than the three
    tries Kannel made before, the reply arrives once the server is back."""
    port = free_port()
    url = f"http://kannel:secret@127.0.0.1:{port}/messaging/kannel/inbound/"
    kannel = LocalKannel(workdir=tmp_path / "kannel", inbound_url=url, http_retry_delay=1).start()
    phone = kannel.phone()
    got: list[tuple[str, bytes]] = []

    class Asti(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            got.append((self.headers["X-Kannel-From"], self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return None

    server: http.server.HTTPServer | None = None
    try:
        phone.send(f"+358401000070 {OUR_NUMBER} text EI kiitos")
        time.sleep(6)  # Kannel has tried several times by now
        assert not got
        server = http.server.HTTPServer(("127.0.0.1", port), Asti)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        wait_until(lambda: bool(got), timeout=15, what="the reply")
        assert got == [("+358401000070", b"EI kiitos")]
    finally:
        if server is not None:
            server.shutdown()
        phone.stop()
        kannel.stop()


def test_sms_without_final_reports_go_to_staff_and_late_reports_close_them(
    kannel: LocalKannel, phone: FakePhone, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """With a delivery-report mask of 8 the operator only acks, as a real one does for hours before its final
    reports: a short and a three-part SMS stay "sent"; past MESSAGING_DELIVERY_REPORT_WAIT_HOURS each goes on the
    follow-up list once; their final reports, posted to the dlr-url as Kannel would, then close the follow-ups."""
    settings.MESSAGING_KANNEL_DLR_MASK = 8
    long_text = "Esiopetuspaikka on valmis: päiväkoti Käpylä, Metsäpurontie 3, alkaa 11.8.2026. " * 4
    messages = enqueue_sms({"+358401000080": "Tarjous", "+358401000081": long_text})
    assert [m.sms_parts for m in messages] == [1, 3]
    assert Worker().run_once() == 2
    assert phone.wait_for(lambda got: len(got) >= 4)
    wait_until(lambda: DeliveryReport.objects.filter(status_code=8).count() == 2, what="the operator's acks")
    time.sleep(1)  # and nothing else comes
    assert sorted(DeliveryReport.objects.values_list("status_code", flat=True)) == [8, 8]
    assert statuses(messages) == [Status.SENT, Status.SENT]
    later = clock.now() + dt.timedelta(hours=settings.MESSAGING_DELIVERY_REPORT_WAIT_HOURS, minutes=1)
    with clock.frozen_at(later):
        assert unreported_messages_follow_up() == 2
        assert unreported_messages_follow_up() == 0
    assert {f.message_id for f in FollowUp.objects.filter(reason="no_delivery_report")} == {m.pk for m in messages}
    for message in messages:
        report = dlr_url(message.pk).replace("%d", "1").replace("%F", "op-1").replace("%A", "DELIVRD")
        assert http_call(report) == (200, "stored")
    with django_capture_on_commit_callbacks(execute=True):
        assert statuses(messages) == [Status.DELIVERED, Status.DELIVERED]
    assert not FollowUp.objects.filter(resolved_at__isnull=True).exists()

"""SMS through Kannel's HTTP sendsms interface, with delivery reports to our callback URL (signed per message).

GET /cgi-bin/sendsms?username&password&from&to&text&charset=UTF-8&coding=0|2&dlr-mask=31&dlr-url=...
Kannel answers 202 ("0: Accepted for delivery", or "3: Queued for later delivery" when the operator link is down:
Kannel keeps it). Each sender thread keeps one HTTP/1.1 keep-alive connection.
"""

from __future__ import annotations

import http.client
import threading
import urllib.parse

from django.conf import settings
from django.urls import reverse

from asti.messaging.channels import OutboundMessage, Outcome, SendResult
from asti.messaging.sms import UCS2
from asti.messaging.tokens import DLR_USER, dlr_token, url_with_credentials

# Kannel's own escapes in the delivery-report URL: %d status, %F the operator's message id, %A its answer.
DLR_QUERY = "status=%d&smsc_id=%F&answer=%A"


def dlr_url(message_id: int) -> str:
    """The delivery-report URL Kannel calls for a message: its HMAC as basic-auth credentials, not in the path."""
    return _dlr_url_format().format(id=message_id, token=dlr_token(message_id))


def _dlr_url_format() -> str:
    """dlr_url() as a format string with {id} and {token}: reverse() once per backend, not once per message."""
    path = reverse("messaging:kannel_dlr", kwargs={"message_id": 1234567890})
    base: str = settings.MESSAGING_CALLBACK_BASE_URL
    url = url_with_credentials(f"{base.rstrip('/')}{path}", DLR_USER, "TOKEN")
    return url.replace("{", "{{").replace("}", "}}").replace("1234567890", "{id}").replace("TOKEN", "{token}") + (
        "?" + DLR_QUERY
    )


class KannelSmsBackend:
    uses_database = False

    def __init__(self) -> None:
        url = urllib.parse.urlsplit(settings.MESSAGING_KANNEL_SENDSMS_URL)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError("MESSAGING_KANNEL_SENDSMS_URL must be an http(s) URL")
        self._https = url.scheme == "https"
        self._host = url.hostname
        self._port = url.port or (443 if self._https else 80)
        self._path = url.path or "/cgi-bin/sendsms"
        self._timeout: float = settings.MESSAGING_HTTP_TIMEOUT
        self._dlr_url = _dlr_url_format()
        self._fixed = {
            "username": settings.MESSAGING_KANNEL_USERNAME,
            "password": settings.MESSAGING_KANNEL_PASSWORD,
            "from": settings.MESSAGING_SMS_SENDER,
        }
        self._dlr_mask = str(settings.MESSAGING_KANNEL_DLR_MASK)
        self._local = threading.local()
        self._connections: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def _connection(self) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is None:
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            conn = cls(self._host, self._port, timeout=self._timeout)
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def _drop_connection(self) -> None:
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def query(self, message: OutboundMessage) -> str:
        params = {
            **self._fixed,
            "to": message.recipient,
            "text": message.body,
            "charset": "UTF-8",
            "coding": "2" if message.sms_encoding == UCS2 else "0",
            "dlr-mask": self._dlr_mask,
            "dlr-url": self._dlr_url.format(id=message.id, token=dlr_token(message.id)),
        }
        return f"{self._path}?{urllib.parse.urlencode(params)}"

    def send(self, message: OutboundMessage) -> SendResult:
        target = self.query(message)
        for attempt in (1, 2):
            conn = self._connection()
            reused = conn.sock is not None
            try:
                conn.request("GET", target)
                response = conn.getresponse()
                body = response.read().decode("utf-8", "replace").strip()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self._drop_connection()
                if reused and attempt == 1:
                    continue  # the gateway closed an idle keep-alive connection before reading: try a fresh one
                return SendResult(Outcome.TEMPORARY, error=f"Kannel connection lost: {exc!r}")
            except (OSError, http.client.HTTPException) as exc:
                self._drop_connection()
                return SendResult(Outcome.TEMPORARY, error=f"Kannel unreachable: {exc!r}")
            if response.will_close:
                self._drop_connection()
            return classify(response.status, body)
        return SendResult(Outcome.TEMPORARY, error="Kannel connection lost")

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()


def classify(status: int, body: str) -> SendResult:
    """Kannel's answer to sendsms as an outcome."""
    if 200 <= status < 300:
        return SendResult(Outcome.SENT)
    error = f"Kannel {status}: {body[:300]}"
    if status >= 500 or "authorization" in body.lower() or "too many" in body.lower():
        return SendResult(Outcome.TEMPORARY, error=error)  # our configuration or Kannel's load: retry later
    return SendResult(Outcome.PERMANENT, error=error)  # e.g. "Not routable. Do not try again."

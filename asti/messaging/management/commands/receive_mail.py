from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from asti.messaging.email_inbound import ReplyMailHandler, replies_taken, reply_server

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Takes email replies: an SMTP server that accepts mail to MESSAGING_EMAIL_REPLY_ADDRESS (with its +tags) only "
        "and hands each message to the reply handling, like an SMS reply."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="", help="address to listen on (MESSAGING_INBOUND_SMTP_HOST)")
        parser.add_argument("--port", type=int, default=0, help="port to listen on (MESSAGING_INBOUND_SMTP_PORT)")
        parser.add_argument(
            "--max-bytes", type=int, default=0, help="largest message taken (MESSAGING_INBOUND_EMAIL_MAX_BYTES)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not replies_taken():
            raise CommandError("MESSAGING_EMAIL_REPLY_ADDRESS is not set: emails are not answered by email")
        host: str = options["host"] or settings.MESSAGING_INBOUND_SMTP_HOST
        port: int = options["port"] or settings.MESSAGING_INBOUND_SMTP_PORT
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every address at INFO
        server = reply_server(host=host, port=port, max_bytes=options["max_bytes"] or None)
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            log.info("receive_mail: stopping")
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        server.start()
        self.stdout.write(f"receiving replies to {settings.MESSAGING_EMAIL_REPLY_ADDRESS} on {host}:{port}")
        try:
            stop.wait()
        finally:
            server.stop()
            handler = server.handler
            if isinstance(handler, ReplyMailHandler):
                handler.close()

"""A local Kannel (bearerbox, smsbox) with the fake operator fakesmsc, for tests, the benchmark and development.

Runs Debian's binaries (scripts/install-system-packages installs them) with the project's own configuration
(kannel/kannel.conf.template), free ports and a folder for config and logs; stops every process by its pid.
A FakePhone is one fakesmsc: the replies it sends are given when it starts, and it records every message the
gateway hands to the operator.

Both are supervised as a service manager would (docs/kannel.md has the systemd units for production): a box that
dies is started again after a back-off (0.5 s, doubling to 10 s, back to 0.5 s once it has run for 30 s). When
bearerbox dies the smsboxes go with it and the three start again in order; fakesmsc, which ends when bearerbox
does, reconnects the same way.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import string
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BEARERBOX = shutil.which("bearerbox") or "/usr/sbin/bearerbox"
SMSBOX = shutil.which("smsbox") or "/usr/sbin/smsbox"
FAKESMSC = "/usr/lib/kannel/test/fakesmsc"
TEMPLATE = Path(__file__).parent / "kannel" / "kannel.conf.template"
REPLIES_TEMPLATE = Path(__file__).parent / "kannel" / "kannel-replies.conf.template"
_GOT = re.compile(r"Got message \d+: <(\S+) (\S+) (\S+) (.*)>$")
BOXES = ("bearerbox", "replies", "sender")


@dataclass
class Backoff:
    """Seconds to wait before starting a process again: doubling while it keeps dying, reset once it has run."""

    first: float = 0.5
    longest: float = 10.0
    stable_after: float = 30.0
    delay: float = 0.5

    def next(self, *, ran_for: float) -> float:
        if ran_for >= self.stable_after:
            self.delay = self.first
        wait, self.delay = self.delay, min(self.delay * 2, self.longest)
        return wait


def kannel_available() -> bool:
    return all(os.access(path, os.X_OK) for path in (BEARERBOX, SMSBOX, FAKESMSC))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, *, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def _stop(process: subprocess.Popen[bytes] | None, *, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@dataclass(frozen=True)
class OperatorMessage:
    """A message as the operator (fakesmsc) got it from the gateway."""

    sender: str
    receiver: str
    kind: str
    text: str
    at: float  # time.time() when fakesmsc printed it


@dataclass
class LocalKannel:
    workdir: Path
    inbound_url: str
    throughput: float | None = None
    username: str = "asti"
    password: str = "local-test-password"  # noqa: S105 (a local test gateway)
    max_messages: int = 6
    callback_concurrency: int = 8
    log_level: int = 1
    http_retries: int = 360  # smsbox's retries of a callback to Asti, http_retry_delay seconds apart
    http_retry_delay: int = 10
    sendsms_port: int = field(default_factory=free_port)
    admin_port: int = field(default_factory=free_port)
    smsbox_port: int = field(default_factory=free_port)
    smsc_port: int = field(default_factory=free_port)
    admin_password: str = "local-admin"  # noqa: S105
    supervise: bool = True
    restarts: Counter[str] = field(default_factory=Counter)
    _boxes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _started_at: dict[str, float] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _supervisor: threading.Thread | None = None

    @property
    def sendsms_url(self) -> str:
        return f"http://127.0.0.1:{self.sendsms_port}/cgi-bin/sendsms"

    @property
    def store_dir(self) -> Path:
        """Kannel's store: accepted messages and the delivery reports it waits for (kept across restarts)."""
        return self.workdir / "store"

    @property
    def config_path(self) -> Path:
        return self.workdir / "kannel.conf"

    @property
    def replies_config_path(self) -> Path:
        return self.workdir / "kannel-replies.conf"

    def write_config(self) -> Path:
        for folder in (self.workdir, self.store_dir / "messages", self.store_dir / "reports"):
            folder.mkdir(parents=True, exist_ok=True)
        values = {
            "admin_port": self.admin_port,
            "admin_password": self.admin_password,
            "smsbox_port": self.smsbox_port,
            "smsc_port": self.smsc_port,
            "sendsms_port": self.sendsms_port,
            "log_dir": self.workdir,
            "store_dir": self.store_dir,
            "log_level": self.log_level,
            "username": self.username,
            "password": self.password,
            "max_messages": self.max_messages,
            "callback_concurrency": self.callback_concurrency,
            "http_retries": self.http_retries,
            "http_retry_delay": self.http_retry_delay,
            "inbound_url": self.inbound_url,
            "throughput_line": f"throughput = {self.throughput}" if self.throughput else "",
        }
        self.config_path.write_text(string.Template(TEMPLATE.read_text()).substitute(values))
        self.replies_config_path.write_text(string.Template(REPLIES_TEMPLATE.read_text()).substitute(values))
        return self.config_path

    def start(self) -> LocalKannel:
        """bearerbox first, then the two smsboxes; returns when sendsms answers. After a crash or stop() the same
        workdir starts again with Kannel's store: what it had accepted and not yet handed to the operator."""
        self.write_config()
        try:
            with self._lock:
                self._start_boxes()
        except BaseException:
            self.stop()
            raise
        if self.supervise:
            self._stopping.clear()
            self._supervisor = threading.Thread(target=self._watch, name="kannel-supervisor", daemon=True)
            self._supervisor.start()
        return self

    def _command(self, box: str) -> list[str]:
        config = self.replies_config_path if box == "replies" else self.config_path
        return [BEARERBOX if box == "bearerbox" else SMSBOX, str(config)]

    def _spawn(self, box: str) -> None:
        with (self.workdir / "boxes.out").open("ab") as out:
            self._boxes[box] = subprocess.Popen(
                self._command(box), stdout=out, stderr=subprocess.STDOUT, cwd=self.workdir
            )
        self._started_at[box] = time.monotonic()

    def _start_boxes(self) -> None:
        self._spawn("bearerbox")
        wait_for_port(self.smsbox_port)
        self._spawn("replies")
        self._spawn("sender")
        wait_for_port(self.sendsms_port)
        self._wait_for_boxes(2)

    def _watch(self) -> None:
        """The supervisor: starts a dead box again after its back-off; a dead bearerbox takes the smsboxes along."""
        backoff = Backoff()
        while not self._stopping.wait(0.2):
            with self._lock:  # dead, or never started again after a failed start
                dead = [box for box in BOXES if (process := self._boxes.get(box)) is None or process.poll() is not None]
            if not dead:
                continue
            now = time.monotonic()
            ran_for = min(now - self._started_at.get(box, now) for box in dead)
            if self._stopping.wait(backoff.next(ran_for=ran_for)):
                return
            with self._lock:
                if self._stopping.is_set():
                    return
                self._note(f"supervisor: {', '.join(dead)} died; starting again")
                try:
                    if "bearerbox" in dead:
                        for box in ("sender", "replies"):
                            _stop(self._boxes.pop(box, None), sig=signal.SIGKILL)  # nothing to do without it
                        self._start_boxes()
                    else:
                        for box in dead:
                            self._spawn(box)
                        self._wait_for_boxes(2)
                except (OSError, TimeoutError) as exc:
                    self._note(f"supervisor: start failed: {exc!r}")
                for box in dead:
                    self.restarts[box] += 1

    def _note(self, line: str) -> None:
        with (self.workdir / "boxes.out").open("a") as out:
            out.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {line}\n")

    def up(self) -> bool:
        """Every box runs and both smsboxes are connected to bearerbox."""
        with self._lock:
            if set(self._boxes) != set(BOXES) or any(p.poll() is not None for p in self._boxes.values()):
                return False
        try:
            return self.status().count("smsbox:") >= 2
        except OSError:
            return False

    def crash(self, box: str = "bearerbox") -> None:
        """kill -9 one box ("bearerbox", "sender" or "replies"), as a crash would."""
        process = self._boxes[box]
        process.kill()
        process.wait(timeout=10)

    def _wait_for_boxes(self, count: int, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.status().count("smsbox:") >= count:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{count} smsboxes did not connect to bearerbox in {timeout} s")

    def stop(self) -> None:
        """The supervisor, the smsboxes, then bearerbox (an smsbox whose bearerbox is gone ignores SIGTERM: killed
        after 10 s)."""
        self._stopping.set()
        if self._supervisor is not None and self._supervisor is not threading.current_thread():
            self._supervisor.join(timeout=30)
        self._supervisor = None
        smsboxes = [process for box in ("sender", "replies") if (process := self._boxes.pop(box, None))]
        for process in smsboxes:
            if process.poll() is None:
                process.terminate()
        for process in smsboxes:
            _stop(process)
        _stop(self._boxes.pop("bearerbox", None))

    @property
    def running(self) -> bool:
        bearerbox = self._boxes.get("bearerbox")
        return bearerbox is not None and bearerbox.poll() is None

    def phone(self, reply: str = "") -> FakePhone:
        """Starts fakesmsc as the operator. Replies are lines "SENDER RECEIVER text BODY" (or "ucs2 URLENCODED",
        "data URLENCODED"): typed in with FakePhone.send(), or one given here (for replies over 255 bytes)."""
        return FakePhone.start(self, reply=reply)

    def status(self) -> str:
        url = f"http://127.0.0.1:{self.admin_port}/status.txt?password={urllib.parse.quote(self.admin_password)}"
        with urllib.request.urlopen(url, timeout=5) as response:
            body: bytes = response.read()
        return body.decode("utf-8", "replace")


class FakePhone:
    """One fakesmsc connected to the gateway: sends replies, records what the operator gets.

    fakesmsc picks its command-line messages at random, so replies are typed into its interactive mode instead
    (one line each, under 256 bytes); a single longer reply can be given at start. fakesmsc waits on its input with
    select() but reads it through stdio, so a line written while the previous one is still buffered waits for the
    next write: send() spaces lines by SEND_SPACING. It reads what the gateway sends at least once a second.
    """

    SEND_SPACING = 0.05

    def __init__(self, command: list[str], *, reply: str = "", supervise: bool = True) -> None:
        self.received: list[OperatorMessage] = []
        self.restarts = 0
        self._command = command
        self._supervise = supervise
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._last_send = 0.0
        self.process = self._spawn(["-m", "1", reply] if reply else [])
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @classmethod
    def start(cls, kannel: LocalKannel, *, reply: str = "", supervise: bool | None = None) -> FakePhone:
        command = [FAKESMSC, "-H", "127.0.0.1", "-r", str(kannel.smsc_port), "-i", "0.01"]
        return cls(command, reply=reply, supervise=kannel.supervise if supervise is None else supervise)

    def _spawn(self, extra: list[str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            self._command + extra, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )

    def send(self, line: str) -> None:
        data = line.encode() + b"\n"
        if len(data) >= 256 or "\n" in line:
            raise ValueError("fakesmsc reads replies of one line under 256 bytes")
        assert self.process.stdin is not None
        wait = self._last_send + self.SEND_SPACING - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self.process.stdin.write(data)
        self.process.stdin.flush()
        self._last_send = time.monotonic()

    def _read(self) -> None:
        """Records what the operator gets; when fakesmsc ends (it does when bearerbox goes), starts it again after
        a back-off, without the one reply it was started with."""
        backoff = Backoff()
        while True:
            started = time.monotonic()
            process = self.process
            assert process.stdout is not None
            for raw in process.stdout:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                match = _GOT.search(line)
                if match is None:
                    continue
                sender, receiver, kind, data = match.groups()
                message = OperatorMessage(sender, receiver, kind, _decode(kind, data), time.time())
                with self._lock:
                    self.received.append(message)
            process.wait()
            if not self._supervise or self._stopped.wait(backoff.next(ran_for=time.monotonic() - started)):
                return
            self.process = self._spawn([])
            self.restarts += 1

    def messages(self) -> list[OperatorMessage]:
        with self._lock:
            return list(self.received)

    def texts(self) -> list[str]:
        """Whole messages: concatenated parts (UDH) joined in order."""
        return join_parts(self.messages())

    def wait_for(self, predicate: Callable[[list[OperatorMessage]], bool], *, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.messages()):
                return True
            time.sleep(0.05)
        return predicate(self.messages())

    def stop(self) -> None:
        self._stopped.set()
        _stop(self.process, sig=signal.SIGINT, timeout=5)
        self._reader.join(timeout=15)
        _stop(self.process, sig=signal.SIGINT, timeout=5)  # one the reader may have started meanwhile


def _decode(kind: str, data: str) -> str:
    if kind == "text":
        return data
    if kind in ("ucs-2", "ucs2"):
        return urllib.parse.unquote_to_bytes(data.replace("+", "%20")).decode("utf-16-be", "replace")
    return data  # "data" and "udh": url-encoded, joined by join_parts


def join_parts(messages: list[OperatorMessage]) -> list[str]:
    """Texts of whole messages; parts with a concatenation header (UDH 00 03 ref total seq) are joined, as a phone
    does, before they are decoded (a UCS-2 text may be cut inside a surrogate pair)."""
    whole: list[str] = []
    parts: dict[tuple[str, int], dict[int, bytes]] = {}
    totals: dict[tuple[str, int], int] = {}
    for message in messages:
        if message.kind not in ("udh", "udh-data"):
            whole.append(message.text)
            continue
        # "UDH data PAYLOAD", both url-encoded; a UCS-2 part's payload is UTF-16BE
        udh_encoded, _, rest = message.text.partition(" ")
        payload = rest.partition(" ")[2] if rest.startswith("data ") else rest
        udh = urllib.parse.unquote_to_bytes(udh_encoded.replace("+", "%20"))
        body = urllib.parse.unquote_to_bytes(payload.replace("+", "%20"))
        if len(udh) >= 6 and udh[1] == 0x00:
            ref, total, seq = udh[3], udh[4], udh[5]
            key = (message.receiver, ref)
            parts.setdefault(key, {})[seq] = body
            totals[key] = total
            if len(parts[key]) == total:
                whole.append(_part_text(b"".join(parts[key][i] for i in sorted(parts[key]))))
                del parts[key]
        else:
            whole.append(body.decode("utf-8", "replace"))
    return whole


def _part_text(body: bytes) -> str:
    """A concatenated message's payload: UTF-8 text, or UTF-16BE when it was sent as UCS-2."""
    if len(body) % 2 == 0 and b"\x00" in body:
        return body.decode("utf-16-be", "replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("utf-16-be", "replace")

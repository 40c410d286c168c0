from __future__ import annotations

import socket
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

EXAMPLE_EXTRACT = Path(__file__).parent / "people" / "fixtures" / "example-extract"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every database test may use the audit trail's database too (asti.audit.router keeps it apart from
    the business data), unless a test names its databases itself."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        uses_db = {"db", "transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
        if marker is None and not uses_db:
            continue
        kwargs = dict(marker.kwargs) if marker else {}
        if "databases" in kwargs:
            continue
        kwargs["databases"] = ["default", "audit"]
        item.add_marker(pytest.mark.django_db(*(marker.args if marker else ()), **kwargs), append=False)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests talk to this machine only (databases, local test servers), never to the outside."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("/"):
            raise RuntimeError(f"network access to {host!r} blocked in tests")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)
    yield


@pytest.fixture
def example_extract() -> Path:
    return EXAMPLE_EXTRACT


def db_snapshot(*, leave_out: tuple[str, ...] = ()) -> str:
    """Everything in the database that a user could see, as Django serialises it."""
    out = StringIO()
    exclude = ["contenttypes", "auth.permission", "sessions", *leave_out]
    call_command("dumpdata", exclude=exclude, stdout=out, format="json", indent=0)
    return out.getvalue()

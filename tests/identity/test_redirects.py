from __future__ import annotations

import pytest

from asti.identity.redirects import safe_next


@pytest.mark.parametrize("value", ["/", "/offers/12/", "/offers/12/?lang=sv&x=1", "/admin/people/guardian/"])
def test_local_paths_are_kept(value: str) -> None:
    assert safe_next(value, default="/home/") == value


@pytest.mark.parametrize(
    "value",
    [
        None, "", "https://evil.example/", "http://localhost/", "//evil.example/", "///evil.example/",
        "/\\evil.example", "\\\\evil.example", "javascript:alert(1)", "offers/12/", " /offers/", "/\x00x",
        "/\nLocation: https://evil.example", "/" + "a" * 2001,
    ],
)  # fmt: skip
def test_anything_else_gives_the_default(value: str | None) -> None:
    assert safe_next(value, default="/home/") == "/home/"

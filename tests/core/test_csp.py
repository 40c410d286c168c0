from __future__ import annotations

from typing import Any

from django.test import Client

from asti.core.csp import policy


def test_strict_policy_on_every_page(settings: Any) -> None:
    settings.ASTI_OIDC_GUARDIAN_ISSUER = "https://id.city.example/realms/asti"
    settings.ASTI_OIDC_STAFF_ISSUER = ""
    header = Client().get("/accessibility/")["Content-Security-Policy"]
    assert header == policy()
    assert "default-src 'self'" in header and "script-src 'self';" in header and "style-src 'self';" in header
    assert "frame-ancestors 'none'" in header and "unsafe" not in header
    assert header.endswith("form-action 'self' https://id.city.example")


def test_the_admin_may_use_inline_styles_but_never_inline_scripts() -> None:
    header = Client().get("/admin/login/")["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in header and "script-src 'self';" in header

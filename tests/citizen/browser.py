"""Playwright (sync API) with Debian's Chromium, and axe-core from node_modules (tests/axe.py), for the browser
tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.axe import AXE, assert_accessible, axe_violations

__all__ = ["assert_accessible", "axe_violations", "chromium"]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (browser tests must run in CI)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright Python package is missing: pip install -r requirements/dev.txt")
    if not CHROMIUM.exists():
        _missing("Debian chromium is missing: run scripts/install-system-packages")
    if not AXE.exists():
        _missing("node_modules/axe-core is missing: run scripts/install-node-packages")
    # Playwright's sync API runs an event loop in this thread; the live server's database work is in its own.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()

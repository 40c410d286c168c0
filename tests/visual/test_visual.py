"""Visual regression: every key page (tests/key_pages.py) in Finnish, Swedish and English at a phone's (390 px)
and a desktop's (1440 px) width, the whole page, compared with the screenshot committed in baselines/. A page
that changed on purpose gets a new baseline from `tools/update-screenshots`; on a mismatch the actual page and
a picture of what changed are in var/visual-diff/.

The pages are drawn the same on every run: fixed data, the clock frozen, no animations, transitions or text
caret, and the pages' font pinned to DejaVu Sans (Debian's fonts-dejavu-core, from
scripts/install-system-packages: the Helsinki Grotesk of the design system is not bundled, and which font
stands in for Arial depends on the machine)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from asti.core import clock
from tests.citizen import browser
from tests.key_pages import LANGUAGES, NAMES, NOW, tour
from tests.visual.compare import SHARE_TOLERANCE, compare, diff_image, load, save_png

chromium = browser.chromium  # Debian's Chromium; in CI a missing browser fails the test

pytestmark = [pytest.mark.django_db(transaction=True, reset_sequences=True), pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
BASELINES = Path(__file__).parent / "baselines"
DIFFS = ROOT / "var" / "visual-diff"
WIDTHS = (390, 1440)
UPDATE = os.environ.get("ASTI_UPDATE_SCREENSHOTS") == "1"  # tools/update-screenshots
STEADY = """
*, *::before, *::after { animation: none !important; transition: none !important; caret-color: transparent !important;
                         scroll-behavior: auto !important; }
:root { --font-default: "DejaVu Sans", sans-serif !important; }
"""


def baseline_path(name: str, language: str, width: int) -> Path:
    return BASELINES / f"{name}-{language}-{width}.png"


def screenshot(page: Any) -> bytes:
    page.add_style_tag(content=STEADY)
    page.evaluate("async () => { await document.fonts.ready; }")
    return bytes(page.screenshot(full_page=True, animations="disabled", caret="hide", scale="css"))


def check(name: str, language: str, width: int, png: bytes) -> str:
    """'' when the page looks like its baseline (or the baseline was written), else what differs."""
    path = baseline_path(name, language, width)
    actual = load(png)
    if not path.exists():
        if UPDATE:
            save_png(actual, path)
            return ""
        save_png(actual, DIFFS / f"{path.stem}-actual.png")
        return f"{name} {language} {width} px: no baseline {path.relative_to(ROOT)} (run tools/update-screenshots)"
    baseline = load(path)
    difference = compare(actual, baseline)
    if difference.matches:
        return ""
    if UPDATE:
        save_png(actual, path)
        return ""
    save_png(actual, DIFFS / f"{path.stem}-actual.png")
    save_png(diff_image(actual, baseline), DIFFS / f"{path.stem}-diff.png")
    (w, h), (was_w, was_h) = difference.size, difference.baseline_size
    size = "" if (w, h) == (was_w, was_h) else f", {w}×{h} px, was {was_w}×{was_h}"
    return f"{name} {language} {width} px: {difference.share:.2%} of the pixels changed{size}"


@pytest.mark.parametrize("width", WIDTHS)
def test_key_pages_look_as_in_their_baselines(chromium: Any, live_server: Any, width: int) -> None:
    problems, seen = [], set()
    with clock.frozen_at(NOW):
        for page, key_page, language, _width in tour(chromium, live_server.url, LANGUAGES, (width,)):
            seen.add((key_page.name, language))
            if problem := check(key_page.name, language, width, screenshot(page)):
                problems.append(problem)
    assert seen == {(name, language) for name in NAMES for language in LANGUAGES}
    assert not problems, (
        f"{len(problems)} of {len(seen)} screenshots differ from their baselines by more than {SHARE_TOLERANCE:.1%} "
        f"(actual and diff images in {DIFFS.relative_to(ROOT)}/; if the change is meant: tools/update-screenshots):\n"
        + "\n".join(problems)
    )


@pytest.mark.django_db(databases=[])
def test_every_baseline_is_of_a_key_page() -> None:
    """No baseline is left of a page no longer in the list (tools/update-screenshots removes them)."""
    expected = {baseline_path(n, lang, w).name for n in NAMES for lang in LANGUAGES for w in WIDTHS}
    left = {p.name for p in BASELINES.glob("*.png")} - expected
    if UPDATE:
        for name in left:
            (BASELINES / name).unlink()
    else:
        assert not left, f"baselines of no key page: {sorted(left)}"

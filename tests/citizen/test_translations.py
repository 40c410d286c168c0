"""Every message of the guardian pages has a Finnish and a Swedish translation, and the catalogs are compiled."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ["citizen", "applications", "core"]


def _entries(po: Path) -> dict[str, str]:
    text = po.read_text(encoding="utf-8")
    entries: dict[str, str] = {}
    for block in text.split("\n\n")[1:]:
        if "#, fuzzy" in block:
            entries[_join(block, "msgid")] = ""
            continue
        entries[_join(block, "msgid")] = _join(block, "msgstr")
    return entries


def _join(block: str, key: str) -> str:
    match = re.search(rf'^{key} ((?:"(?:[^"\\]|\\.)*"\s*)+)', block, re.M)
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1))) if match else ""


@pytest.mark.parametrize("app", APPS)
def test_every_message_in_the_code_has_fi_and_sv_translations(app: str, tmp_path: Path) -> None:
    if shutil.which("xgettext") is None:
        pytest.skip("gettext is missing: run scripts/install-system-packages")
    source = ROOT / "asti" / app
    copy = tmp_path / app
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("locale", "__pycache__", "migrations", "static"))
    (copy / "locale").mkdir()
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "makemessages", "-l", "fi", "--no-location"],
        cwd=copy, check=True, capture_output=True,
    )  # fmt: skip
    wanted = set(_entries(copy / "locale" / "fi" / "LC_MESSAGES" / "django.po"))
    assert wanted, "no messages found"
    for language in ("fi", "sv"):
        po = source / "locale" / language / "LC_MESSAGES" / "django.po"
        have = _entries(po)
        missing = sorted(m for m in wanted if not have.get(m))
        assert missing == [], f"{po}: untranslated {missing}"
        mo = po.with_suffix(".mo")
        assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime - 1, f"run compilemessages for {po}"

"""Every message of the guardian and staff pages (and the status labels both show) has a Finnish and a Swedish
translation, and the catalogs are compiled."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "citizen",
    "applications",
    "core",
    "identity",
    "staff",
    "offers",
    "messaging",
    "units",
    "decisions",
    "conversations",
]


def _entries(po: Path) -> dict[str, str]:
    text = po.read_text(encoding="utf-8")
    entries: dict[str, str] = {}
    for block in text.split("\n\n")[1:]:
        context = _join(block, "msgctxt")
        key = f"{context}\x04{_join(block, 'msgid')}" if context else _join(block, "msgid")
        if "#, fuzzy" in block:
            entries[key] = ""
        elif "msgid_plural" in block:  # every plural form translated, or none counts
            forms = [_join(block, rf"msgstr\[{i}\]") for i in range(2)]
            entries[key] = forms[0] if all(forms) else ""
        else:
            entries[key] = _join(block, "msgstr")
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


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_a_message_shared_by_two_apps_is_translated_the_same_in_both(language: str) -> None:
    """Django merges the apps' catalogs and the first app wins: two translations of one message would make a
    page's wording depend on the order of INSTALLED_APPS."""
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for app in APPS:
        for msgid, msgstr in _entries(ROOT / "asti" / app / "locale" / language / "LC_MESSAGES" / "django.po").items():
            if not msgid or not msgstr:
                continue
            if msgid in seen and seen[msgid][1] != msgstr:
                clashes.append(f"{msgid!r}: {seen[msgid][0]} {seen[msgid][1]!r} / {app} {msgstr!r}")
            seen.setdefault(msgid, (app, msgstr))
    assert clashes == []


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_projects_translations_win_over_djangos_own(language: str) -> None:
    """Django's catalogs (the admin's "Save" is "Tallenna ja poistu" in Finnish) must not replace a word of the
    project's: the project's apps come first in INSTALLED_APPS, and the first app's catalog wins."""
    from django.utils import translation

    lost = []
    with translation.override(language):
        for app in APPS:
            po = ROOT / "asti" / app / "locale" / language / "LC_MESSAGES" / "django.po"
            for key, msgstr in _entries(po).items():
                if not key or not msgstr or "msgid_plural" in key:
                    continue
                context, _sep, msgid = key.rpartition("\x04")
                msgid = msgid.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
                want = msgstr.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
                got = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
                if got != want:
                    lost.append(f"{app}: {msgid!r} -> {got!r}, not {want!r}")
    assert not lost, "\n".join(lost)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_language_switch_names_each_language_in_itself(client: Any, language: str) -> None:
    client.cookies["django_language"] = language
    page = client.get("/accessibility/").content.decode()
    buttons = re.findall(r'<button type="submit" name="language" value="(\w+)" lang="\w+"[^>]*>([^<]*)</button>', page)
    assert buttons == [("fi", "suomi"), ("sv", "svenska"), ("en", "English")]

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.checks import run_checks

from asti.messaging import templates
from asti.messaging.templates import TemplateError, render_template, template_problems


@pytest.fixture
def extra_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An app of our own with a message_templates folder, added to the installed apps for a test."""
    directory = tmp_path / "message_templates"
    directory.mkdir()
    real = templates.template_dirs()
    monkeypatch.setattr(templates, "template_dirs", lambda: [*real, ("extra", directory)])
    templates.reset_template_cache()
    yield directory
    monkeypatch.undo()
    templates.reset_template_cache()


def test_renders_subject_body_and_version_per_language() -> None:
    fi = render_template("messaging.test", "fi", {"text": "Hei Anna!"})
    sv = render_template("messaging.test", "sv", {"text": "Hej Anna!"})
    assert (fi.subject, fi.body) == ("Helsingin kaupunki – testiviesti", "Hei Anna!")
    assert sv.subject == "Helsingfors stad – testmeddelande"
    assert len(fi.version) == 16 and fi.version != sv.version
    _subject, _body, version = render_template("messaging.test", "en", {"text": "x"})
    assert version == render_template("messaging.test", "en", {"text": "y"}).version


def test_a_missing_variable_is_an_error_not_an_empty_string() -> None:
    with pytest.raises(TemplateError, match="lacks text"):
        render_template("messaging.test", "fi", {})


def test_unknown_key_or_language_is_an_error() -> None:
    with pytest.raises(TemplateError):
        render_template("messaging.nope", "fi", {})
    with pytest.raises(TemplateError):
        render_template("messaging.test", "de", {"text": "x"})


def test_installed_templates_are_complete() -> None:
    assert template_problems() == []


def test_another_app_ships_its_own_templates_and_text_is_not_escaped(extra_app: Path) -> None:
    for lang in ("fi", "sv", "en"):
        (extra_app / f"extra.offer.{lang}.txt").write_text(
            "{% if child %}Lapsi: {{ child }}{% endif %}\n\n\n\n   Alkaa {{ start|date:'j.n.Y' }} <b>&\n"
        )
    rendered = render_template("extra.offer", "fi", {"child": "Ella & Eino", "start": dt.date(2026, 8, 12)})
    assert rendered.body == "Lapsi: Ella & Eino\n\n   Alkaa 12.8.2026 <b>&"
    assert rendered.subject == ""


def test_a_missing_language_fails_the_system_check(extra_app: Path, settings: Any) -> None:
    (extra_app / "extra.reminder.fi.txt").write_text("Muistutus")
    (extra_app / "extra.reminder.sv.txt").write_text("Påminnelse {% if %}")
    problems = template_problems()
    assert any("'extra.reminder' has no 'en' version" in p for p in problems)
    assert any("extra.reminder.sv.txt" in p for p in problems)
    errors = [m for m in run_checks() if m.id == "messaging.E001"]
    assert len(errors) == 2

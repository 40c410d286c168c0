"""Message templates: plain-text files in git, one per key and language, found in every installed app.

An app ships `message_templates/<key>.<lang>.txt` (e.g. asti/offers/message_templates/offers.offer.fi.txt). A file
may start with a `Subject: ...` line and a blank line (used by email); the rest is the body. Templates use the
Django template language without autoescaping; a variable missing from the context is an error, not an empty
string. Every template has `city`, the city profile in the message's language (asti.core.city):
`{{ city.organisation }}` names the sender. The version of a rendered message is a hash of its file, so every
message can be traced to its text (and the city profile in git to the city's words).

A city may word a template its own way from the staff pages (asti.messaging.models.MessageText, checked by
asti.messaging.texts). Whoever sends messages loads the texts in use once (`city_texts()`) and renders with them;
the version of such a message is then the hash of the city's text, kept on its MessageText row.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from django.apps import apps
from django.conf import settings
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.utils import translation

from asti.core import city

TEMPLATE_DIR = "message_templates"
_MISSING = "\x00missing:%s\x00"
_MISSING_RE = re.compile("\x00missing:(.*?)\x00")
_BLANK_LINES = re.compile(r"\n{3,}")


class TemplateError(Exception):
    """A template that is missing, does not compile or lacks a variable."""


class CityText(NamedTuple):
    """The city's own wording of a (key, language) in use: its sources and their version hash."""

    subject_source: str
    body_source: str
    version: str


CityTexts = Mapping[tuple[str, str], CityText]


class RenderedTemplate(NamedTuple):
    subject: str
    body: str
    version: str


@dataclass(frozen=True)
class TemplateFile:
    key: str
    language: str
    path: Path
    app_label: str
    version: str
    subject_source: str
    body_source: str


@cache
def _engine() -> Engine:
    return Engine(autoescape=False, string_if_invalid=_MISSING, libraries={})


def template_dirs() -> list[tuple[str, Path]]:
    """(app label, folder) of every installed app's message_templates, in INSTALLED_APPS order."""
    return [(app.label, Path(app.path) / TEMPLATE_DIR) for app in apps.get_app_configs()]


@cache
def template_index() -> dict[tuple[str, str], TemplateFile]:
    """Every (key, language) found in the installed apps; the first app in INSTALLED_APPS wins."""
    index: dict[tuple[str, str], TemplateFile] = {}
    for app_label, directory in template_dirs():
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.txt")):
            parsed = _parse_name(path.name)
            if parsed is None or parsed in index:
                continue
            raw = path.read_bytes()
            subject, body = _split_subject(raw.decode("utf-8"))
            index[parsed] = TemplateFile(
                key=parsed[0],
                language=parsed[1],
                path=path,
                app_label=app_label,
                version=hashlib.sha256(raw).hexdigest()[:16],
                subject_source=subject,
                body_source=body,
            )
    return index


def _parse_name(name: str) -> tuple[str, str] | None:
    stem = name.removesuffix(".txt")
    key, _, language = stem.rpartition(".")
    if not key or len(language) != 2 or not language.isalpha():
        return None
    return key, language


def _split_subject(source: str) -> tuple[str, str]:
    if source.startswith("Subject:"):
        first, _, rest = source.partition("\n")
        return first.removeprefix("Subject:").strip(), rest.lstrip("\n")
    return "", source


@cache
def _compiled(key: str, language: str) -> tuple[TemplateFile, Template, Template]:
    found = template_index().get((key, language))
    if found is None:
        raise TemplateError(f"no message template {key!r} in language {language!r}")
    try:
        return found, Template(found.subject_source, engine=_engine()), Template(found.body_source, engine=_engine())
    except TemplateSyntaxError as exc:
        raise TemplateError(f"{found.path}: {exc}") from exc


def text_version(subject: str, body: str) -> str:
    """The version hash of a city's text: the hash of the file it would be (a Subject line, a blank line, the body)."""
    raw = (f"Subject: {subject}\n\n{body}" if subject else body).encode("utf-8")
    return hashlib.sha256(raw).hexdigest()[:16]


def compile_sources(subject: str, body: str) -> tuple[Template, Template]:
    """A subject and a body compiled as message templates are; TemplateError when either does not compile."""
    try:
        return Template(subject, engine=_engine()), Template(body, engine=_engine())
    except TemplateSyntaxError as exc:
        raise TemplateError(str(exc)) from exc


@lru_cache(maxsize=256)
def _compiled_city_text(text: CityText) -> tuple[Template, Template]:
    return compile_sources(text.subject_source, text.body_source)


def city_texts() -> dict[tuple[str, str], CityText]:
    """The city's own texts in use, by (key, language): the newest MessageText of each, unless that one returns to
    the default. One query; call it once per batch of messages."""
    from asti.messaging.models import MessageText

    rows = MessageText.objects.newest().filter(is_default=False)
    return {(r.key, r.language): CityText(r.subject, r.body, r.version) for r in rows}


def render_template(
    key: str, language: str, context: Mapping[str, Any], *, texts: CityTexts | None = None
) -> RenderedTemplate:
    """(subject, body, version) of a template in a language; raises TemplateError when it cannot.

    With `texts` (from city_texts()), the city's own wording of the key is used where there is one."""
    found, subject_template, body_template = _compiled(key, language)
    version = found.version
    own = (texts or {}).get((key, language))
    if own is not None:
        subject_template, body_template = _compiled_city_text(own)
        version = own.version
    name = f"{key}.{language}"
    return render_compiled(subject_template, body_template, language, context, version=version, name=name)


def render_compiled(
    subject_template: Template,
    body_template: Template,
    language: str,
    context: Mapping[str, Any],
    *,
    version: str,
    name: str,
) -> RenderedTemplate:
    """Renders compiled sources as every message is rendered (the city profile in `city`, no autoescaping, a
    missing variable an error, blank lines tidied)."""
    values = {"city": city.texts(language), **context}
    with translation.override(language):
        subject = subject_template.render(Context(values, autoescape=False)).strip()
        body = body_template.render(Context(values, autoescape=False))
    missing = sorted(set(_MISSING_RE.findall(subject + body)))
    if missing:
        raise TemplateError(f"{name}: the context lacks {', '.join(missing)}")
    return RenderedTemplate(subject, _tidy(body), version)


def _tidy(body: str) -> str:
    lines = [line.rstrip() for line in body.replace("\r\n", "\n").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def template_keys() -> list[str]:
    return sorted({key for key, _ in template_index()})


def template_problems() -> list[str]:
    """What is wrong with the installed templates: a language missing, a syntax error. Empty when all is well."""
    languages = [code for code, _ in settings.LANGUAGES]
    problems: list[str] = []
    index = template_index()
    for key in template_keys():
        for language in languages:
            if (key, language) not in index:
                problems.append(f"message template {key!r} has no {language!r} version ({key}.{language}.txt)")
                continue
            try:
                _compiled(key, language)
            except TemplateError as exc:
                problems.append(str(exc))
    return problems


def reset_template_cache() -> None:
    """For tests that add template directories or change files."""
    template_index.cache_clear()
    _compiled.cache_clear()
    _compiled_city_text.cache_clear()

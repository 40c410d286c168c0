"""The city profile: what Asti says about the municipality it serves, in one file per city (docs/adr/0013).

A profile is `cities/<slug>/city.toml` (or any folder holding a `city.toml`), chosen by the ASTI_CITY setting.
Every text is a whole phrase in fi, sv and en, so that no text has to inflect a city's name: "Helsingin
kaupunki" is written out as the organisation, "maaliskuussa" as the month decisions come. Templates get the
profile in the page's language from `texts()` (the `city` context processor and the `city_texts` tag); message
texts get the same object as `city` in their context (asti.messaging.templates).

The module reads files only (no database, no Django settings at import), so settings can load a profile while
they are being read and a broken page can still name the city.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

CITIES_DIR = Path(__file__).resolve().parent.parent.parent / "cities"
PROFILE_FILE = "city.toml"
LANGUAGES = ("fi", "sv", "en")
_COLOUR = re.compile(r"^(#[0-9a-fA-F]{6}|[a-z][a-z0-9-]*)$")
_CODE = re.compile(r"^\d{3}$")
_SLUG = re.compile(r"^[a-z][a-z0-9-]*$")
COLOUR_ROLES = ("header", "header_text", "link", "accent")
PERIOD_KINDS = ("preschool", "first_grade", "afternoon")


class ProfileError(ValueError):
    """A city profile that is missing, incomplete or wrong; the message names the file and the field."""


@dataclass(frozen=True)
class LocalText:
    fi: str
    sv: str
    en: str

    def get(self, language: str) -> str:
        text: str = getattr(self, language[:2], "") or self.fi
        return text


@dataclass(frozen=True)
class Contact:
    name: LocalText  # who answers: "Palveluohjaus"
    phone: str  # the service desk's number as people dial it
    email: str
    hours: LocalText  # when the phone is answered, as a phrase: "ma–pe klo 9–12"
    privacy_email: str  # the data protection officer, named by the privacy notice


@dataclass(frozen=True)
class Decisions:
    """What every decision says about the city (the ASTI_DECISION_* settings default to these)."""

    authority: LocalText
    delegation: LocalText
    board: LocalText
    contact_name: str
    contact_phone: str
    contact_email: str
    registry_address: str
    registry_hours: str


@dataclass(frozen=True)
class CityProfile:
    slug: str
    directory: Path
    municipality_codes: tuple[str, ...]
    time_zone: str
    name: LocalText  # the place: Helsinki / Helsingfors / Helsinki
    organisation: LocalText  # the city as the one who writes: Helsingin kaupunki / Helsingfors stad / City of Helsinki
    sector: LocalText  # the division the service belongs to: Kasvatus ja koulutus
    contact: Contact
    colours: dict[str, str]  # role -> an HDS colour token name (hds-core's --color-<name>) or #rrggbb
    logo: str  # a file (SVG or PNG) in the profile's folder beside city.toml, or "": the name alone
    answer_days: int  # days guardians have to answer an offer
    reminder_days_before: int
    school_year_starts: tuple[int, int]  # (month, day); the first working day on or after it
    # the usual application periods per kind (preschool, first_grade, afternoon): ((month, day), (month, day)) for
    # the school year starting in August; a period opening in August or later opens the year before
    application_periods: dict[str, tuple[tuple[int, int], tuple[int, int]]]
    decisions_expected: LocalText  # when the decision on an accepted place comes, as a phrase: "maaliskuussa"
    reference: dict[str, float]  # the previous rounds' shares the dashboard compares with (0..1)
    decisions: Decisions

    def school_year_first_day(self, year: int) -> dt.date:
        return dt.date(year, *self.school_year_starts)

    @property
    def logo_path(self) -> Path | None:
        return self.directory / self.logo if self.logo else None

    def css_colours(self) -> dict[str, str]:
        """Role -> a CSS value: var(--color-<token>) for an HDS token, else the hex value."""
        return {role: v if v.startswith("#") else f"var(--color-{v})" for role, v in self.colours.items()}

    def stylesheet(self) -> str:
        """/city.css: the roles as --asti-* custom properties, and HDS's own brand tokens re-pointed where the city's
        colour differs (HDS buttons and links use --color-bus, its focus rings --color-coat-of-arms)."""
        colours = self.css_colours()
        lines = [f"--asti-{role.replace('_', '-')}: {value};" for role, value in colours.items()]
        if not self.colours["link"].startswith("bus"):  # HDS's bus tokens themselves: nothing to re-point
            link = colours["link"]
            lines += [
                f"--color-bus: {link};",
                f"--color-bus-dark: color-mix(in srgb, {link} 80%, black);",
                f"--color-bus-light: color-mix(in srgb, {link} 12%, white);",
            ]
        if self.colours["accent"] != "coat-of-arms":
            lines.append(f"--color-coat-of-arms: {colours['accent']};")
        return ":root {\n" + "".join(f"  {line}\n" for line in lines) + "}\n"


@dataclass(frozen=True)
class CityTexts:
    """The profile in one language: what templates and message texts use as `city`."""

    profile: CityProfile
    language: str

    def __getattr__(self, field: str) -> Any:
        if field.startswith("_") or field in ("profile", "language"):  # not set yet (copy, pickle): no recursion
            raise AttributeError(field)
        value = getattr(self.profile, field)
        return value.get(self.language) if isinstance(value, LocalText) else value

    @property
    def contact_name(self) -> str:
        return self.profile.contact.name.get(self.language)

    @property
    def phone(self) -> str:
        """The service desk's number as the city writes it ("09 310 80488"): the same in messages and on pages."""
        return self.profile.contact.phone

    @property
    def phone_href(self) -> str:
        """The same number for a tel: link, in the international form."""
        return dial_form(self.profile.contact.phone)

    @property
    def email(self) -> str:
        return self.profile.contact.email

    @property
    def hours(self) -> str:
        return self.profile.contact.hours.get(self.language)


def dial_form(number: str) -> str:
    """A phone number as a tel: link dials it ("+358931080488"); the profile's own form is for reading."""
    parsed = phonenumbers.parse(number, "FI")
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def _phone(data: dict[str, Any], key: str, where: str) -> str:
    number = _text(data, key, where)
    try:
        valid = phonenumbers.is_valid_number(phonenumbers.parse(number, "FI"))
    except phonenumbers.NumberParseException:
        valid = False
    if not valid:
        raise ProfileError(f"{where}: {key} {number!r} is not a phone number")
    return number


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise ProfileError(f"{where}: [{key}] is missing")
    return value


def _text(data: dict[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ProfileError(f"{where}: {key} must be a non-empty text")
    return value.strip()


def _local(data: dict[str, Any], key: str, where: str) -> LocalText:
    table = _table(data, key, where)
    return LocalText(*(_text(table, language, f"{where} [{key}]") for language in LANGUAGES))


def _month_day(text: str) -> tuple[int, int]:
    """'08-01' -> (8, 1); ValueError when it is not a day of the year."""
    month, day = (int(part) for part in text.strip().split("-"))
    dt.date(2000, month, day)
    return month, day


def _parse(slug: str, directory: Path, data: dict[str, Any]) -> CityProfile:
    where = str(directory / PROFILE_FILE)
    codes = data.get("municipality_codes")
    if not isinstance(codes, list) or not codes or not all(isinstance(c, str) and _CODE.match(c) for c in codes):
        raise ProfileError(f'{where}: municipality_codes must list 3-digit codes, e.g. ["091"]')
    time_zone = _text(data, "time_zone", where)
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ProfileError(f"{where}: unknown time_zone {time_zone!r}") from None
    contact = _table(data, "contact", where)
    colours = _table(data, "colours", where)
    for role in COLOUR_ROLES:
        if not _COLOUR.match(str(colours.get(role, ""))):
            raise ProfileError(f"{where}: [colours] {role} must be an HDS colour token (e.g. engel) or #rrggbb")
    logo = str(data.get("logo", ""))
    plain_file = Path(logo).name == logo and Path(logo).suffix in (".svg", ".png")
    if logo and not (plain_file and (directory / logo).is_file()):
        raise ProfileError(f"{where}: logo must name an .svg or .png file beside city.toml, not {logo!r}")
    calendar = _table(data, "calendar", where)
    try:
        month, day = _month_day(_text(calendar, "school_year_starts", where))
    except ValueError:
        raise ProfileError(f"{where}: [calendar] school_year_starts must be MM-DD, e.g. 08-01") from None
    periods_table = _table(calendar, "application_periods", where)
    periods = {}
    for kind in PERIOD_KINDS:
        try:
            opens, closes = (_month_day(part) for part in _text(periods_table, kind, where).split("/"))
        except ValueError:
            raise ProfileError(f"{where}: [calendar.application_periods] {kind} must be MM-DD/MM-DD") from None
        periods[kind] = (opens, closes)
    answer_days, reminder = calendar.get("answer_days"), calendar.get("reminder_days_before")
    if not (isinstance(answer_days, int) and isinstance(reminder, int) and 0 <= reminder < answer_days <= 60):
        raise ProfileError(f"{where}: [calendar] needs answer_days (1..60) and a smaller reminder_days_before")
    reference = _table(data, "reference", where)
    shares = {}
    for key in ("response_rate", "acceptance_rate", "satisfaction_rate"):
        value = reference.get(key)
        if not isinstance(value, int | float) or not 0 <= value <= 1:
            raise ProfileError(f"{where}: [reference] {key} must be a share between 0 and 1")
        shares[key] = float(value)
    decisions = _table(data, "decisions", where)
    return CityProfile(
        slug=slug,
        directory=directory,
        municipality_codes=tuple(codes),
        time_zone=time_zone,
        name=_local(data, "name", where),
        organisation=_local(data, "organisation", where),
        sector=_local(data, "sector", where),
        contact=Contact(
            name=_local(contact, "name", where),
            phone=_phone(contact, "phone", where),
            email=_text(contact, "email", where),
            hours=_local(contact, "hours", where),
            privacy_email=_text(contact, "privacy_email", where),
        ),
        colours={role: str(colours[role]) for role in COLOUR_ROLES},
        logo=logo,
        answer_days=answer_days,
        reminder_days_before=reminder,
        school_year_starts=(month, day),
        application_periods=periods,
        decisions_expected=_local(calendar, "decisions_expected", where),
        reference=shares,
        decisions=Decisions(
            authority=_local(decisions, "authority", where),
            delegation=_local(decisions, "delegation", where),
            board=_local(decisions, "board", where),
            contact_name=_text(decisions, "contact_name", where),
            contact_phone=_phone(decisions, "contact_phone", where),
            contact_email=_text(decisions, "contact_email", where),
            registry_address=_text(decisions, "registry_address", where),
            registry_hours=_text(decisions, "registry_hours", where),
        ),
    )


def profile_directory(city: str) -> Path:
    """A bundled city's folder by its slug (cities/<slug>), or a folder given as a path."""
    if _SLUG.match(city):
        return CITIES_DIR / city
    return Path(city).expanduser().resolve()


@cache
def load(city: str) -> CityProfile:
    """The profile of `city` (a slug under cities/ or a folder); ProfileError says what is wrong."""
    directory = profile_directory(city)
    path = directory / PROFILE_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        known = ", ".join(bundled())
        raise ProfileError(f"no city profile {path} (bundled: {known})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: {exc}") from None
    return _parse(directory.name, directory, data)


def bundled() -> list[str]:
    return sorted(p.parent.name for p in CITIES_DIR.glob(f"*/{PROFILE_FILE}"))


def active() -> CityProfile:
    """The profile the running site serves (the ASTI_CITY setting)."""
    from django.conf import settings

    profile: CityProfile = settings.ASTI_CITY_PROFILE
    return profile


def texts(language: str | None = None) -> CityTexts:
    """The active profile in `language` (default: the active language)."""
    if language is None:
        from django.utils.translation import get_language

        language = get_language() or "fi"
    return CityTexts(active(), language[:2])

"""Cell parsers. Each reads one column of one row and reports a problem instead of raising."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fi import hetu as stdnum_hetu

from asti.people.importer.problems import Problems

# Finland's extent in WGS84 (mainland, Åland and the outer islands), with a small margin.
FINLAND_LAT = (59.3, 70.2)
FINLAND_LON = (19.0, 31.7)

_CENTURY = {"+": 1800, "-": 1900, "Y": 1900, "X": 1900, "W": 1900, "V": 1900, "U": 1900}
_CENTURY.update(dict.fromkeys("ABCDEF", 2000))
_LANG_RE = re.compile(r"^[a-z]{2}$")
_POSTAL_RE = re.compile(r"^\d{5}$")
_MUNICIPALITY_RE = re.compile(r"^\d{3}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def hetu_birth_date(code: str) -> dt.date:
    """Birth date encoded in a valid identity code (century signs of the 2023 reform included)."""
    return dt.date(_CENTURY[code[6]] + int(code[4:6]), int(code[2:4]), int(code[0:2]))


@lru_cache(maxsize=65536)
def _phone_e164(raw: str) -> str | None:
    try:
        number = phonenumbers.parse(raw, "FI")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class RowParser:
    """Parses the cells of one row; every problem goes to `problems` with file, line and column."""

    def __init__(self, file: str, line: int, row: dict[str, str], problems: Problems) -> None:
        self.file = file
        self.line = line
        self.row = row
        self.problems = problems
        self.ok = True

    def error(self, column: str, message: str) -> None:
        self.ok = False
        self.problems.add(self.file, self.line, column, message)

    def text(self, column: str, *, required: bool = True, max_length: int = 200) -> str:
        value = self.row.get(column, "")
        if required and not value:
            self.error(column, "value is required")
        elif len(value) > max_length:
            self.error(column, f"longer than {max_length} characters")
        return value

    def identifier(self, column: str) -> str:
        return self.text(column, max_length=64)

    def boolean(self, column: str) -> bool:
        value = self.row.get(column, "")
        if value in ("true", "false"):
            return value == "true"
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
        self.error(column, f"expected true or false, got {value!r}")
        return False

    def choice(self, column: str, choices: tuple[str, ...], *, required: bool = True) -> str:
        value = self.row.get(column, "")
        if not value and not required:
            return ""
        if value not in choices:
            self.error(column, f"expected one of {', '.join(choices)}, got {value!r}")
        return value

    def language(self, column: str) -> str:
        value = self.row.get(column, "").lower()
        if not _LANG_RE.match(value):
            self.error(column, f"expected an ISO 639-1 language code such as fi, got {value!r}")
        return value

    def pattern(self, column: str, regex: re.Pattern[str], what: str, *, required: bool) -> str:
        value = self.row.get(column, "")
        if not value and not required:
            return ""
        if not regex.match(value):
            self.error(column, f"expected {what}, got {value!r}")
        return value

    def postal_code(self, column: str, *, required: bool = False) -> str:
        return self.pattern(column, _POSTAL_RE, "a five-digit postal code", required=required)

    def municipality_code(self, column: str) -> str:
        return self.pattern(column, _MUNICIPALITY_RE, "a three-digit municipality code", required=True)

    def capacity(self, column: str) -> int:
        value = self.row.get(column, "")
        if not value:
            return 0
        try:
            number = int(value)
        except ValueError:
            self.error(column, f"expected a whole number, got {value!r}")
            return 0
        if number < 0:
            self.error(column, f"capacity cannot be negative ({number})")
            return 0
        return number

    def coordinates(self, lat_column: str = "lat", lon_column: str = "lon") -> tuple[float, float]:
        lat = self._float(lat_column)
        lon = self._float(lon_column)
        if lat is None or lon is None:
            return 0.0, 0.0
        if not (FINLAND_LAT[0] <= lat <= FINLAND_LAT[1]):
            self.error(lat_column, f"latitude {lat} is outside Finland")
        if not (FINLAND_LON[0] <= lon <= FINLAND_LON[1]):
            self.error(lon_column, f"longitude {lon} is outside Finland")
        return lat, lon

    def _float(self, column: str) -> float | None:
        value = self.row.get(column, "")
        try:
            number = float(value)
        except ValueError:
            self.error(column, f"expected decimal degrees (WGS84), got {value!r}" if value else "value is required")
            return None
        if number != number or number in (float("inf"), float("-inf")):
            self.error(column, f"not a finite number: {value!r}")
            return None
        return number

    def date(self, column: str) -> dt.date | None:
        value = self.row.get(column, "")
        if _DATE_RE.match(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.error(column, f"expected a date YYYY-MM-DD, got {value!r}" if value else "value is required")
        return None

    def hetu(self, column: str, birth_date: dt.date | None = None) -> str:
        value = self.row.get(column, "").upper()
        try:
            code = stdnum_hetu.validate(value, allow_temporary=True)
        except StdnumError as exc:
            self.error(column, f"invalid personal identity code {value!r}: {exc}")
            return ""
        if birth_date is not None and hetu_birth_date(code) != birth_date:
            self.error(column, f"identity code gives birth date {hetu_birth_date(code)}, not {birth_date}")
        return code

    def phone(self, column: str) -> str:
        value = self.row.get(column, "")
        if not value:
            return ""
        e164 = _phone_e164(value)
        if e164 is None:
            self.error(column, f"not a valid phone number: {value!r}")
            return ""
        return e164

    def email(self, column: str) -> str:
        value = self.row.get(column, "")
        if not value:
            return ""
        try:
            validate_email(value)
        except ValidationError:
            self.error(column, f"not a valid email address: {value!r}")
            return ""
        return value

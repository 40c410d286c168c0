"""Reading the real public statistics the demo city is built on.

Source: Statistics Finland, Paavo – open data by postal code area, 2023 (Helsinki's postal areas) and
2020 (every postal area and municipality of Finland). Licence CC BY 4.0. See asti/demo/data/README.md.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

ATTRIBUTION = "Source: Statistics Finland, Paavo – open data by postal code area, 2023"
ATTRIBUTION_2020 = "Source: Statistics Finland, Paavo – open data by postal code area, 2020"
ATTRIBUTION_NATIONAL = "Source: Statistics Finland, Paavo – open data by postal code area, 2020 and 2023"

HELSINKI_FILE = "helsinki_postal_areas_children_paavo2023.csv"
POSTAL_FILE = "fi_postal_code_areas_paavo2020.csv"
MUNICIPALITY_FILE = "fi_municipalities_children_paavo2020.csv"
HELSINKI = "091"

# The municipality file names Swedish-majority municipalities in Swedish, the postal file in Finnish.
_MUNICIPALITY_ALIASES = {
    "Ingå": "Inkoo",
    "Kimitoön": "Kemiönsaari",
    "Pargas": "Parainen",
    "Kristinestad": "Kristiinankaupunki",
    "Kronoby": "Kruunupyy",
    "Larsmo": "Luoto",
    "Malax": "Maalahti",
    "Korsholm": "Mustasaari",
    "Närpes": "Närpiö",
    "Jakobstad": "Pietarsaari",
    "Pedersöre": "Pedersören kunta",
    "Nykarleby": "Uusikaarlepyy",
    "Mariehamn": "Maarianhamina - Mariehamn",
}

# Approximate share of Swedish-speaking children in bilingual municipalities (rounded public figures of
# the Swedish-speaking population; demo use only). Municipalities not listed have no Swedish service.
_ALAND = "035 043 060 062 065 076 170 295 318 417 438 478 736 766 771 941"
SWEDISH_SHARE: dict[str, float] = {
    HELSINKI: 0.06,
    "049": 0.07,
    "092": 0.025,
    "235": 0.33,
    "638": 0.29,
    "710": 0.64,
    "078": 0.42,
    "149": 0.54,
    "257": 0.16,
    "407": 0.33,
    "434": 0.42,
    "755": 0.28,
    "753": 0.33,
    "853": 0.05,
    "445": 0.54,
    "322": 0.69,
    "905": 0.23,
    "287": 0.55,
    "288": 0.72,
    "280": 0.97,
    "440": 0.93,
    "475": 0.87,
    "499": 0.68,
    "545": 0.92,
    "599": 0.88,
    "598": 0.54,
    "893": 0.86,
    "272": 0.13,
    "231": 0.28,
    "946": 0.80,
    **dict.fromkeys(_ALAND.split(), 0.90),
}
# Approximate share of children with a mother tongue other than Finnish or Swedish.
OTHER_LANGUAGE_SHARE: dict[str, float] = {
    HELSINKI: 0.15,
    "049": 0.18,
    "092": 0.22,
    "853": 0.12,
    "837": 0.08,
    "564": 0.05,
    "179": 0.05,
}
DEFAULT_OTHER_LANGUAGE_SHARE = 0.035
_CODE_RE = re.compile(r"^\d{3}$")


@dataclass(slots=True)
class PostalArea:
    code: str
    name_fi: str
    name_sv: str
    municipality_code: str
    lat: float
    lon: float
    weight: float  # relative number of six-year-olds living in the area
    area_m2: float | None = None  # land and water area, where known


@dataclass(slots=True)
class Municipality:
    code: str
    name: str
    est_age_6: int
    swedish_share: float
    other_share: float
    postal: list[int] = field(default_factory=list)  # indices into the postal area list


@dataclass(slots=True)
class Sources:
    postal_areas: list[PostalArea]
    municipalities: dict[str, Municipality]  # by code, in the order of first appearance
    attribution: str


def default_data_dir() -> Path:
    """The Paavo extracts shipped with the project (asti/demo/data)."""
    return Path(__file__).resolve().parent / "data"


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _short_name(name: str) -> str:
    """'Kaivopuisto - Ullanlinna' → 'Kaivopuisto'; 'Helsinki keskusta - Etu-Töölö' → 'Etu-Töölö'."""
    parts = [p.strip() for p in name.split(" - ") if p.strip()]
    if not parts:
        return name.strip()
    if len(parts) > 1 and parts[0].lower().endswith(("keskusta", "centrum")):
        return parts[1]
    return parts[0]


def _municipality(code: str, name: str, est_age_6: int) -> Municipality:
    return Municipality(
        code=code,
        name=name,
        est_age_6=est_age_6,
        swedish_share=SWEDISH_SHARE.get(code, 0.0),
        other_share=OTHER_LANGUAGE_SHARE.get(code, DEFAULT_OTHER_LANGUAGE_SHARE),
    )


def _national_rows(data_dir: Path) -> list[dict[str, str]]:
    """Postal areas of the 2020 file; the four rows whose unquoted commas broke their columns are left out."""
    return [r for r in _read(data_dir / POSTAL_FILE) if _CODE_RE.match(r.get("municipality_code") or "")]


def load_city(data_dir: Path, municipality: str) -> Sources:
    """One municipality (code or name). Helsinki comes from the 2023 file with children per postal area;
    others from the 2020 file, their children spread evenly over their postal areas."""
    rows = _national_rows(data_dir)
    wanted = municipality.strip()
    code = next(
        (r["municipality_code"] for r in rows if wanted in (r["municipality_code"], r["municipality_name"])),
        None,
    )
    if code is None:
        raise ValueError(f"unknown municipality {municipality!r}")
    if code == HELSINKI:
        return _load_helsinki(data_dir, rows)
    national = load_national(data_dir)
    keep = national.municipalities[code]
    areas = [national.postal_areas[i] for i in keep.postal]
    keep.postal = list(range(len(areas)))
    return Sources(areas, {code: keep}, ATTRIBUTION_2020)


def _load_helsinki(data_dir: Path, rows: list[dict[str, str]]) -> Sources:
    sv_names = {r["postal_code"]: r["name_sv"] for r in rows}
    areas: list[PostalArea] = []
    total = 0
    for r in _read(data_dir / HELSINKI_FILE):
        est = int(r["est_age_6"] or 0)
        total += est
        name_fi = _short_name(r["name_fi"])
        areas.append(
            PostalArea(
                code=r["postal_code"],
                name_fi=name_fi,
                name_sv=_short_name(sv_names.get(r["postal_code"], "")) or name_fi,
                municipality_code=HELSINKI,
                lat=float(r["lat"]),
                lon=float(r["lon"]),
                weight=float(est),
                area_m2=float(r["area_m2"]) if r["area_m2"] else None,
            )
        )
    city = _municipality(HELSINKI, "Helsinki", total)
    city.postal = list(range(len(areas)))
    return Sources(areas, {HELSINKI: city}, ATTRIBUTION)


def load_national(data_dir: Path) -> Sources:
    """Every municipality of Finland with its estimated six-year-olds (2018) placed at its postal areas.

    Helsinki's postal areas take their weights and sizes from the 2023 file."""
    helsinki = {a.code: a for a in _load_helsinki(data_dir, _national_rows(data_dir)).postal_areas}
    counts = {
        _MUNICIPALITY_ALIASES.get(r["municipality_name"], r["municipality_name"]): int(r["est_age_6"] or 0)
        for r in _read(data_dir / MUNICIPALITY_FILE)
    }
    areas: list[PostalArea] = []
    municipalities: dict[str, Municipality] = {}
    for r in _national_rows(data_dir):
        code = r["municipality_code"]
        if code not in municipalities:
            municipalities[code] = _municipality(code, r["municipality_name"], counts.get(r["municipality_name"], 0))
        known = helsinki.get(r["postal_code"])
        if known is not None and code == HELSINKI:
            area = known
        else:
            area = PostalArea(
                code=r["postal_code"],
                name_fi=_short_name(r["name_fi"]),
                name_sv=_short_name(r["name_sv"]) or _short_name(r["name_fi"]),
                municipality_code=code,
                lat=float(r["lat"]),
                lon=float(r["lon"]),
                weight=1.0,
            )
        municipalities[code].postal.append(len(areas))
        areas.append(area)
    return Sources(areas, municipalities, ATTRIBUTION_NATIONAL)

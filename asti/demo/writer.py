"""Writing the extract in the city data contract's form (section 1): UTF-8 CSV with a header row."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from asti.demo.areas import AreaLayer
from asti.demo.people import People
from asti.demo.sources import PostalArea
from asti.demo.units import Unit
from asti.people.importer.columns import CHILD_COLUMNS, GUARDIAN_COLUMNS, UNIT_COLUMNS
from asti.people.importer.columns import CUSTODY_COLUMNS as GUARDIANSHIP_COLUMNS


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _coord(value: float) -> str:
    return f"{value:.6f}"


def ids(prefix: str, count: int) -> list[str]:
    width = max(5, len(str(count)))
    return [f"{prefix}{i:0{width}d}" for i in range(1, count + 1)]


def _write(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def write_units(path: Path, units: Sequence[Unit]) -> None:
    _write(
        path,
        UNIT_COLUMNS,
        (
            (u.unit_id, u.name_fi, u.name_sv, u.street_address, u.postal_code, _coord(u.lat), _coord(u.lon),
             u.provider, u.language, _bool(u.pre_primary), u.capacity, u.area_id, u.email, u.phone)
            for u in units
        ),
    )  # fmt: skip


def write_people(
    outdir: Path, people: People, units: Sequence[Unit], areas: Sequence[PostalArea], layers: dict[str, AreaLayer]
) -> None:
    child_ids = ids("C", len(people.children))
    guardian_ids = ids("G", len(people.guardians))

    def child_rows() -> Iterable[Sequence[Any]]:
        for cid, c in zip(child_ids, people.children, strict=True):
            h = people.households[c.household]
            place = areas[h.postal]
            layer = layers.get(c.edu)
            area = layer.by_postal.get(h.postal) if layer and h.resident else None
            yield (
                cid, c.hetu, c.first_name, c.last_name, c.birth.isoformat(), c.language, c.education_language,
                h.address, place.code, place.municipality_code, _coord(h.lat), _coord(h.lon),
                layer.areas[area].area_id if layer and area is not None else "", _bool(h.non_disclosure),
                units[c.current_unit].unit_id if c.current_unit >= 0 else "", _bool(c.round_the_clock),
            )  # fmt: skip

    _write(outdir / "children.csv", CHILD_COLUMNS, child_rows())
    _write(
        outdir / "guardians.csv",
        GUARDIAN_COLUMNS,
        (
            (gid, g.hetu, g.first_name, g.last_name, g.phone, g.email, g.language, g.street_address,
             g.postal_code, _bool(g.non_disclosure))
            for gid, g in zip(guardian_ids, people.guardians, strict=True)
        ),
    )  # fmt: skip
    _write(
        outdir / "guardianships.csv",
        GUARDIANSHIP_COLUMNS,
        (
            (cid, guardian_ids[g])
            for cid, c in zip(child_ids, people.children, strict=True)
            for g in people.households[c.household].guardians
        ),
    )


def _coords(geom: BaseGeometry) -> Any:
    def ring(r: Any) -> list[list[float]]:
        return [[round(x, 6), round(y, 6)] for x, y in shapely.get_coordinates(r).tolist()]

    def polygon(p: Any) -> list[list[list[float]]]:
        return [ring(p.exterior), *(ring(i) for i in p.interiors)]

    if isinstance(geom, shapely.MultiPolygon):
        return [polygon(p) for p in geom.geoms]
    return polygon(geom)


def write_areas(path: Path, layers: Sequence[AreaLayer]) -> None:
    features = []
    for layer in layers:
        for a in layer.areas:
            assert a.geometry is not None
            kind = "MultiPolygon" if isinstance(a.geometry, shapely.MultiPolygon) else "Polygon"
            features.append(
                {
                    "type": "Feature",
                    "properties": {"area_id": a.area_id, "name_fi": a.name_fi, "name_sv": a.name_sv,
                                   "language": a.language},
                    "geometry": {"type": kind, "coordinates": _coords(a.geometry)},
                }
            )  # fmt: skip
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write('{"type": "FeatureCollection", "features": [\n')
        f.write(",\n".join(json.dumps(feat, ensure_ascii=False, separators=(",", ":")) for feat in features))
        f.write("\n]}\n")

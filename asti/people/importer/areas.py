"""Admission areas from admission_areas.geojson, and finding a home's area from its location."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape

from asti.people.importer.problems import Problems
from asti.people.importer.reader import decode_utf8

FILE = "admission_areas.geojson"


@dataclass(frozen=True, slots=True)
class AreaRecord:
    area_id: str
    name_fi: str
    name_sv: str
    language: str
    geometry: dict[str, Any] | None


def read_areas(path: Path, problems: Problems) -> list[AreaRecord] | None:
    """Areas of the optional GeoJSON file; problems are reported by feature number (1-based) as 'line'."""
    text = decode_utf8(path, problems)
    if text is None:
        return None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.add(FILE, exc.lineno, "-", f"not valid JSON: {exc.msg}")
        return None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        problems.add(FILE, 1, "type", "expected a GeoJSON FeatureCollection")
        return None
    records: list[AreaRecord] = []
    seen: set[str] = set()
    for number, feature in enumerate(doc.get("features") or [], start=1):
        record = _read_feature(number, feature, problems)
        if record is None:
            continue
        if record.area_id in seen:
            problems.add(FILE, number, "area_id", f"duplicate area_id {record.area_id!r}")
            continue
        seen.add(record.area_id)
        records.append(record)
    return records


def _read_feature(number: int, feature: Any, problems: Problems) -> AreaRecord | None:
    where = f"feature {number}"
    props = feature.get("properties") if isinstance(feature, dict) else None
    if not isinstance(props, dict):
        problems.add(FILE, number, "properties", f"{where} has no properties")
        return None
    area_id = str(props.get("area_id") or "").strip()
    language = str(props.get("language") or "").strip()
    ok = True
    if not area_id:
        problems.add(FILE, number, "area_id", f"{where}: value is required")
        ok = False
    if language not in ("fi", "sv"):
        problems.add(FILE, number, "language", f"{where}: expected fi or sv, got {language!r}")
        ok = False
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        problems.add(FILE, number, "geometry", f"{where}: expected a Polygon or MultiPolygon")
        return None
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        problems.add(FILE, number, "geometry", f"{where}: unreadable geometry ({exc})")
        return None
    if geom.is_empty or not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        problems.add(FILE, number, "geometry", f"{where}: invalid polygon ({reason})")
        return None
    minx, miny, maxx, maxy = geom.bounds
    if minx < 19.0 or maxx > 31.7 or miny < 59.3 or maxy > 70.2:
        problems.add(FILE, number, "geometry", f"{where}: polygon lies outside Finland")
        return None
    if not ok:
        return None
    return AreaRecord(
        area_id=area_id,
        name_fi=str(props.get("name_fi") or "").strip(),
        name_sv=str(props.get("name_sv") or "").strip(),
        language=language,
        geometry=geometry,
    )


class AreaLocator:
    """Finds the admission area (of a given language) that contains each point."""

    def __init__(self, areas: Sequence[AreaRecord]) -> None:
        self._by_language: dict[str, tuple[list[str], shapely.STRtree]] = {}
        for language in ("fi", "sv"):
            chosen = sorted((a for a in areas if a.language == language and a.geometry), key=lambda a: a.area_id)
            if chosen:
                geoms = [shape(a.geometry) for a in chosen]
                self._by_language[language] = ([a.area_id for a in chosen], shapely.STRtree(geoms))

    def locate(self, language: str, lats: Sequence[float], lons: Sequence[float]) -> list[str | None]:
        """The area id per point; where areas overlap, the smallest id; None outside every area."""
        result: list[str | None] = [None] * len(lats)
        entry = self._by_language.get(language)
        if entry is None or not lats:
            return result
        ids, tree = entry
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        point_idx, area_idx = tree.query(points, predicate="intersects")
        for p, a in sorted(zip(point_idx.tolist(), area_idx.tolist(), strict=True)):
            if result[p] is None or ids[a] < (result[p] or ""):
                result[p] = ids[a]
        return result

"""Writes a validated extract: creates new records, updates changed ones, marks missing ones inactive.

Runs inside the caller's transaction. Unchanged rows are not written at all, so a repeated import
changes nothing (not even `updated_at`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models

from asti.core import clock, crypto
from asti.core.bulk import insert_rows
from asti.people.importer.extract import Extract
from asti.people.models import Child, Custody, Guardian
from asti.units.models import AdmissionArea, Municipality, Unit

PK_CHUNK = 900  # below SQLite's bound-parameter limit for IN (...)


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "deactivated": self.deactivated,
            "unchanged": self.unchanged,
        }


def upsert(
    model: type[models.Model],
    key: str,
    rows: dict[str, dict[str, Any]],
    *,
    on_write: Callable[[str, dict[str, Any]], None] | None = None,
    write_only_fields: tuple[str, ...] = (),
    deactivate_missing: bool = True,
) -> Counts:
    """Makes the table's rows equal `rows` (key -> field values); returns what changed."""
    counts = Counts()
    if not rows and not deactivate_missing:
        return counts
    fields = list(next(iter(rows.values())).keys()) if rows else []
    has_active = any(f.name == "active" for f in model._meta.get_fields())
    compare = [*fields, "active"] if has_active else fields
    existing = {r[key]: r for r in model.objects.values("pk", key, *compare)}  # type: ignore[attr-defined]
    now = clock.now()
    to_create: list[list[Any]] = []
    create_columns = [key, *compare, *write_only_fields, "created_at", "updated_at"]
    to_update: list[models.Model] = []
    for k, values in rows.items():
        wanted = {**values, "active": True} if has_active else dict(values)
        old = existing.get(k)
        if old is None:
            if on_write:
                on_write(k, wanted)
            to_create.append([k, *(wanted[f] for f in compare), *(wanted[f] for f in write_only_fields), now, now])
        elif any(old[f] != wanted[f] for f in compare):
            if on_write:
                on_write(k, wanted)
            to_update.append(model(pk=old["pk"], **{key: k, **wanted, "updated_at": now}))
        else:
            counts.unchanged += 1
    insert_rows(model, create_columns, to_create)
    if to_update:
        update_fields = [*compare, *write_only_fields, "updated_at"]
        model.objects.bulk_update(to_update, update_fields, batch_size=500)  # type: ignore[attr-defined]
    counts.created, counts.updated = len(to_create), len(to_update)
    if deactivate_missing and has_active:
        gone = [r["pk"] for k, r in existing.items() if k not in rows and r["active"]]
        counts.deactivated = _deactivate(model, gone)
    return counts


def _deactivate(model: type[models.Model], pks: list[int]) -> int:
    now = clock.now()
    for i in range(0, len(pks), PK_CHUNK):
        model.objects.filter(pk__in=pks[i : i + PK_CHUNK]).update(active=False, updated_at=now)  # type: ignore[attr-defined]
    return len(pks)


def _pk_map(model: type[models.Model], key: str) -> dict[str, int]:
    return dict(model.objects.values_list(key, "pk"))  # type: ignore[attr-defined]


def _protect_hetu(hetus: dict[str, str]) -> Callable[[str, dict[str, Any]], None]:
    def on_write(key: str, values: dict[str, Any]) -> None:
        values["hetu_encrypted"] = crypto.hetu_encrypt(hetus[key])

    return on_write


def write_extract(extract: Extract) -> dict[str, dict[str, int]]:
    result: dict[str, dict[str, int]] = {}
    codes = sorted({c.municipality_code for c in extract.children})
    existing_codes = set(Municipality.objects.values_list("code", flat=True))
    Municipality.objects.bulk_create([Municipality(code=c) for c in codes if c not in existing_codes])

    if extract.areas is not None:
        area_rows = {
            a.area_id: {
                "name_fi": a.name_fi,
                "name_sv": a.name_sv,
                "language": a.language,
                "geometry": a.geometry,
            }
            for a in extract.areas
        }
        result["admission_areas"] = upsert(AdmissionArea, "area_id", area_rows).as_dict()
    else:
        known = set(AdmissionArea.objects.values_list("area_id", flat=True))
        new = {u.admission_area_id: u.language for u in extract.units if u.admission_area_id}.items()
        AdmissionArea.objects.bulk_create(
            [AdmissionArea(area_id=a, language=lang) for a, lang in sorted(new) if a not in known]
        )
    areas = _pk_map(AdmissionArea, "area_id")

    unit_rows = {
        u.unit_id: {
            "name_fi": u.name_fi, "name_sv": u.name_sv, "street_address": u.street_address,
            "postal_code": u.postal_code, "lat": u.lat, "lon": u.lon, "provider": u.provider,
            "language": u.language, "pre_primary": u.pre_primary, "pre_primary_capacity": u.pre_primary_capacity,
            "admission_area_id": areas.get(u.admission_area_id), "email": u.email, "phone": u.phone,
        }
        for u in extract.units
    }  # fmt: skip
    result["units"] = upsert(Unit, "unit_id", unit_rows).as_dict()
    units = _pk_map(Unit, "unit_id")

    digest = crypto.hetu_digest
    guardian_rows = {
        g.guardian_id: {
            "hetu_digest": digest(g.hetu), "first_name": g.first_name, "last_name": g.last_name,
            "phone": g.phone, "email": g.email, "language": g.language, "street_address": g.street_address,
            "postal_code": g.postal_code, "non_disclosure": g.non_disclosure,
        }
        for g in extract.guardians
    }  # fmt: skip
    result["guardians"] = upsert(
        Guardian, "guardian_id", guardian_rows,
        on_write=_protect_hetu({g.guardian_id: g.hetu for g in extract.guardians}),
        write_only_fields=("hetu_encrypted",),
    ).as_dict()  # fmt: skip

    child_rows = {
        c.child_id: {
            "hetu_digest": digest(c.hetu), "first_name": c.first_name, "last_name": c.last_name,
            "birth_date": c.birth_date, "language": c.language, "education_language": c.education_language,
            "street_address": c.street_address, "postal_code": c.postal_code,
            "municipality_code": c.municipality_code, "lat": c.lat, "lon": c.lon,
            "admission_area_id": areas.get(c.admission_area_id),
            "admission_area_computed": c.admission_area_computed, "non_disclosure": c.non_disclosure,
            "current_unit_id": units.get(c.current_unit_id), "round_the_clock": c.round_the_clock,
        }
        for c in extract.children
    }  # fmt: skip
    result["children"] = upsert(
        Child, "child_id", child_rows,
        on_write=_protect_hetu({c.child_id: c.hetu for c in extract.children}),
        write_only_fields=("hetu_encrypted",),
    ).as_dict()  # fmt: skip
    result["custodies"] = _write_custodies(extract.custodies).as_dict()
    return result


def _write_custodies(pairs: Iterable[tuple[str, str]]) -> Counts:
    children, guardians = _pk_map(Child, "child_id"), _pk_map(Guardian, "guardian_id")
    wanted = {(children[c], guardians[g]) for c, g in pairs}
    existing = {(c, g): (pk, active) for pk, c, g, active in Custody.objects.values_list(
        "pk", "child_id", "guardian_id", "active")}  # fmt: skip
    counts = Counts()
    now = clock.now()
    counts.created = insert_rows(
        Custody,
        ["child_id", "guardian_id", "active", "created_at", "updated_at"],
        ((c, g, True, now, now) for c, g in sorted(wanted - existing.keys())),
    )
    revive = [existing[p][0] for p in wanted & existing.keys() if not existing[p][1]]
    for i in range(0, len(revive), PK_CHUNK):
        Custody.objects.filter(pk__in=revive[i : i + PK_CHUNK]).update(active=True, updated_at=now)
    counts.updated = len(revive)
    counts.unchanged = len(wanted & existing.keys()) - len(revive)
    gone = [pk for p, (pk, active) in existing.items() if p not in wanted and active]
    counts.deactivated = _deactivate(Custody, gone)
    return counts

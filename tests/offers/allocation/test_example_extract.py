"""The contract's example extract (shared/spec/example-extract), as the adapter would hand it.

Offered children (contract 3.1, year 2027): C1-C6 and C9; C7 (no placement), C8 (private),
C10 (round-the-clock), C11 (other cohort) and C12 (Espoo) are not part of the round.
"""

from __future__ import annotations

import pytest

from asti.offers.allocation import AllocationResult, ChildIn, Reason, UnitIn, allocate

UNITS = [
    UnitIn("PK-KALLIO", "fi", 3, 60.1841, 24.9506, "FI-1", municipal=True, pre_primary=True),
    UnitIn("PK-SORNAINEN", "fi", 4, 60.1872, 24.9612, "FI-1", municipal=True, pre_primary=True),
    UnitIn("PK-PIKKU", "fi", 0, 60.1893, 24.9520, "FI-1", municipal=True, pre_primary=False),
    UnitIn("PK-TOOLO", "fi", 2, 60.1790, 24.9200, "FI-2", municipal=True, pre_primary=True),
    UnitIn("DH-TOLO", "sv", 2, 60.1820, 24.9230, "SV-1", municipal=True, pre_primary=True),
    UnitIn("PRIV-OMENA", "fi", 10, 60.1880, 24.9450, None, municipal=False, pre_primary=True),
]


def child(
    cid: str, lang: str, lat: float, lon: float, area: str, cur: str, guardians: tuple[str, ...], addr: str
) -> ChildIn:
    return ChildIn(cid, lang, lat, lon, area, cur, guardians, addr)


CHILDREN = [
    child("C1", "fi", 60.1845, 24.9530, "FI-1", "PK-KALLIO", ("G1", "G2"), "kolmas linja 20|00530"),
    child("C2", "fi", 60.1899, 24.9525, "FI-1", "PK-PIKKU", ("G3",), "porvoonkatu 3|00510"),
    child("C3", "fi", 60.1860, 24.9580, "FI-1", "PK-KALLIO", ("G4",), "hameentie 30|00530"),
    child("C4", "fi", 60.1860, 24.9580, "FI-1", "PK-KALLIO", ("G4",), "hameentie 30|00530"),
    # C5's registered language is Somali; education language resolved to fi (current unit)
    child("C5", "fi", 60.1920, 24.9470, "FI-1", "PK-SORNAINEN", ("G5",), "sturenkatu 10|00510"),
    child("C6", "sv", 60.1795, 24.9190, "SV-1", "DH-TOLO", ("G6",), "runebergsgatan 50|00260"),
    child("C9", "fi", 60.1830, 24.9210, "FI-2", "PK-TOOLO", ("G9",), "salvor 1|00250"),
]


@pytest.fixture(scope="module")
def result() -> AllocationResult:
    return allocate(UNITS, CHILDREN)


def test_expected_outcomes(result: AllocationResult) -> None:
    p = result.by_child()
    assert p["C1"].unit_id == "PK-KALLIO" and p["C1"].reason is Reason.CURRENT_UNIT
    assert p["C1"].detail == "current_unit_in_area"
    assert p["C3"].unit_id == p["C4"].unit_id is not None
    assert p["C3"].group_id == p["C4"].group_id == "C3"
    assert p["C2"].unit_id in {"PK-KALLIO", "PK-SORNAINEN"}  # a FI-1 unit with pre-primary
    assert p["C2"].reason is Reason.IN_AREA and p["C2"].in_area
    assert p["C6"].unit_id == "DH-TOLO"
    assert p["C9"].unit_id == "PK-TOOLO" and p["C9"].reason is Reason.CURRENT_UNIT
    assert p["C5"].unit_id == "PK-SORNAINEN"


def test_capacity_and_shape(result: AllocationResult) -> None:
    caps = {u.id: u.capacity for u in UNITS}
    load: dict[str, int] = {}
    for p in result.proposals:
        if p.unit_id:
            load[p.unit_id] = load.get(p.unit_id, 0) + 1
    assert all(load[u] <= caps[u] for u in load)
    assert [p.child_id for p in result.proposals] == sorted(c.id for c in CHILDREN)
    assert result.objective == (7, 6, 7, sum(p.distance_m for p in result.proposals))
    assert result.exact
    assert "PRIV-OMENA" not in load and "PK-PIKKU" not in load


def test_kallio_goes_to_current_children_first(result: AllocationResult) -> None:
    """Kallio's 3 places: C1, C3 and C4 keep it; C2 goes to Sörnäinen in the same area."""
    p = result.by_child()
    assert {c for c, x in p.items() if x.unit_id == "PK-KALLIO"} == {"C1", "C3", "C4"}
    assert p["C2"].unit_id == "PK-SORNAINEN"
    assert p["C2"].detail == "nearest_in_area_with_room"

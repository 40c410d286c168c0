"""Solver benchmark of the allocation engine on synthetic cities.

    python bench/bench_allocation.py                      # 5,600 and 50,000 children, a dense 50,000 city
    python bench/bench_allocation.py --sizes 5600,50000,500000 --dense 50000
    python bench/bench_allocation.py --sizes "" --dense 50000 --dense-places 0.9 --pricing 4

Two kinds of city, generated differently: `synthetic_city` (Helsinki's density, the city grows with
the child count, 1.3 % twins) and `dense_city` (one municipality scaled up: Helsinki's 84 postal
areas with their real shares of six-year-olds, made denser rather than larger, twins at the Finnish
multiple-birth rate, twins sometimes in different current units). Each case runs in a fresh
subprocess (clean peak memory). Printed per case: time split (candidate arcs, network build, bare
OR-Tools solve, group repair, whole call) and the whole/bare ratio; peak resident memory
(getrusage); what is proven; quality figures of the engine and, side by side, of a greedy "nearest
unit with room" baseline. `--proof-seconds` is the proof's time budget (as in `offer_round
allocate`), `--pricing` the pricing rounds (units beyond the candidates, see ADR 0002).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from asti.offers.allocation import ChildIn, UnitIn, allocate
from asti.offers.allocation.geo import haversine_m, unit_sphere_xyz

CHILDREN_PER_UNIT = 16
LAT0, LON0 = 60.17, 24.94
M_PER_DEG_LAT = 111_320.0


def synthetic_city(n_children: int, seed: int = 7) -> tuple[list[UnitIn], list[ChildIn]]:
    """A city with Helsinki's density: clustered homes, units near homes, fi/sv areas."""
    rng = np.random.default_rng(seed)
    side_m = 15_000.0 * math.sqrt(n_children / 5_600)
    m_per_deg_lon = M_PER_DEG_LAT * math.cos(math.radians(LAT0))

    def to_latlon(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return LAT0 + xy[:, 1] / M_PER_DEG_LAT, LON0 + xy[:, 0] / m_per_deg_lon

    n_clusters = max(4, n_children // 400)
    centres = rng.uniform(0, side_m, size=(n_clusters, 2))
    weights = rng.gamma(2.0, 1.0, n_clusters)
    weights /= weights.sum()

    def homes(n: int) -> np.ndarray:
        c = rng.choice(n_clusters, size=n, p=weights)
        xy = centres[c] + rng.normal(0, 700, size=(n, 2))
        return np.clip(xy, 0, side_m)

    # families: 1.3 % twins, 0.03 % triplets
    n_fam = int(n_children / 1.0137)
    fam_size = np.ones(n_fam, dtype=int)
    r = rng.random(n_fam)
    fam_size[r < 0.013] = 2
    fam_size[r < 0.0003] = 3
    fam_size = fam_size[np.cumsum(fam_size) <= n_children]
    fam_size = np.concatenate([fam_size, np.ones(n_children - int(fam_size.sum()), dtype=int)])
    fam_xy = homes(fam_size.size)
    fam_sv = rng.random(fam_size.size) < 0.06
    fam_of = np.repeat(np.arange(fam_size.size), fam_size)
    c_xy = fam_xy[fam_of]
    c_sv = fam_sv[fam_of]

    n_units = max(8, n_children // CHILDREN_PER_UNIT)
    u_xy = homes(n_units) + rng.normal(0, 200, size=(n_units, 2))
    u_sv = rng.random(n_units) < 0.07
    municipal = rng.random(n_units) < 0.85
    pre_primary = rng.random(n_units) < 0.9

    def area_of(xy: np.ndarray, sv: np.ndarray) -> list[str]:
        cell = np.where(sv, 7_500.0, 2_500.0)
        gx = (xy[:, 0] // cell).astype(int)
        gy = (xy[:, 1] // cell).astype(int)
        return [f"{'SV' if s else 'FI'}-{x}-{y}" for s, x, y in zip(sv.tolist(), gx.tolist(), gy.tolist(), strict=True)]

    # capacity: local demand of the unit's language around it, 3 % spare in all, some noise
    cap = np.zeros(n_units, dtype=int)
    for sv in (False, True):
        units_l = np.flatnonzero((u_sv == sv) & municipal & pre_primary)
        kids_l = np.flatnonzero(c_sv == sv)
        if units_l.size == 0:
            continue
        _, near = cKDTree(u_xy[units_l]).query(c_xy[kids_l], k=1)
        demand = np.bincount(near, minlength=units_l.size).astype(float)
        demand = demand * rng.uniform(0.75, 1.3, units_l.size)
        demand *= 1.03 * kids_l.size / max(demand.sum(), 1.0)
        cap[units_l] = np.maximum(1, np.round(demand)).astype(int)
    cap[~(municipal & pre_primary)] = rng.integers(5, 25, int((~(municipal & pre_primary)).sum()))

    u_lat, u_lon = to_latlon(u_xy)
    u_area = area_of(u_xy, u_sv)
    units = [
        UnitIn(
            id=f"U{i:06d}",
            language="sv" if u_sv[i] else "fi",
            capacity=int(cap[i]),
            lat=float(u_lat[i]),
            lon=float(u_lon[i]),
            area_id=None if not municipal[i] else u_area[i],
            municipal=bool(municipal[i]),
            pre_primary=bool(pre_primary[i]),
        )
        for i in range(n_units)
    ]
    # current unit: one of the 3 nearest units of the family's language (92 % have one)
    cur = np.full(n_children, -1)
    for sv in (False, True):
        units_l = np.flatnonzero(u_sv == sv)
        kids_l = np.flatnonzero(c_sv == sv)
        if units_l.size == 0 or kids_l.size == 0:
            continue
        kk = min(3, units_l.size)
        _, near = cKDTree(u_xy[units_l]).query(c_xy[kids_l], k=kk)
        near = np.asarray(near).reshape(kids_l.size, kk)
        pick = near[np.arange(kids_l.size), rng.integers(0, kk, kids_l.size)]
        cur[kids_l] = units_l[pick]
    fam_cur = cur[np.cumsum(fam_size) - fam_size]
    cur = fam_cur[fam_of]  # siblings share their current unit
    cur[rng.random(n_children) < 0.08] = -1
    c_lat, c_lon = to_latlon(c_xy)
    c_area = area_of(c_xy, c_sv)
    children = [
        ChildIn(
            id=f"C{i:07d}",
            language="sv" if c_sv[i] else "fi",
            lat=float(c_lat[i]),
            lon=float(c_lon[i]),
            area_id=c_area[i],
            current_unit_id=units[cur[i]].id if cur[i] >= 0 else None,
            guardian_ids=(f"G{fam_of[i]}",),
            address_key=f"addr-{fam_of[i]}",
        )
        for i in range(n_children)
    ]
    return units, children


SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
HELSINKI_AREAS = "helsinki_postal_areas_children_paavo2023.csv"


def dense_city(n_children: int, seed: int = 11, places: float = 0.97) -> tuple[list[UnitIn], list[ChildIn]]:
    """One municipality scaled up: Helsinki's 84 postal areas (Statistics Finland, Paavo – open data by postal
    code area, 2023, CC BY 4.0) with their real shares of six-year-olds and their real sizes, holding
    `n_children` children (the extract; ~86 % of them have a municipal placement and are in the round).

    Generated differently from `synthetic_city` and from the demo generator: homes spread over each postal
    area's own disc (the city gets denser, not larger), one admission area per postal area (Swedish ones per
    postal district), units of 14-60 places, capacity set per postal area with short and spare areas side by
    side, twins and triplets at the Finnish multiple-birth rate (1.4 % of births, 0.02 % triplets), and a
    current unit among the family's nearest few, where twins sometimes attend different units.

    `places`: pre-primary places planned per child of the round in each area, before whole units round it
    up (0.97 leaves ~2.5 % more places than children in Finnish, ~75 % more in Swedish; 0.9 is ~5 % short
    in Finnish).
    """
    rng = np.random.default_rng(seed)
    with open(SHARED_DATA / HELSINKI_AREAS, encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["est_age_6"]]
    share = np.array([float(r["est_age_6"]) for r in rows])
    share /= share.sum()
    p_lat = np.array([float(r["lat"]) for r in rows])
    p_lon = np.array([float(r["lon"]) for r in rows])
    radius = np.sqrt(np.array([float(r["area_m2"]) for r in rows]) / math.pi)
    fi_area = [f"FI-{r['postal_code']}" for r in rows]
    sv_area = [f"SV-{r['postal_code'][:3]}" for r in rows]  # Swedish areas: postal districts
    m_per_deg_lon = M_PER_DEG_LAT * np.cos(np.radians(p_lat))

    def points(area: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r = radius[area] * np.sqrt(rng.random(area.size))
        a = rng.random(area.size) * 2 * math.pi
        return p_lat[area] + r * np.sin(a) / M_PER_DEG_LAT, p_lon[area] + r * np.cos(a) / m_per_deg_lon[area]

    # families: births of 1, 2 (1.38 %) or 3 (0.02 %) children
    n_fam = int(n_children / 1.0142) + 1
    size = np.ones(n_fam, dtype=int)
    r = rng.random(n_fam)
    size[r < 0.0140] = 2
    size[r < 0.0002] = 3
    size = size[np.cumsum(size) <= n_children]
    size = np.concatenate([size, np.ones(n_children - int(size.sum()), dtype=int)])
    fam_area = rng.choice(len(rows), size=size.size, p=share)
    fam_lat, fam_lon = points(fam_area)
    fam_sv = rng.random(size.size) < 0.065

    # units: each postal area gets units for its own children in both languages, 14-60 places each
    units: list[UnitIn] = []
    u_area: list[int] = []
    for lang_sv in (False, True):
        kids = np.bincount(fam_area[fam_sv == lang_sv], weights=size[fam_sv == lang_sv], minlength=len(rows))
        for a in range(len(rows)):
            need = kids[a] * 0.86 * places * rng.uniform(0.8, 1.2)  # short and spare areas side by side
            while need > 0:
                seats = int(rng.integers(14, 61))
                kind = rng.random()
                municipal, pre_primary = kind < 0.88, kind < 0.80
                lat, lon = points(np.array([a]))
                units.append(
                    UnitIn(
                        id=f"D{len(units):05d}",
                        language="sv" if lang_sv else "fi",
                        capacity=seats if pre_primary else 0,
                        lat=float(lat[0]),
                        lon=float(lon[0]),
                        area_id=(sv_area[a] if lang_sv else fi_area[a]) if municipal else None,
                        municipal=municipal,
                        pre_primary=pre_primary,
                    )
                )
                u_area.append(a)
                if municipal and pre_primary:
                    need -= seats
    u_lat = np.array([u.lat for u in units])
    u_lon = np.array([u.lon for u in units])
    u_sv = np.array([u.language == "sv" for u in units])
    u_municipal = np.array([u.municipal for u in units])

    # current placement: one of the family's 5 nearest units of its language (14 % none or private: not in the
    # round); a twin attends another unit than the other in 12 % of families
    children: list[ChildIn] = []
    fam_xyz = unit_sphere_xyz(fam_lat, fam_lon)
    cur_of_fam = np.full((size.size, 3), -1)
    for lang_sv in (False, True):
        lu = np.flatnonzero(u_sv == lang_sv)
        fams = np.flatnonzero(fam_sv == lang_sv)
        _, near = cKDTree(unit_sphere_xyz(u_lat[lu], u_lon[lu])).query(fam_xyz[fams], k=5)
        pick = near[np.arange(fams.size), rng.integers(0, 5, fams.size)]
        cur_of_fam[fams] = lu[pick][:, None]
        apart = fams[(size[fams] > 1) & (rng.random(fams.size) < 0.12)]
        other = near[np.searchsorted(fams, apart), rng.integers(0, 5, apart.size)]
        cur_of_fam[apart, 1] = lu[other]
    none = rng.random(size.size) < 0.04
    cur_of_fam[none] = -1
    for f in range(size.size):
        for j in range(size[f]):
            cur = int(cur_of_fam[f, j])
            if cur < 0 or not u_municipal[cur]:
                continue  # no municipal placement: applies instead (contract 3.1)
            a = int(fam_area[f])
            children.append(
                ChildIn(
                    id=f"K{f:06d}{j}",
                    language="sv" if fam_sv[f] else "fi",
                    lat=float(fam_lat[f]),
                    lon=float(fam_lon[f]),
                    area_id=sv_area[a] if fam_sv[f] else fi_area[a],
                    current_unit_id=units[cur].id,
                    guardian_ids=(f"H{f}",),
                    address_key=f"home-{f}",
                )
            )
    return units, children


def greedy(units: list[UnitIn], children: list[ChildIn]) -> dict[str, str | None]:
    """Baseline: children in id order (siblings together) take the nearest unit with room."""
    out: dict[str, str | None] = {}
    room = {u.id: u.capacity for u in units}
    families: dict[tuple[str, str, str], list[ChildIn]] = {}
    for c in sorted(children, key=lambda c: c.id):
        families.setdefault((c.guardian_ids[0], c.address_key, c.language), []).append(c)
    for lang in ("fi", "sv"):
        ok = [u for u in units if u.municipal and u.pre_primary and u.capacity > 0 and u.language == lang]
        if not ok:
            continue
        tree = cKDTree(unit_sphere_xyz([u.lat for u in ok], [u.lon for u in ok]))
        fams = [f for f in families.values() if f[0].language == lang]
        kk = min(32, len(ok))
        _, near = tree.query(unit_sphere_xyz([f[0].lat for f in fams], [f[0].lon for f in fams]), k=kk)
        near = np.asarray(near).reshape(len(fams), kk)
        for fam, row in zip(fams, near.tolist(), strict=True):
            need = len(fam)
            chosen = next((ok[j].id for j in row if room[ok[j].id] >= need), None)
            if chosen is None:
                _, allnear = tree.query(unit_sphere_xyz([fam[0].lat], [fam[0].lon]), k=len(ok))
                chosen = next((ok[j].id for j in np.ravel(allnear) if room[ok[j].id] >= need), None)
            if chosen is not None:
                room[chosen] -= need
            for c in fam:
                out[c.id] = chosen
    return out


def quality(units: list[UnitIn], children: list[ChildIn], assignment: dict[str, str | None]) -> dict[str, float]:
    by_id = {u.id: u for u in units}
    placed = [c for c in children if assignment.get(c.id)]
    keepable = [
        c
        for c in children
        if c.current_unit_id
        and (u := by_id[c.current_unit_id]).municipal
        and u.pre_primary
        and u.capacity > 0
        and u.area_id == c.area_id
        and u.language == c.language
    ]
    kept = sum(1 for c in keepable if assignment.get(c.id) == c.current_unit_id)
    in_area = sum(1 for c in placed if by_id[assignment[c.id] or ""].area_id == c.area_id)
    uu = [by_id[assignment[c.id] or ""] for c in placed]
    d = haversine_m([c.lat for c in placed], [c.lon for c in placed], [u.lat for u in uu], [u.lon for u in uu])
    return {
        "placed_pct": 100.0 * len(placed) / len(children),
        "kept_pct": 100.0 * kept / max(1, len(keepable)),
        "in_area_pct": 100.0 * in_area / max(1, len(placed)),
        "mean_m": float(d.mean()) if d.size else 0.0,
        "p95_m": float(np.percentile(d, 95)) if d.size else 0.0,
    }


def run_one(kind: str, n: int, places: float, proof_seconds: float, pricing: int) -> dict[str, object]:
    units, children = dense_city(n, places=places) if kind == "dense" else synthetic_city(n)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    result = allocate(units, children, proof_seconds=proof_seconds, pricing_rounds=pricing)
    wall = time.perf_counter() - t0
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    exact = quality(units, children, {p.child_id: p.unit_id for p in result.proposals})
    t1 = time.perf_counter()
    base = greedy(units, children)
    greedy_s = time.perf_counter() - t1
    title = f"{n:,} children"
    if kind == "dense":
        title = f"dense city: {len(children):,} of {n:,} children in the round"
    if pricing:
        title += f", {pricing} pricing rounds"
    return {
        "title": title,
        "units": len(units),
        "timings": result.timings,
        "wall": wall,
        "stats": result.stats,
        "exact_flag": result.exact,
        "notes": result.notes,
        "objective": list(result.objective),
        "rss_before_mb": rss0 / 1024,
        "rss_peak_mb": rss1 / 1024,
        "quality": exact,
        "greedy": quality(units, children, base),
        "greedy_s": greedy_s,
    }


def report(r: dict[str, object]) -> None:
    t = r["timings"]
    s = r["stats"]
    q = r["quality"]
    g = r["greedy"]
    assert isinstance(t, dict) and isinstance(s, dict) and isinstance(q, dict) and isinstance(g, dict)
    bare = max(t["solve"], 1e-9)
    print(f"\n== {r['title']}, {r['units']:,} units ==")
    print(
        f"time: candidates {t['candidates']:.2f}s  build {t['build']:.2f}s  solve (bare OR-Tools, all stages) "
        f"{t['solve']:.2f}s  potentials {t['potentials']:.2f}s  repair {t['repair']:.2f}s  widen {t['widen']:.2f}s  "
        f"explain {t['explain']:.2f}s  "
        f"total {t['total']:.2f}s  whole/bare {t['total'] / bare:.1f}x"
    )
    print(
        f"graph: {s['arcs']:,} arcs, {s['components']} components, {s['groups']} sibling groups, "
        f"{s['split_groups']} split by the relaxation, {s['mip_rounds']} MIP rounds, "
        f"{s['widen_rounds']} widening rounds, {s['flow_stages']} flow stages, "
        f"{s['unproven_groups']} groups settled without proof, exact={r['exact_flag']}"
    )
    placed, kept, in_area, metres = r["objective"]  # type: ignore[misc]
    print(f"objective: placed {placed:,}, kept {kept:,}, own area {in_area:,}, distance {metres / 1000:,.0f} km")
    print(f"memory: peak RSS {r['rss_peak_mb']:.0f} MB (input data alone {r['rss_before_mb']:.0f} MB)")
    print(f"{'':22}{'exact (min-cost flow)':>24}{'greedy nearest-with-room':>28}")
    for key, label in [
        ("placed_pct", "placed %"),
        ("kept_pct", "current unit kept %"),
        ("in_area_pct", "in own area %"),
        ("mean_m", "mean distance m"),
        ("p95_m", "p95 distance m"),
    ]:
        print(f"{label:22}{q[key]:>24.1f}{g[key]:>28.1f}")
    print(f"(greedy took {r['greedy_s']:.2f}s)")
    notes = r["notes"]
    assert isinstance(notes, list)
    for note in notes:
        print(f"note: {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="5600,50000", help="comma-separated child counts (synthetic city)")
    parser.add_argument("--dense", default="50000", help="comma-separated child counts (dense city)")
    parser.add_argument("--dense-places", type=float, default=0.97, help="places per child planned (dense city)")
    parser.add_argument("--proof-seconds", type=float, default=4.0, help="the proof's time budget")
    parser.add_argument("--pricing", type=int, default=0, help="pricing rounds")
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        kind, n = args.one
        print(json.dumps(run_one(kind, int(n), args.dense_places, args.proof_seconds, args.pricing)))
        return
    cases = [("synthetic", int(x)) for x in args.sizes.split(",") if x]
    cases += [("dense", int(x)) for x in args.dense.split(",") if x]
    for kind, n in cases:
        cmd = [sys.executable, __file__, "--one", kind, str(n), "--dense-places", str(args.dense_places)]
        cmd += ["--proof-seconds", str(args.proof_seconds), "--pricing", str(args.pricing)]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True)
        report(json.loads(proc.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()

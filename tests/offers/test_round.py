from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from asti.audit.models import AuditEvent
from asti.offers import services
from asti.offers.adapter import address_key
from asti.offers.family import family_codes
from asti.offers.models import OfferRound, Proposal
from asti.offers.selectors import children_losing_current_unit, round_area_summary, round_unit_summary
from asti.units.models import Unit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def round_id(example_extract: Path) -> int:
    call_command("import_city_data", str(example_extract), stdout=StringIO())
    out = StringIO()
    call_command("offer_round", "create", "--year", "2027", stdout=out)
    return int(out.getvalue().strip().splitlines()[-1])


def export(round_id: int, tmp_path: Path) -> dict[str, dict[str, str]]:
    path = tmp_path / "proposals.csv"
    out = StringIO()
    call_command("offer_round", "allocate", str(round_id), "--export", str(path), stdout=out)
    assert "proven optimal (placed, kept, own area, distance, in that order)" in out.getvalue()
    with path.open(encoding="utf-8") as f:
        return {row["child_id"]: row for row in csv.DictReader(f)}


def test_example_round_end_to_end(round_id: int, tmp_path: Path) -> None:
    rows = export(round_id, tmp_path)
    assert sorted(rows) == ["C1", "C2", "C3", "C4", "C5", "C6", "C9"]
    assert rows["C1"]["unit_id"] == "PK-KALLIO" and rows["C1"]["reason"] == "CURRENT_UNIT"
    assert rows["C3"]["unit_id"] == rows["C4"]["unit_id"]
    assert rows["C2"]["unit_id"] == "PK-SORNAINEN" and rows["C2"]["reason"] == "IN_AREA"
    assert rows["C6"]["unit_id"] == "DH-TOLO"
    assert all(int(r["distance_m"]) > 0 for r in rows.values())
    offer_round = OfferRound.objects.get(pk=round_id)
    assert offer_round.status == "allocated"
    assert offer_round.allocation_figures["objective"]["placed"] == 7
    assert offer_round.allocation_figures["proven_optimal"] is True and offer_round.allocation_figures["notes"] == []
    loads = {u["unit_id"]: (u["proposed"], u["capacity"]) for u in round_unit_summary(offer_round=offer_round)}
    assert loads["PK-KALLIO"] == (3, 3) and loads["PK-SORNAINEN"] == (2, 4)
    areas = {a["child__admission_area__area_id"]: a for a in round_area_summary(offer_round=offer_round)}
    assert areas["FI-1"]["n_children"] == 5 and areas["FI-1"]["n_in_area"] == 5
    losing = list(children_losing_current_unit(offer_round=offer_round))
    assert [p.child.child_id for p in losing] == ["C2"]  # her current unit has no pre-primary education


def test_allocation_is_deterministic(round_id: int, tmp_path: Path) -> None:
    assert export(round_id, tmp_path) == export(round_id, tmp_path)


def test_override_is_audited_and_kept_when_the_round_is_reallocated(round_id: int, tmp_path: Path) -> None:
    services.round_allocate(round_id=round_id, actor="t")
    before = export(round_id, tmp_path)
    moved = services.proposal_override(
        round_id=round_id, child_id="C2", unit_id="PK-KALLIO", justification="Family moves in March", actor="pia"
    )
    rows = export(round_id, tmp_path)
    assert rows["C2"]["unit_id"] == "PK-KALLIO"
    # the override says who else moved: exactly the other children whose stored unit changed
    changed = [
        (child, before[child]["unit_id"] or None, rows[child]["unit_id"] or None)
        for child in sorted(rows)
        if child != "C2" and rows[child]["unit_id"] != before[child]["unit_id"]
    ]
    assert moved == changed and changed
    # Kallio has 3 places: one of the twins' family or C1 must move, and the twins stay together.
    assert rows["C3"]["unit_id"] == rows["C4"]["unit_id"]
    assert sum(r["unit_id"] == "PK-KALLIO" for r in rows.values()) <= 3
    proposal = Proposal.objects.get(round_id=round_id, child__child_id="C2")
    assert proposal.override_by == "pia" and proposal.override_reason == "Family moves in March"
    assert AuditEvent.objects.filter(operation="PROPOSAL_OVERRIDE", target_id="C2", actor="pia").exists()


@pytest.mark.parametrize(
    ("unit_id", "justification", "message"),
    [
        ("DH-TOLO", "Swedish please", "not a municipal fi pre-primary unit"),
        ("PRIV-OMENA", "private", "not a municipal fi pre-primary unit"),
        ("PK-KALLIO", "  ", "needs a justification"),
        ("NOPE", "x", "no active unit"),
    ],
)
def test_override_refuses_what_the_hard_rules_forbid(
    round_id: int, unit_id: str, justification: str, message: str
) -> None:
    services.round_allocate(round_id=round_id, actor="t")
    with pytest.raises(services.RoundError, match=message):  # the page's check before queuing, and the job's
        services.proposal_override_check(round_id=round_id, child_id="C2", unit_id=unit_id, justification=justification)
    with pytest.raises(services.RoundError, match=message):
        services.proposal_override(
            round_id=round_id, child_id="C2", unit_id=unit_id, justification=justification, actor="pia"
        )
    assert Proposal.objects.get(round_id=round_id, child__child_id="C2").override_unit is None


def test_what_if_reports_moves_without_touching_the_saved_round(round_id: int) -> None:
    services.round_allocate(round_id=round_id, actor="t")
    before = list(Proposal.objects.filter(round_id=round_id).values_list("child__child_id", "unit__unit_id"))
    moves = services.round_what_if(round_id=round_id, capacity_changes={"PK-SORNAINEN": 0, "PK-KALLIO": 6})
    moved = {child: (old, new) for child, old, new in moves}
    assert moved["C2"] == ("PK-SORNAINEN", "PK-KALLIO")
    assert moved["C5"] == ("PK-SORNAINEN", "PK-KALLIO")
    assert "C1" not in moved
    after = list(Proposal.objects.filter(round_id=round_id).values_list("child__child_id", "unit__unit_id"))
    assert after == before
    assert Unit.objects.get(unit_id="PK-SORNAINEN").pre_primary_capacity == 4


def test_what_if_starts_from_the_stored_round(round_id: int) -> None:
    """The what-if's base is the round as stored (not solved again): a child whose stored unit differs
    from what a fresh solve gives shows up as a move even without any capacity change."""
    assert services.round_what_if(round_id=round_id, capacity_changes={}) == []  # before the first allocation
    services.round_allocate(round_id=round_id, actor="t")
    assert services.round_what_if(round_id=round_id, capacity_changes={}) == []
    stored = Proposal.objects.get(round_id=round_id, child__child_id="C1")
    fresh_unit = stored.unit.unit_id
    other = Unit.objects.exclude(unit_id=fresh_unit).filter(language="fi", pre_primary=True).first()
    Proposal.objects.filter(pk=stored.pk).update(unit=other)
    assert services.round_what_if(round_id=round_id, capacity_changes={}) == [("C1", other.unit_id, fresh_unit)]


def test_proof_seconds_cannot_be_negative(round_id: int) -> None:
    with pytest.raises(CommandError, match="cannot be negative"):
        call_command("offer_round", "allocate", str(round_id), "--proof-seconds", "-1", stdout=StringIO())
    out = StringIO()
    call_command("offer_round", "allocate", str(round_id), "--proof-seconds", "0", stdout=out)
    assert "proven optimal" in out.getvalue()


def test_unknown_round_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="no round with id 999"):
        call_command("offer_round", "allocate", "999", stdout=StringIO())


def test_address_key_normalises_and_falls_back_to_location() -> None:
    assert address_key(" Hämeentie  30 ", "00530", 60.0, 24.0) == address_key("hämeentie 30", "00530", 1.0, 1.0)
    assert address_key("", "", 60.18601, 24.958) == "@60.18601,24.95800"


def test_family_codes_tell_a_familys_children_apart() -> None:
    custody = [("C3", "G4"), ("C4", "G4"), ("C1", "G1"), ("C1", "G2"), ("C11", "G1"), ("C7", "G7"), ("C8", "G7")]
    codes = family_codes(custody, ["C1", "C3", "C4", "C7", "C8", "C9"])
    assert codes["C3"] != codes["C4"] and codes["C7"] != codes["C8"]
    assert codes["C1"] == "1" and codes["C9"] == "1"


def test_a_sent_round_keeps_its_proposals_even_if_the_store_is_called_directly(round_id: int) -> None:
    from asti.offers.adapter import load_round_input, store_proposals
    from asti.offers.allocation import allocate
    from asti.offers.sending import round_send

    services.round_allocate(round_id=round_id, actor="t")
    before = sorted(Proposal.objects.filter(round_id=round_id).values_list("pk", "unit_id"))
    round_send(round_id=round_id, actor="t")
    offer_round = OfferRound.objects.get(pk=round_id)
    data = load_round_input(offer_round)
    with pytest.raises(ValueError, match="has offers"):
        store_proposals(offer_round, data, allocate(data.units, data.children, overrides=data.overrides))
    assert sorted(Proposal.objects.filter(round_id=round_id).values_list("pk", "unit_id")) == before
    with pytest.raises(services.RoundError):
        services.round_allocate(round_id=round_id, actor="t")


def test_the_proposals_file_is_owner_only_audited_per_child_and_written_only_by_the_command(
    round_id: int, tmp_path: Path
) -> None:
    """The contract keeps distance_m for protected homes too (C9's): the file is the city's system export, so it is
    readable by its owner alone, every child in it is audited, and no page or other module writes it."""
    path = tmp_path / "proposals.csv"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o644)
    rows = export(round_id, tmp_path)
    assert int(rows["C9"]["distance_m"]) > 0  # as the contract wants: an integer in every row
    assert path.stat().st_mode & 0o777 == 0o600
    events = AuditEvent.objects.filter(operation="EXPORT", target_type="child")
    assert sorted(events.values_list("target_id", flat=True)) == sorted(rows)
    assert all(e.details == {"round": round_id, "export": "proposals.csv"} for e in events)
    assert all(e.actor.startswith("command:offer_round") for e in events)
    asti = Path(__file__).resolve().parents[2] / "asti"
    writers = sorted(
        str(p.relative_to(asti)) for p in asti.rglob("*.py") if "proposals_export(" in p.read_text(encoding="utf-8")
    )
    assert writers == ["offers/management/commands/offer_round.py", "offers/services.py"]

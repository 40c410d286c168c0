from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from asti.audit.models import AuditEvent
from asti.core import crypto
from asti.people.models import Child, Custody, Guardian, ImportRun
from asti.units.models import AdmissionArea, Unit
from tests.conftest import db_snapshot
from tests.people.extract import ExtractBuilder

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def builder(tmp_path: Path) -> ExtractBuilder:
    return ExtractBuilder(tmp_path)


def run_import(directory: Path) -> None:
    call_command("import_city_data", str(directory))


def failed_import(directory: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """Runs an import that must fail and leave the database as it was; returns its error lines."""
    before = db_snapshot()
    with pytest.raises(CommandError, match="nothing was changed"):
        run_import(directory)
    assert db_snapshot() == before
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def test_example_extract_imports_with_normalised_protected_data(example_extract: Path) -> None:
    run_import(example_extract)

    assert Unit.objects.count() == 6
    assert Child.objects.count() == 12
    assert Guardian.objects.count() == 11
    assert Custody.objects.count() == 14
    assert AdmissionArea.objects.get(area_id="SV-1").language == "sv"
    assert Guardian.objects.get(guardian_id="G1").phone == "+358401234567"
    assert Unit.objects.get(unit_id="PK-KALLIO").phone == "+358931000001"
    assert Guardian.objects.get(guardian_id="G3").phone == ""
    c9 = Child.objects.get(child_id="C9")
    assert c9.non_disclosure and c9.current_unit is not None and c9.current_unit.unit_id == "PK-TOOLO"
    assert Child.objects.get(child_id="C11").hetu == "190822B911S"
    assert set(Child.objects.get(child_id="C1").guardians.values_list("guardian_id", flat=True)) == {
        "G1",
        "G2",
    }
    assert ImportRun.objects.count() == 1
    assert AuditEvent.objects.filter(operation="IMPORT").count() == 1


def test_identity_codes_are_not_stored_in_the_clear(example_extract: Path) -> None:
    run_import(example_extract)
    with connection.cursor() as cursor:
        cursor.execute("SELECT hetu_encrypted, hetu_digest FROM people_child")
        stored = " ".join(a + b for a, b in cursor.fetchall())
    assert "140321A901X" not in stored and "140321" not in stored
    child = Child.objects.get(child_id="C1")
    assert child.hetu == "140321A901X"
    assert child.hetu_digest == crypto.hetu_digest("140321A901X")


def test_importing_the_same_extract_twice_changes_nothing(example_extract: Path) -> None:
    run_import(example_extract)
    registry = ("people.importrun", "audit.auditevent")  # the log of imports grows; the data must not
    first = db_snapshot(leave_out=registry)
    run_import(example_extract)
    assert db_snapshot(leave_out=registry) == first
    assert ImportRun.objects.count() == 2


def test_a_later_extract_updates_by_id_and_marks_missing_records_inactive(builder: ExtractBuilder) -> None:
    run_import(builder.dir)
    builder.edit("units.csv", "PK-SORNAINEN", pre_primary_capacity="6")
    builder.edit("guardians.csv", "G3", phone="+358 40 765 4321")
    builder.transform("children.csv", lambda rows: [r for r in rows if r["child_id"] != "C12"])
    builder.transform("guardianships.csv", lambda rows: [r for r in rows if r["child_id"] != "C12"])
    builder.transform("guardians.csv", lambda rows: [r for r in rows if r["guardian_id"] != "G11"])
    run_import(builder.dir)

    assert Unit.objects.get(unit_id="PK-SORNAINEN").pre_primary_capacity == 6
    assert Guardian.objects.get(guardian_id="G3").phone == "+358407654321"
    c12 = Child.objects.get(child_id="C12")
    assert not c12.active and not Guardian.objects.get(guardian_id="G11").active
    assert not Custody.objects.get(child=c12).active
    assert Child.objects.filter(active=True).count() == 11

    # A record that comes back is active again, with its old id.
    run_import(Path(__file__).parent / "fixtures" / "example-extract")
    assert Child.objects.get(child_id="C12").active
    assert Custody.objects.get(child__child_id="C12").active


def test_admission_area_is_computed_from_the_home_location(builder: ExtractBuilder) -> None:
    builder.edit("children.csv", "C2", admission_area_id="")
    builder.edit("children.csv", "C6", admission_area_id="")
    run_import(builder.dir)
    c2 = Child.objects.select_related("admission_area").get(child_id="C2")
    assert c2.admission_area is not None and c2.admission_area.area_id == "FI-1" and c2.admission_area_computed
    # C6 goes to Swedish-language education: her area is the Swedish one covering the same streets.
    c6 = Child.objects.select_related("admission_area").get(child_id="C6")
    assert c6.admission_area is not None and c6.admission_area.area_id == "SV-1"


@pytest.mark.parametrize(
    ("file", "row_id", "changes", "column", "message"),
    [
        ("children.csv", "C3", {"hetu": "300721A903K"}, "hetu", "invalid personal identity code"),
        ("children.csv", "C3", {"birth_date": "2021-07-31"}, "hetu", "gives birth date 2021-07-30"),
        ("children.csv", "C5", {"current_unit_id": "PK-NOWHERE"}, "current_unit_id", "unknown unit"),
        (
            "units.csv",
            "PK-TOOLO",
            {"pre_primary_capacity": "-1"},
            "pre_primary_capacity",
            "cannot be negative",
        ),
        ("units.csv", "PK-TOOLO", {"lat": "48.8566", "lon": "2.3522"}, "lat", "outside Finland"),
        ("children.csv", "C1", {"lon": "12.5"}, "lon", "outside Finland"),
        ("guardians.csv", "G4", {"phone": "040 12"}, "phone", "not a valid phone number"),
        ("guardians.csv", "G5", {"language": "de"}, "language", "expected one of fi, sv, en"),
        ("children.csv", "C7", {"birth_date": "17.2.2021"}, "birth_date", "expected a date YYYY-MM-DD"),
        ("children.csv", "C7", {"non_disclosure": "yes"}, "non_disclosure", "expected true or false"),
        ("units.csv", "PK-PIKKU", {"provider": "state"}, "provider", "expected one of municipal"),
        ("children.csv", "C2", {"admission_area_id": "FI-99"}, "admission_area_id", "unknown admission area"),
    ],
)
def test_a_bad_cell_fails_the_whole_import_naming_file_line_and_column(
    builder: ExtractBuilder,
    capsys: pytest.CaptureFixture[str],
    file: str,
    row_id: str,
    changes: dict[str, str],
    column: str,
    message: str,
) -> None:
    run_import(Path(__file__).parent / "fixtures" / "example-extract")
    capsys.readouterr()
    builder.edit(file, row_id, **changes)
    errors = failed_import(builder.dir, capsys)
    line = builder.line_of(file, row_id)
    assert any(e.startswith(f"{file}:{line}: {column}: ") and message in e for e in errors), errors


def test_unknown_guardian_reference_and_duplicate_ids(
    builder: ExtractBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    builder.transform("guardianships.csv", lambda rows: [*rows, {"child_id": "C7", "guardian_id": "G99"}])
    builder.transform("children.csv", lambda rows: [*rows, {**rows[6], "hetu": make_hetu("2021-02-17", "A", 950)}])
    errors = failed_import(builder.dir, capsys)
    assert "guardianships.csv:16: guardian_id: unknown guardian 'G99'" in errors
    assert any(e.startswith("children.csv:14: child_id: duplicate id 'C7' (first on line 8)") for e in errors), errors


def test_every_error_in_every_file_is_listed(builder: ExtractBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    run_import(builder.dir)
    capsys.readouterr()
    builder.edit("children.csv", "C1", hetu="140321A901Y")
    builder.edit("children.csv", "C4", current_unit_id="NOPE")
    builder.edit("guardians.csv", "G2", phone="not a phone")
    builder.edit("units.csv", "DH-TOLO", pre_primary_capacity="-5")
    errors = failed_import(builder.dir, capsys)
    assert [e.split(": ")[0] + ": " + e.split(": ")[1] for e in errors] == [
        "units.csv:6: pre_primary_capacity",
        "children.csv:2: hetu",
        "children.csv:5: current_unit_id",
        "guardians.csv:3: phone",
    ]


def test_missing_column(builder: ExtractBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    rows = builder.rows("guardians.csv")
    builder.write("guardians.csv", rows, columns=[c for c in rows[0] if c != "language"])
    errors = failed_import(builder.dir, capsys)
    assert "guardians.csv:1: language: missing column" in errors


def test_wrong_encoding_is_reported_by_line(builder: ExtractBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    path = builder.dir / "children.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))
    errors = failed_import(builder.dir, capsys)
    bad_lines = sorted(int(e.split(":")[1]) for e in errors if e.startswith("children.csv:"))
    # Rows with ä, ö or Å: C3/C4 (Hämeentie), C7 (Åberg, Mannerheimvägen), C8 (Mäkinen), C12 (Hämäläinen).
    assert bad_lines == [4, 5, 8, 9, 13]
    assert all("not valid UTF-8" in e for e in errors if e.startswith("children.csv:"))


def test_missing_file_and_empty_file(builder: ExtractBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    (builder.dir / "guardianships.csv").unlink()
    (builder.dir / "units.csv").write_text("", encoding="utf-8")
    errors = failed_import(builder.dir, capsys)
    assert "guardianships.csv:0: -: file is missing from the extract" in errors
    assert "units.csv:1: -: file is empty; a header row is required" in errors


def make_hetu(birth: str, sign: str, individual: int) -> str:
    """A valid identity code; the check character is the remainder of DDMMYYNNN mod 31."""
    ddmmyy = birth[8:10] + birth[5:7] + birth[2:4]
    number = f"{individual:03d}"
    return ddmmyy + sign + number + "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(ddmmyy + number) % 31]


@pytest.mark.parametrize(
    ("sign", "birth_date", "individual"),
    [
        ("A", "2018-01-01", 900),
        ("B", "2018-01-01", 901),  # 2023 reform century signs B–F for the 2000s
        ("F", "2018-01-01", 999),
        ("Y", "1988-01-01", 902),  # and U–Y for the 1900s
        ("U", "1988-01-01", 903),
        ("-", "1988-01-01", 123),  # a permanent (non-temporary) code is valid too
    ],
)
def test_century_signs_of_the_2023_reform(builder: ExtractBuilder, sign: str, birth_date: str, individual: int) -> None:
    code = make_hetu(birth_date, sign, individual)
    builder.edit("children.csv", "C7", hetu=code, birth_date=birth_date)
    run_import(builder.dir)
    assert Child.objects.get(child_id="C7").hetu == code


def test_a_century_sign_that_disagrees_with_the_birth_date(
    builder: ExtractBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    builder.edit("children.csv", "C7", hetu=make_hetu("2021-02-17", "Y", 907))
    errors = failed_import(builder.dir, capsys)
    assert any(e.startswith("children.csv:8: hetu: identity code gives birth date 1921-02-17") for e in errors)

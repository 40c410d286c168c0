"""Every staff page through Django's test client: what each role gets, the 403/404 rules, and the audit."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from asti.audit.models import AuditEvent
from asti.jobs.scheduler import tick_jobs
from asti.messaging.models import Message
from asti.offers import services as offer_services
from asti.offers.allocation import allocate
from asti.offers.models import Offer, OfferRound, OfferStatus, Proposal, RoundStatus
from asti.offers.notify import OFFER_TEMPLATE_KEYS
from asti.offers.sending import round_send
from asti.units.models import Unit
from tests.staff.conftest import client_for

pytestmark = pytest.mark.django_db


def round_pages(round_id: int) -> list[str]:
    return [
        reverse("staff:rounds"),
        reverse("staff:round", args=[round_id]),
        reverse("staff:round_losing", args=[round_id]),
        reverse("staff:proposal", args=[round_id, "C2"]),
        reverse("staff:round_what_if", args=[round_id]),
        reverse("staff:round_send", args=[round_id]),
        reverse("staff:dashboard", args=[round_id]),
        reverse("staff:dashboard_csv", args=[round_id]),
        reverse("staff:families"),
        reverse("staff:family", args=["C2"]),
    ]


def test_anonymous_visitors_are_sent_to_the_staff_login(allocated_round: OfferRound) -> None:
    from django.test import Client

    response = Client().get(reverse("staff:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:staff_login") + "?next=/staff/")


def test_planner_opens_every_planning_and_family_page(planner: User, allocated_round: OfferRound) -> None:
    client = client_for(planner)
    for url in [reverse("staff:home"), *round_pages(allocated_round.pk), reverse("staff:units")]:
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("staff:audit")).status_code == 403


@pytest.mark.parametrize("who", ["director", "nobody"])
def test_director_and_non_staff_get_403_on_rounds_families_and_audit(
    who: str, director: User, nobody: User, allocated_round: OfferRound
) -> None:
    client = client_for({"director": director, "nobody": nobody}[who])
    for url in [*round_pages(allocated_round.pk), reverse("staff:audit")]:
        assert client.get(url).status_code == 403, url
    post = client.post(reverse("staff:family_answer", args=["C2"]), {})
    assert post.status_code == 403


def test_director_sees_only_their_unit_and_another_unit_is_404(director: User) -> None:
    client = client_for(director)
    listing = client.get(reverse("staff:units")).content.decode()
    assert "Päiväkoti Kallio" in listing and "Sörnäinen" not in listing
    assert client.get(reverse("staff:unit", args=["PK-KALLIO"])).status_code == 200
    assert client.get(reverse("staff:unit", args=["PK-SORNAINEN"])).status_code == 404
    assert client.post(reverse("staff:unit", args=["PK-SORNAINEN"]), {"name_fi": "x"}).status_code == 404
    home = client.get(reverse("staff:home")).content.decode()
    assert reverse("staff:rounds") not in home and reverse("staff:families") not in home


def unit_form(unit: Unit, **changes: Any) -> dict[str, Any]:
    data = {
        name: getattr(unit, name)
        for name in (
            "name_fi",
            "name_sv",
            "street_address",
            "postal_code",
            "email",
            "phone",
            "language",
            "opening_hours",
            "pre_primary_hours",
        )
    }
    data["pre_primary_capacity"] = unit.pre_primary_capacity
    return {**data, **changes}


def test_director_edits_their_unit_audited_and_capacity_locks_once_sent(
    director: User, allocated_round: OfferRound, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(director)
    kallio = Unit.objects.get(unit_id="PK-KALLIO")
    url = reverse("staff:unit", args=["PK-KALLIO"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, unit_form(kallio, phone="+358931000009", pre_primary_capacity=5))
    assert response.status_code == 302
    kallio.refresh_from_db()
    assert kallio.phone == "+358931000009" and kallio.pre_primary_capacity == 5
    event = AuditEvent.objects.get(operation="UNIT_UPDATE")
    assert event.actor == "ulla.director" and event.target_id == "PK-KALLIO"
    assert event.details["after"] == {"phone": "+358931000009", "pre_primary_capacity": 5}

    assert client.post(url, unit_form(kallio, postal_code="123")).status_code == 200  # invalid: shown again

    round_send(round_id=allocated_round.pk, actor="test")
    page = client.get(url).content.decode()
    assert 'id="capacity-locked"' in page and "disabled" in page
    response = client.post(url, unit_form(kallio, pre_primary_capacity=9, email="kallio@city.example"))
    assert response.status_code == 302
    kallio.refresh_from_db()
    assert kallio.pre_primary_capacity == 5 and kallio.email == "kallio@city.example"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("8:30 - 12.30", "8.30–12.30"), ("9.00–13.00", "9.00–13.00"), ("  7.05—11.45 ", "7.05–11.45"), ("", "")],
)
def test_director_sets_the_units_hours_written_one_way(
    typed: str, stored: str, director: User, city: None, example_extract: Any
) -> None:
    client = client_for(director)
    kallio = Unit.objects.get(unit_id="PK-KALLIO")
    url = reverse("staff:unit", args=["PK-KALLIO"])
    kallio.pre_primary_hours = "1.00–2.00"
    kallio.save(update_fields=["pre_primary_hours"])
    response = client.post(url, unit_form(kallio, pre_primary_hours=typed, opening_hours="ma–pe 6.30–17.30"))
    assert response.status_code == 302
    kallio.refresh_from_db()
    assert (kallio.pre_primary_hours, kallio.opening_hours) == (stored, "ma–pe 6.30–17.30")

    call_command("import_city_data", str(example_extract), stdout=StringIO())  # the registry has no hours
    kallio.refresh_from_db()
    assert (kallio.pre_primary_hours, kallio.opening_hours) == (stored, "ma–pe 6.30–17.30")


@pytest.mark.parametrize("typed", ["noon", "13.00–9.00", "25.00–26.00", "8.75–12.00", "8–12"])
def test_unit_hours_that_are_not_a_time_span_are_refused_and_nothing_changes(
    typed: str, director: User, city: None
) -> None:
    client = client_for(director)
    kallio = Unit.objects.get(unit_id="PK-KALLIO")
    response = client.post(reverse("staff:unit", args=["PK-KALLIO"]), unit_form(kallio, pre_primary_hours=typed))
    assert response.status_code == 200
    assert 'id="id_pre_primary_hours_error"' in response.content.decode()
    kallio.refresh_from_db()
    assert kallio.pre_primary_hours == ""


def test_summary_shows_units_areas_and_an_svg_chart_without_inline_styles(
    planner: User, allocated_round: OfferRound
) -> None:
    page = client_for(planner).get(reverse("staff:round", args=[allocated_round.pk])).content.decode()
    assert "Päiväkoti Kallio" in page and "FI-1" in page and "<svg" in page
    assert "style=" not in page and "<script>" not in page


def test_summary_says_whether_the_allocation_is_proven_optimal(
    planner: User, allocated_round: OfferRound, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = reverse("staff:round", args=[allocated_round.pk])
    page = client_for(planner).get(url).content.decode()
    placed = allocated_round.allocation_figures["objective"]["placed"]
    assert f"{placed} of {allocated_round.allocation_figures['eligible']} children placed" in page
    assert "Proven optimal" in page and "Not proven optimal" not in page

    # an allocation the solver could not prove in full shows its note (technical, in English)
    def unproven(*args: Any, **kwargs: Any) -> Any:
        result = allocate(*args, **kwargs)
        result.exact = False
        result.notes = ["fi: search stopped: at most 1 more kept child possible"]
        return result

    monkeypatch.setattr(offer_services, "allocate", unproven)
    offer_services.round_allocate(round_id=allocated_round.pk, actor="test")
    page = client_for(planner).get(url).content.decode()
    assert "Proven optimal" not in page and "Not proven optimal" in page
    assert '<ul lang="en"><li>fi: search stopped: at most 1 more kept child possible</li></ul>' in page


def test_children_losing_their_unit_with_the_reason_are_listed_and_audited(
    planner: User, allocated_round: OfferRound, django_capture_on_commit_callbacks: Any
) -> None:
    losing = Proposal.objects.filter(round=allocated_round, kept_current=False)
    assert losing.exists()
    with django_capture_on_commit_callbacks(execute=True):
        page = client_for(planner).get(reverse("staff:round_losing", args=[allocated_round.pk])).content.decode()
    for proposal in losing.select_related("child"):
        assert proposal.child.child_id in page
    assert set(AuditEvent.objects.filter(operation="VIEW_LIST").values_list("target_id", flat=True)) == {
        p.child.child_id for p in losing.select_related("child")
    }


def test_the_list_of_children_losing_their_unit_pages_and_says_how_many_in_all(
    planner: User, allocated_round: OfferRound, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every child is reachable and the caption says how many there are (the list was cut at 500 silently)."""
    more = Proposal.objects.filter(round=allocated_round, kept_current=True).order_by("pk")[:2]
    Proposal.objects.filter(pk__in=[p.pk for p in more]).update(kept_current=False)
    losing = sorted(
        Proposal.objects.filter(round=allocated_round, kept_current=False).values_list("child__child_id", flat=True)
    )
    assert len(losing) >= 3
    monkeypatch.setattr("asti.staff.views.rounds.LOSING_PAGE", 1)
    client = client_for(planner)
    url = reverse("staff:round_losing", args=[allocated_round.pk])
    seen = []
    for number in range(1, len(losing) + 1):
        page = client.get(url, {"page": number}).content.decode()
        assert f"{len(losing)} children: {number}–{number} on this page" in page
        assert f"Page {number} of {len(losing)}" in page
        seen += [child for child in losing if f"({child})</td>" in page]
    assert sorted(seen) == losing


def test_planner_overrides_a_proposal_with_a_required_justification(
    planner: User, allocated_round: OfferRound, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(planner)
    url = reverse("staff:proposal", args=[allocated_round.pk, "C2"])
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(url)
    assert page.status_code == 200 and "m</dd>" in page.content.decode()
    assert AuditEvent.objects.filter(operation="VIEW", target_id="C2", actor="pia.planner").exists()

    missing = client.post(url, {"unit": "PK-TOOLO", "justification": "  "})
    assert missing.status_code == 200 and "required" in missing.content.decode()
    assert Proposal.objects.get(round=allocated_round, child__child_id="C2").override_unit is None

    before = dict(Proposal.objects.filter(round=allocated_round).values_list("child__child_id", "unit__unit_id"))
    response = client.post(url, {"unit": "PK-KALLIO", "justification": "Guardian works next door"})
    assert response.status_code == 302 and response["Location"].startswith("/staff/jobs/")
    # queued, not yet done: the proposal is unchanged, and the round refuses another action meanwhile
    assert Proposal.objects.get(round=allocated_round, child__child_id="C2").override_unit is None
    again = client.post(url, {"unit": "PK-TOOLO", "justification": "Second thoughts"})
    assert "still running" in again.content.decode()
    assert tick_jobs("test-worker") == 1
    proposal = Proposal.objects.get(round=allocated_round, child__child_id="C2")
    assert proposal.unit is not None and proposal.unit.unit_id == "PK-KALLIO"
    assert proposal.override_by == "pia.planner" and proposal.override_reason == "Guardian works next door"

    # the job's page says who else moved, by name, and the view of those children is audited
    after = dict(Proposal.objects.filter(round=allocated_round).values_list("child__child_id", "unit__unit_id"))
    others = sorted(c for c in after if c != "C2" and after[c] != before[c])
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(response["Location"]).content.decode()
    assert "Who else moved" in page
    for child in Proposal.objects.filter(round=allocated_round, child__child_id__in=others).select_related("child"):
        assert child.child.full_name in page
    assert others  # Kallio is full: making room there moves another child
    assert "No other child" not in page
    listed = AuditEvent.objects.filter(operation="VIEW_LIST", actor="pia.planner").values_list("target_id", flat=True)
    assert sorted(listed) == others


def test_what_if_lists_the_children_who_would_move_by_name(
    planner: User, allocated_round: OfferRound, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(planner)
    url = reverse("staff:round_what_if", args=[allocated_round.pk])
    form = client.get(url).content.decode()
    kallio = Unit.objects.get(unit_id="PK-KALLIO")
    assert f'name="capacity_PK-KALLIO" value="{kallio.pre_primary_capacity}"' in form  # today's capacity to edit
    unchanged = client.post(url, {"capacity_PK-KALLIO": str(kallio.pre_primary_capacity)})
    assert unchanged.status_code == 200 and "Give at least one unit a new capacity" in unchanged.content.decode()

    response = client.post(url, {"capacity_PK-KALLIO": "0"})  # by POST: hundreds of units fit
    assert response.status_code == 302 and response["Location"].startswith("/staff/jobs/")
    assert tick_jobs("test-worker") == 1
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(response["Location"]).content.decode()
    assert "What would move" in page and "Capacities tried" in page
    moved = Proposal.objects.filter(round=allocated_round, unit__unit_id="PK-KALLIO").select_related("child")
    assert moved
    for proposal in moved:
        assert proposal.child.full_name in page
    listed = AuditEvent.objects.filter(operation="VIEW_LIST", actor="pia.planner").values_list("target_id", flat=True)
    assert set(listed) == {p.child.child_id for p in moved}
    # nothing stored but the job's result
    assert Proposal.objects.filter(round=allocated_round, unit__unit_id="PK-KALLIO").count() == len(moved)


def test_send_confirmation_states_messages_per_channel_and_sending_matches(
    planner: User, allocated_round: OfferRound
) -> None:
    client = client_for(planner)
    url = reverse("staff:round_send", args=[allocated_round.pk])
    page = client.get(url)
    preview = page.context["preview"]
    assert preview["offers"] == 7
    confirmed = {"action": "send", "messages": preview["messages"], "confirm": "on"}  # the ticked box
    response = client.post(url, confirmed)  # queues the sending; the job page follows it
    assert response.status_code == 302 and response["Location"].startswith("/staff/jobs/")
    assert Offer.objects.count() == 0
    assert tick_jobs("test-worker") == 1
    assert "Dashboard" in client.get(response["Location"]).content.decode()
    sent = {
        channel: Message.objects.filter(template_key__in=OFFER_TEMPLATE_KEYS, channel=channel).count()
        for channel in ("sms", "email")
    }
    assert preview["messages_by_channel"] == {k: v for k, v in sent.items() if v}
    allocated_round.refresh_from_db()
    assert allocated_round.status == RoundStatus.SENT
    assert "cannot be sent" in client.get(url).content.decode()
    assert client.post(url, confirmed).status_code == 302  # a second send is refused with a message
    assert Offer.objects.count() == 7


def test_dashboard_figures_reference_and_csv(planner: User, allocated_round: OfferRound) -> None:
    from asti.offers.answers import offer_answer

    round_send(round_id=allocated_round.pk, actor="test")
    client = client_for(planner)
    url = reverse("staff:dashboard", args=[allocated_round.pk])
    before = client.get(url).context["figures"]
    assert before["offered"] == 7 and before["answered"] == 0 and before["no_answer"] == 7
    offer = Offer.objects.get(child__child_id="C1")
    offer_answer(offer_id=offer.pk, accept=True, guardian=None, channel="phone", actor="pia.planner")
    page = client.get(url)
    figures = page.context["figures"]
    assert figures["answered"] == 1 and figures["accepted"] == 1 and figures["no_answer"] == 6
    html = page.content.decode()
    assert "93 %" in html and "89 %" in html and "87 %" in html and "<polyline" in html
    csv_text = client.get(reverse("staff:dashboard_csv", args=[allocated_round.pk])).content.decode()
    assert "figures,accepted,1," in csv_text and "figures,response_rate,0.1429,0.93" in csv_text
    assert "area:FI-1,offered," in csv_text


def test_family_list_filters(planner: User, allocated_round: OfferRound) -> None:
    round_send(round_id=allocated_round.pk, actor="test")
    client = client_for(planner)
    url = reverse("staff:families")
    rows = client.get(url).context["page"].object_list
    assert len(rows) == Proposal.objects.filter(round=allocated_round).count()
    assert [p.child.child_id for p in client.get(url, {"q": "Aino"}).context["page"].object_list] == ["C1"]
    assert [p.child.child_id for p in client.get(url, {"q": "c6"}).context["page"].object_list] == ["C6"]
    area = {p.child.admission_area.area_id for p in client.get(url, {"area": "SV-1"}).context["page"].object_list}
    assert area == {"SV-1"}
    units = {p.unit.unit_id for p in client.get(url, {"unit": "PK-KALLIO"}).context["page"].object_list}
    assert units == {"PK-KALLIO"}
    Offer.objects.filter(child__child_id="C3").update(status=OfferStatus.DECLINED)
    declined = client.get(url, {"status": "declined"}).context["page"].object_list
    assert [p.child.child_id for p in declined] == ["C3"]
    Message.objects.filter(guardian__guardian_id="G5").update(status="permanent_failure")
    failing = client.get(url, {"failures": "on"}).context["page"].object_list
    assert [p.child.child_id for p in failing] == ["C5"]
    assert not client.get(url, {"follow_up": "on"}).context["page"].object_list


def test_family_page_shows_messages_and_records_a_phone_answer_audited(
    planner: User, allocated_round: OfferRound, django_capture_on_commit_callbacks: Any
) -> None:
    round_send(round_id=allocated_round.pk, actor="test")
    client = client_for(planner)
    url = reverse("staff:family", args=["C1"])
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(url).content.decode()
    assert "Maria Virtanen" in page and "Juha Virtanen" in page and "Offer sent" in page
    assert AuditEvent.objects.filter(operation="VIEW", target_id="C1", actor="pia.planner").exists()
    offer = Offer.objects.get(child__child_id="C1")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("staff:family_answer", args=["C1"]), {"offer": offer.pk, "answer": "decline", "channel": "phone"}
        )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DECLINED and offer.answer_channel == "phone"
    assert offer.recorded_by == "pia.planner"
    event = AuditEvent.objects.get(operation="OFFER_ANSWER")
    assert event.actor == "pia.planner" and event.details["channel"] == "phone"
    assert "recorded by pia.planner" in client.get(url).content.decode()
    assert client.get(reverse("staff:family", args=["NOPE"])).status_code == 404


def test_a_non_disclosure_address_is_not_shown(planner: User, allocated_round: OfferRound) -> None:
    page = client_for(planner).get(reverse("staff:family", args=["C9"])).content.decode()
    assert "Salvor" not in page and "address protected" in page


def test_admin_reads_the_audit_by_person_and_by_staff_member(
    admin_user: User, planner: User, allocated_round: OfferRound, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client_for(planner).get(reverse("staff:family", args=["C1"]))
    client = client_for(admin_user)
    url = reverse("staff:audit")
    assert client.get(url).context["events"] is None
    by_person = client.get(url, {"person": "C1"}).context["events"]
    assert [(e.actor, e.operation) for e in by_person] == [("pia.planner", "VIEW")]
    by_actor = client.get(url, {"actor": "pia.planner"}).context["events"]
    assert {e.target_id for e in by_actor} == {"C1", "C11", "G1", "G2"}  # the family page shows C1's sibling too


def test_the_audit_names_people_filters_by_operation_and_dates_and_exports(
    admin_user: User, planner: User, allocated_round: OfferRound, django_capture_on_commit_callbacks: Any
) -> None:
    import csv
    import datetime as dt
    import io

    from asti.core import clock
    from asti.people.models import Child

    with django_capture_on_commit_callbacks(execute=True):
        client_for(planner).get(reverse("staff:family", args=["C1"]))
    client = client_for(admin_user)
    url = reverse("staff:audit")
    c1 = Child.objects.get(child_id="C1")
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(url, {"person": "C1"})
    assert f"{c1.first_name} {c1.last_name} (C1)" in page.content.decode()  # named, not only an id
    today = clock.today_helsinki()
    assert len(client.get(url, {"actor": "pia.planner", "operation": "view"}).context["rows"]) == 4
    assert client.get(url, {"actor": "pia.planner", "operation": "EXPORT"}).context["rows"] == []
    assert len(client.get(url, {"actor": "pia.planner", "since": today.isoformat()}).context["rows"]) == 4
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert client.get(url, {"actor": "pia.planner", "since": tomorrow}).context["rows"] == []
    backwards = client.get(url, {"since": tomorrow, "until": today.isoformat()})
    assert backwards.context["events"] is None and "before the start date" in backwards.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        export = client.get(reverse("staff:audit_export"), {"actor": "pia.planner"})
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert {r["target_id"] for r in rows} == {"C1", "C11", "G1", "G2"}
    assert next(r for r in rows if r["target_id"] == "C1")["name"] == f"{c1.first_name} {c1.last_name}"
    assert AuditEvent.objects.filter(actor=admin_user.username, operation="AUDIT_EXPORT").exists()
    assert client.get(reverse("staff:audit_export")).status_code == 400  # no filter: no whole-trail dump
    assert client_for(planner).get(reverse("staff:audit_export"), {"actor": "x"}).status_code == 403


@pytest.mark.parametrize("language,word", [("fi", "Kierrokset"), ("sv", "Omgångar")])
def test_pages_speak_finnish_and_swedish(planner: User, allocated_round: OfferRound, language: str, word: str) -> None:
    client = client_for(planner)
    page = client.get(reverse("staff:home"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert word in page


def test_staff_switch_the_language_on_any_page_and_it_stays(planner: User, allocated_round: OfferRound) -> None:
    client = client_for(planner)  # the browser asks for English
    url = reverse("staff:round", args=[allocated_round.pk])
    page = client.get(url).content.decode()
    assert f'action="{reverse("set_language")}"' in page and 'name="next" value="' + url + '"' in page
    assert "Rounds" in page and 'lang="sv"' in page
    response = client.post(reverse("set_language"), {"language": "sv", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url).content.decode()
    assert '<html lang="sv">' in page and "Omgångar" in page
    assert "fördelad" in page  # the round's status label is translated too
    assert "Omgångar" in client.get(reverse("staff:families")).content.decode()

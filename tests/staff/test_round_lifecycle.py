"""The pre-primary year run from the staff pages on the example city: a planner creates the round, allocates and
sends it (background jobs followed on their pages), the deadline passes and the round closes, the second round
is reviewed and confirmed, the decisions are prepared (their documents made by a job) and approved by the
decision-maker the batch names, released at the chosen instant, and the print file downloaded. Who may do
what, and what the round's state refuses."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from asti.applications.models import ApplicationStatus
from asti.applications.services import application_create, application_save_draft, application_send
from asti.applications.validation import ApplicationInput
from asti.audit.models import AuditEvent
from asti.core import clock
from asti.decisions.models import BatchStatus, DecisionBatch
from asti.decisions.services import decision_batches_release_due
from asti.identity.models import Role
from asti.jobs.models import Job, JobStatus
from asti.jobs.scheduler import tick_jobs
from asti.offers.answers import offer_answer
from asti.offers.models import Offer, OfferRound, OfferStatus, RoundStatus
from asti.offers.selectors import unit_capacity_locked
from asti.offers.sending import round_close_deadline, round_send, rounds_tick
from asti.people.models import Guardian
from asti.units.models import Unit
from tests.staff.conftest import client_for, staff_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def decider(city: None) -> User:
    user = staff_user("maija.decider", Role.DECISION_MAKER)
    user.first_name, user.last_name = "Maija", "Päättäjä"
    user.save()
    return user


def job_id_of(response: Any) -> int:
    assert response.status_code == 302, response.status_code
    match = re.fullmatch(r"/staff/jobs/(\d+)/", response["Location"])
    assert match, response["Location"]
    return int(match.group(1))


def text(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def run_job(client: Client, job_id: int) -> str:
    """The job page before and after the scheduler ran it."""
    waiting = text(client, reverse("staff:job", args=[job_id]))
    assert "data-auto-refresh" in waiting and "<progress" in waiting and "waiting" in waiting
    assert tick_jobs("test-worker") >= 1
    done = text(client, reverse("staff:job", args=[job_id]))
    assert Job.objects.get(pk=job_id).status == JobStatus.DONE, Job.objects.get(pk=job_id).error
    assert "data-auto-refresh" not in done and 'value="100"' in done
    return done


def test_a_planner_runs_the_whole_year_from_the_staff_pages(
    planner: User, director: User, decider: User, media: Any
) -> None:
    client = client_for(planner)
    assert "New round" in text(client, reverse("staff:rounds"))

    # create
    response = client.post(reverse("staff:round_create"), {"year": "2027"})
    offer_round = OfferRound.objects.get(year=2027)
    assert response["Location"] == reverse("staff:round", args=[offer_round.pk])
    assert offer_round.status == RoundStatus.DRAFT and offer_round.created_by == "pia.planner"
    round_url = reverse("staff:round", args=[offer_round.pk])
    page = text(client, round_url)
    assert "Allocate the places" in page and "Send the round…" not in page

    # allocate: a background job, followed on its page
    job_id = job_id_of(client.post(reverse("staff:round_allocate", args=[offer_round.pk])))
    assert "An action of this round is running" in text(client, round_url)
    refused = client.post(reverse("staff:round_allocate", args=[offer_round.pk]), follow=True)
    assert "Another action of this round is still running" in refused.content.decode()
    done = run_job(client, job_id)
    assert "Children placed" in done and "Back to the round" in done
    offer_round.refresh_from_db()
    assert offer_round.status == RoundStatus.ALLOCATED and offer_round.proposals.count() == 7
    assert AuditEvent.objects.filter(operation="ROUND_ALLOCATE", actor="pia.planner").exists()
    page = text(client, round_url)
    assert "Allocate again" in page and "Send the round…" in page

    # send: the existing confirmation page, its POST queues the job
    send_url = reverse("staff:round_send", args=[offer_round.pk])
    assert "Send the round now" in text(client, send_url)
    count = client.get(send_url).context["preview"]["messages"]
    job_id = job_id_of(client.post(send_url, {"action": "send", "messages": count, "confirm": "on"}))
    assert "Offers" in run_job(client, job_id)
    offer_round.refresh_from_db()
    assert offer_round.status == RoundStatus.SENT and Offer.objects.filter(round=offer_round).count() == 7
    page = text(client, round_url)
    assert "Allocate again" not in page and "7 offers are still open" in page
    refused = client.post(reverse("staff:round_allocate", args=[offer_round.pk]), follow=True)
    assert "can no longer be allocated" in refused.content.decode()
    refused = client.post(reverse("staff:round_close", args=[offer_round.pk]), follow=True)
    assert any("7 offers are still open" in m for m in messages_of(refused))
    assert unit_capacity_locked(unit=Unit.objects.get(unit_id="PK-KALLIO"))

    # families answer: one declines and applies again, another family applies
    toolo, sornainen = Unit.objects.get(unit_id="PK-TOOLO"), Unit.objects.get(unit_id="PK-SORNAINEN")
    holding = Offer.objects.filter(round=offer_round, unit=toolo).count()
    Unit.objects.filter(pk=toolo.pk).update(pre_primary_capacity=holding + 1)  # one place left in Töölö
    g1 = Guardian.objects.get(guardian_id="G1")
    c1_offer = Offer.objects.get(child__child_id="C1")
    offer_answer(offer_id=c1_offer.pk, accept=False, guardian=g1, channel="link", actor="g1")
    first = application_create(guardian=g1, offer=c1_offer, unit_ids=[toolo.pk, sornainen.pk],
                               supplementary_ecec=False, actor="g1")  # fmt: skip
    g8 = Guardian.objects.get(guardian_id="G8")
    with clock.frozen_at(dt.datetime(2026, 12, 3, 9, tzinfo=dt.UTC)):
        draft = application_save_draft(guardian=g8, child=g8.children.get(), kind="preschool",
                                       data=ApplicationInput(education_language="fi", wishes=(toolo.pk,)),
                                       actor="g8")  # fmt: skip
        second = application_send(guardian=g8, application=draft, actor="g8")

    # the deadline passes: the round clock settles the rest and closes the round
    deadline = max(o.deadline for o in Offer.objects.filter(round=offer_round))
    with clock.frozen_at(deadline + dt.timedelta(hours=1)):
        rounds_tick(actor="clock")
    offer_round.refresh_from_db()
    assert offer_round.status == RoundStatus.CLOSED
    page = text(client, round_url)
    assert "The round is closed" in page and "Run the second round" in page

    # the second round: computed by a job, reviewed, confirmed
    review_url = reverse("staff:second_round", args=[offer_round.pk])
    assert "No result yet" in text(client, review_url)
    job_id = job_id_of(client.post(review_url))
    assert "Review the second round" in run_job(client, job_id)
    review = text(client, review_url)
    assert "Confirm and propose the places" in review
    assert first.child.first_name in review and second.child.first_name in review
    assert re.search(r"Wish 1 \(Päiväkoti Töölö\): full; priority needed (own|other) area / \d+\.\d km", review)
    assert "Wish 1 (Päiväkoti Töölö): met" in review
    assert AuditEvent.objects.filter(operation="VIEW_LIST", actor="pia.planner",
                                     target_id=first.child.child_id).exists()  # fmt: skip
    response = client.post(reverse("staff:second_round_confirm", args=[offer_round.pk]), follow=True)
    assert "2 places were proposed to the families." in messages_of(response)
    assert "The result has been confirmed" in response.content.decode()
    for application in (first, second):
        application.refresh_from_db()
        assert application.status == ApplicationStatus.PLACE_PROPOSED
    again = client.post(reverse("staff:second_round_confirm", args=[offer_round.pk]), follow=True)
    assert "There is no second-round result waiting for confirmation." in messages_of(again)

    # decisions: prepared by the planner, the documents made by a job
    prepare_url = reverse("staff:batch_prepare", args=[offer_round.pk])
    page = text(client, prepare_url)
    assert "Maija Päättäjä (maija.decider)" in page and "planner" not in page.split("id_decision_maker")[1][:300]
    response = client.post(prepare_url, {"title": "Esiopetus 2027", "decided_on": "2027-03-01",
                                         "decision_maker": decider.pk,
                                         "decision_maker_title": "varhaiskasvatusjohtaja"})  # fmt: skip
    job_id = job_id_of(response)
    batch = DecisionBatch.objects.get()
    accepted = Offer.objects.filter(round=offer_round, status__in=[OfferStatus.ACCEPTED, OfferStatus.AUTO_ACCEPTED])
    assert batch.figures["decisions"] == accepted.count() + 2
    assert batch.decision_maker == "Maija Päättäjä, varhaiskasvatusjohtaja"
    assert batch.decision_maker_username == "maija.decider" and batch.prepared_by == "pia.planner"
    batch_url = reverse("staff:batch", args=[batch.pk])
    page = text(client, batch_url)
    assert "The documents are being made" in page and "data-auto-refresh" in page
    assert "Documents made" in run_job(client, job_id)
    page = text(client, batch_url)
    assert "Every document has been made." in page and "data-auto-refresh" not in page
    assert "Waiting for approval by the decision-maker: Maija Päättäjä, varhaiskasvatusjohtaja." in page
    assert "Approve the decisions" not in page
    release_at = (clock.now() + dt.timedelta(days=1)).astimezone(clock.HELSINKI).replace(second=0, microsecond=0)
    approve = {"release_at": release_at.strftime("%Y-%m-%dT%H:%M")}
    assert client.post(reverse("staff:batch_approve", args=[batch.pk]), approve).status_code == 403

    # nobody else: a unit director reaches none of it
    director_client = client_for(director)
    for url in (round_url, review_url, prepare_url, batch_url, reverse("staff:batches"),
                reverse("staff:job", args=[job_id])):  # fmt: skip
        assert director_client.get(url).status_code == 403, url
    assert director_client.post(reverse("staff:round_create"), {"year": "2028"}).status_code == 403

    # another decision-maker does not see a batch naming someone else
    other = client_for(staff_user("olli.decider", Role.DECISION_MAKER))
    assert other.get(batch_url).status_code == 404
    assert other.post(reverse("staff:batch_approve", args=[batch.pk]), approve).status_code == 404
    assert other.get(reverse("staff:job", args=[job_id])).status_code == 404
    assert other.get(round_url).status_code == 403

    # the named decision-maker opens a sample, approves with the release instant
    decider_client = client_for(decider)
    assert "Esiopetus 2027" in text(decider_client, reverse("staff:home"))
    assert text(decider_client, reverse("staff:job", args=[job_id]))  # the render job of their batch
    page = text(decider_client, batch_url)
    assert "Approve the decisions" in page and "Sample decisions" in page
    sample = batch.decisions.order_by("number").first()
    assert sample is not None
    document = decider_client.get(reverse("staff:decision_document", args=[batch.pk, sample.pk]))
    assert document.status_code == 200 and document["Content-Type"] == "application/pdf"
    assert document["Content-Disposition"].startswith("attachment")
    assert b"".join(document.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(operation="DECISION_READ", actor="maija.decider",
                                     target_id=sample.child.child_id).exists()  # fmt: skip
    late = decider_client.post(reverse("staff:batch_approve", args=[batch.pk]), {"release_at": "2020-01-01T08:00"})
    assert late.status_code == 400 and "The release time has passed" in late.content.decode()
    response = decider_client.post(reverse("staff:batch_approve", args=[batch.pk]), approve, follow=True)
    assert any("approved" in m for m in messages_of(response))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPROVED and batch.approved_by == "maija.decider"
    assert batch.release_at == release_at
    assert "Approve the decisions" not in response.content.decode()

    # released at the instant by the scheduler; the print file built by a job
    with clock.frozen_at(release_at + dt.timedelta(seconds=5)):
        assert decision_batches_release_due(actor="scheduler:decisions") == [batch.pk]
        assert tick_jobs("test-worker") == 1
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RELEASED and batch.print_file
    page = text(client, batch_url)
    assert "Download the print file" in page
    download = client.get(reverse("staff:batch_print_file", args=[batch.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(operation="DECISIONS_PRINT_FILE_READ", actor="pia.planner").exists()
    assert AuditEvent.objects.filter(operation="EXPORT", actor="pia.planner", target_type="child").exists()
    assert decider_client.get(reverse("staff:batch_print_file", args=[batch.pk])).status_code == 403
    assert "Download the print file" not in text(decider_client, batch_url)
    first.refresh_from_db()
    assert first.status == ApplicationStatus.DECIDED

    # the round is closed: the unit's pre-primary capacity is editable again
    unit_page = text(client, reverse("staff:unit", args=["PK-KALLIO"]))
    assert 'id="capacity-locked"' not in unit_page
    field = re.search(r"<input[^>]*id=\"id_pre_primary_capacity\"[^>]*>", unit_page)
    assert field is not None and "disabled" not in field.group(0)


def test_closing_a_round_by_hand_once_every_offer_is_settled(planner: User, allocated_round: OfferRound) -> None:
    client = client_for(planner)
    close_url = reverse("staff:round_close", args=[allocated_round.pk])
    refused = client.post(close_url, follow=True)
    assert "Only a sent round can be closed." in messages_of(refused)
    round_send(round_id=allocated_round.pk, actor="test")
    deadline = max(o.deadline for o in Offer.objects.filter(round=allocated_round))
    with clock.frozen_at(deadline + dt.timedelta(minutes=1)):
        round_close_deadline(round_id=allocated_round.pk, actor="clock")  # settled, not yet closed
    allocated_round.refresh_from_db()
    assert allocated_round.status == RoundStatus.SENT
    assert "Close the round" in text(client, reverse("staff:round", args=[allocated_round.pk]))
    response = client.post(close_url, follow=True)
    assert any("The round was closed" in m for m in messages_of(response))
    allocated_round.refresh_from_db()
    assert allocated_round.status == RoundStatus.CLOSED
    assert AuditEvent.objects.filter(operation="ROUND_CLOSE", actor="pia.planner").exists()


def test_a_failed_job_says_so_in_plain_words(planner: User, allocated_round: OfferRound, decider: User) -> None:
    client = client_for(planner)
    job_id = job_id_of(client.post(reverse("staff:round_allocate", args=[allocated_round.pk])))
    round_send(round_id=allocated_round.pk, actor="test")  # the round is sent before the job runs
    tick_jobs("test-worker")
    page = text(client, reverse("staff:job", args=[job_id]))
    assert Job.objects.get(pk=job_id).status == JobStatus.FAILED
    assert "The allocation could not be finished." in page and "Technical details" in page
    assert "data-auto-refresh" not in page
    # a decision-maker sees no round jobs; an unknown job is not found
    assert client_for(decider).get(reverse("staff:job", args=[job_id])).status_code == 404
    assert client.get(reverse("staff:job", args=[job_id + 100])).status_code == 404


def test_preparing_decisions_needs_a_sent_round_and_something_to_decide(
    planner: User, allocated_round: OfferRound, decider: User
) -> None:
    client = client_for(planner)
    url = reverse("staff:batch_prepare", args=[allocated_round.pk])
    assert "Decisions can be prepared once the round has been sent." in text(client, url)
    round_send(round_id=allocated_round.pk, actor="test")
    form = {"title": "Esiopetus 2027", "decided_on": "1.3.2027", "decision_maker": decider.pk,
            "decision_maker_title": "johtaja"}  # fmt: skip
    response = client.post(url, form)  # every offer still open: nothing accepted yet
    assert response.status_code == 400 and "There is nothing to decide" in response.content.decode()
    assert not DecisionBatch.objects.exists()
    response = client.post(url, {**form, "decision_maker": planner.pk})  # only decision-makers may be named
    assert response.status_code == 400 and not DecisionBatch.objects.exists()

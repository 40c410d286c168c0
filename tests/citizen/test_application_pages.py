"""Applications of every kind through the guardian's pages (Django's test client): the family front page, the one
form engine, the receipt, the application page with its timeline, changing and cancelling, attachments; bad input
refused with a clear message and nothing changed."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from asti.applications.models import Application, ApplicationStatus, Attachment, EventKind
from asti.applications.services import application_propose_place, application_start_processing
from asti.audit.models import AuditEvent
from asti.core import clock
from asti.messaging.models import Message
from asti.people.models import Guardian
from tests.citizen.application_family import NOW, PNG, Family
from tests.citizen.conftest import citizen_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with clock.frozen_at(NOW):
        yield


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def family() -> Family:
    return Family()


def login(guardian: Guardian, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(citizen_user(guardian))
    client.cookies["django_language"] = language
    return client


def page(response: Any) -> str:
    return response.content.decode()


def ecec_post(f: Family, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "education_language": "fi", "start_date": "2027-05-17", "service_need": "full_time",
        "daily_start": "08:00", "daily_end": "16:00", "wish_1": str(f.kallio.pk), "wish_2": "", "wish_3": "",
        "phone": "040 123 4567", "email": "maria@example.org", "other_info": "Allergic to nuts", "action": "send",
    }  # fmt: skip
    data.update(changes)
    return data


def sent_reference(response: Any) -> Application:
    match = re.fullmatch(r"/applications/(\d+)/sent/", response["Location"])
    assert match, response["Location"]
    return Application.objects.get(pk=int(match.group(1)))


# ---------------------------------------------------------------------------------------------------------------
# the front page


def test_front_page_shows_what_each_child_can_apply_for_with_the_period(family: Family) -> None:
    html = page(login(family.maria, "fi").get("/"))
    assert "Ei tarjouksia tai hakemuksia" not in html
    assert f'href="/children/{family.baby.pk}/apply/ecec/"' in html
    assert f'href="/children/{family.leo.pk}/apply/preschool/"' in html
    assert f'href="/children/{family.ella.pk}/apply/first_grade/"' in html
    assert f'href="/children/{family.ella.pk}/apply/afternoon/"' in html
    assert f'href="/children/{family.baby.pk}/apply/first_grade/"' not in html
    assert "Hae varhaiskasvatukseen" in html and "Ilmoittaudu kouluun" in html
    assert "Hakuaika 12. tammikuuta 2027–25. tammikuuta 2027." in html
    sv = page(login(family.karin, "sv").get("/"))
    assert "Ansökningstid 12 januari 2027–25 januari 2027." in sv and "Anmäl till skolan" in sv


def test_front_page_shows_a_period_not_yet_open_without_a_button(family: Family) -> None:
    from asti.applications.models import ApplicationPeriod

    ApplicationPeriod.objects.filter(kind="afternoon").update(
        opens_on=dt.date(2027, 3, 1), closes_on=dt.date(2027, 3, 14)
    )
    html = page(login(family.maria, "en").get("/"))
    assert "The application period opens on March 1, 2027" in html
    assert f'href="/children/{family.ella.pk}/apply/afternoon/"' not in html
    assert login(family.maria, "en").get(f"/children/{family.ella.pk}/apply/afternoon/")["Location"] == "/"


# ---------------------------------------------------------------------------------------------------------------
# each kind sent through the form engine


def test_ecec_application_sent_in_finnish_with_receipt_and_timeline(family: Family) -> None:
    client = login(family.maria, "fi")
    form = page(client.get(f"/children/{family.baby.pk}/apply/ecec/"))
    assert "Varhaiskasvatushakemus" in form
    assert "14. toukokuuta 2027" in form  # the earliest start date for today
    assert "Kolmas linja 20, 00530" in form and "Karin Virtanen" in form and "Leo Virtanen" in form  # facts
    assert "Päiväkoti Kallio" in form and "Kolmas linja 10, 00530" in form
    assert "Päiväkoti Vallila" not in form  # no places for under-3s
    assert "Daghemmet Tölö" not in form and "Päiväkoti Tölö" not in form  # Swedish
    response = client.post(f"/children/{family.baby.pk}/apply/ecec/", ecec_post(family))
    assert response.status_code == 302
    application = sent_reference(response)
    assert application.status == ApplicationStatus.SENT and application.kind == "ecec"
    assert application.due_date == dt.date(2027, 5, 17) and application.answers["other_info"] == "Allergic to nuts"
    receipt = page(client.get(response["Location"]))
    assert application.reference is not None and application.reference in receipt and "17. toukokuuta 2027" in receipt
    assert "Mitä seuraavaksi tapahtuu" in receipt
    detail = page(client.get(f"/applications/{application.pk}/"))
    assert "Hakemus lähetetty" in detail and "Päiväkoti Kallio" in detail and "Kokopäiväinen" in detail
    assert Message.objects.filter(subject_type="application").count() == 2  # both custodians told


def test_pre_primary_application_sent_in_swedish(family: Family) -> None:
    client = login(family.karin, "sv")
    url = f"/children/{family.leo.pk}/apply/preschool/"
    form = page(client.get(url))
    assert "Ansökan till förskoleundervisning" in form
    post = {"education_language": "sv", "supplementary_ecec": "on", "daily_start": "07:30", "daily_end": "16:00",
            "wish_1": str(family.tolo.pk), "phone": "050 1", "action": "send"}  # fmt: skip
    response = client.post(url, post)
    application = sent_reference(response)
    assert application.kind == "preschool" and application.school_year == 2027 and application.supplementary_ecec
    assert [w.unit_id for w in application.wishes.all()] == [family.tolo.pk]
    detail = page(client.get(f"/applications/{application.pk}/"))
    assert "Daghemmet Tölö" in detail and "Ansökan skickad" in detail and "07:30–16:00" in detail


def test_first_grade_enrolment_sent_in_finnish_and_swedish_shows_the_neighbourhood_school(family: Family) -> None:
    client = login(family.maria, "fi")
    url = f"/children/{family.ella.pk}/apply/first_grade/"
    form = page(client.get(url))
    assert "Kaupungin osoittama lähikoulu" in form and "Kallion ala-aste" in form
    response = client.post(url, {"education_language": "fi", "first_grade_choice": "neighbourhood", "action": "send",
                                 "phone": "040", "email": "maria@example.org"})  # fmt: skip
    application = sent_reference(response)
    assert [w.school_id for w in application.wishes.all()] == [family.school.pk]
    assert application.reference is not None and application.reference.startswith("PK-2027-")
    # the other custodian cancels it and enrols to a weighted class in Swedish
    other = login(family.karin, "sv")
    assert "Återkalla ansökan" in page(other.get(f"/applications/{application.pk}/"))
    other.post(f"/applications/{application.pk}/cancel/")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CANCELLED
    post = {"education_language": "fi", "first_grade_choice": "weighted", "weighted_curriculum": "music",
            "wish_1": str(family.school.pk), "action": "send"}  # fmt: skip
    second = sent_reference(other.post(url, post))
    assert second.weighted_curriculum == "music" and second.guardian == family.karin


def test_afternoon_activities_sent_with_the_fee_band(family: Family) -> None:
    client = login(family.maria, "fi")
    url = f"/children/{family.ella.pk}/apply/afternoon/"
    form = page(client.get(url))
    assert "enintään 120 € kuukaudessa" in form and "enintään 160 € kuukaudessa" in form
    assert "Tölö lågstadium" not in form and "Töölön ruotsinkielinen koulu" not in form
    post = {"education_language": "fi", "annual_hours": "570", "wish_1": str(family.other_school.pk),
            "wish_2": str(family.school.pk), "action": "send"}  # fmt: skip
    application = sent_reference(client.post(url, post))
    assert application.annual_hours == 570
    assert [w.school_id for w in application.wishes.all()] == [family.other_school.pk, family.school.pk]
    assert "570 tuntia vuodessa" in page(client.get(f"/applications/{application.pk}/"))


# ---------------------------------------------------------------------------------------------------------------
# drafts and the data asked once


def test_a_draft_is_kept_private_and_continued(family: Family) -> None:
    client = login(family.maria, "fi")
    url = f"/children/{family.baby.pk}/apply/ecec/"
    response = client.post(url, ecec_post(family, action="save", other_info="Draft note"))
    assert response.status_code == 302 and response["Location"] == url
    draft = Application.objects.get()
    assert draft.status == ApplicationStatus.DRAFT and draft.reference is None
    again = page(client.get(url))
    assert "Draft note" in again and "Jatkat luonnostasi" in again
    assert f'href="/children/{family.baby.pk}/apply/ecec/"' in page(client.get("/"))
    # the other custodian sees nothing of it
    other = login(family.karin, "sv")
    assert other.get(f"/applications/{draft.pk}/").status_code == 404
    assert "Draft note" not in page(other.get(url))
    assert "Draft note" not in page(other.get("/"))
    # sending the draft keeps one application
    client.post(url, ecec_post(family))
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.SENT and Application.objects.count() == 1


def test_data_asked_once_a_second_application_comes_pre_filled(family: Family) -> None:
    client = login(family.maria, "en")
    post = ecec_post(family, support_need="on", support_description="Speech therapy", phone="040 999 8888")
    sent_reference(client.post(f"/children/{family.baby.pk}/apply/ecec/", post))
    # a sibling's application: the family's contact details and notes are filled in, the child's own are not
    sibling = page(client.get(f"/children/{family.ella.pk}/apply/afternoon/"))
    assert 'value="040 999 8888"' in sibling and "Allergic to nuts" in sibling
    assert "Speech therapy" not in sibling


def test_contact_details_carry_to_the_same_childs_next_application(family: Family) -> None:
    client = login(family.maria, "fi")
    post = {"education_language": "fi", "annual_hours": "760", "wish_1": str(family.school.pk),
            "support_need": "on", "support_description": "Tukipäätös", "phone": "045 1", "action": "send"}  # fmt: skip
    sent_reference(client.post(f"/children/{family.ella.pk}/apply/afternoon/", post))
    form = page(client.get(f"/children/{family.ella.pk}/apply/first_grade/"))
    assert 'value="045 1"' in form


# ---------------------------------------------------------------------------------------------------------------
# bad input: a clear message, nothing changed


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start_date": "2027-01-10"}, "The start date is in the past."),
        ({"start_date": "2027-03-01"}, "The earliest possible start date is May 14, 2027."),
        ({"wish_1": "DH-TOLO"}, "Päiväkoti Tölö does not give education in the language you chose."),
        ({"daily_end": "07:00"}, "The end time must be later than the start time."),
        ({"urgent": "on", "start_date": "2027-02-01"}, "add the certificate of employment or studies"),
        ({"wish_1": ""}, "Choose at least one place."),
    ],
)
def test_bad_input_is_refused_clearly_and_stores_nothing(family: Family, changes: dict[str, str], message: str) -> None:
    if changes.get("wish_1") == "DH-TOLO":
        changes["wish_1"] = str(family.tolo.pk)
    response = login(family.maria, "en").post(f"/children/{family.baby.pk}/apply/ecec/", ecec_post(family, **changes))
    assert response.status_code == 400
    html = page(response)
    assert message in html and "The application was not sent." in html and "Remove the draft" not in html
    if "wish_1" in changes:  # the wishes are the picker's: its search field points to the problem
        assert 'id="id_wishes-error"' in html and 'aria-describedby="id_wishes-error"' in html
    else:
        assert 'aria-invalid="true"' in html
    assert not Application.objects.exists() and not Message.objects.exists()


def test_too_early_start_date_in_finnish_and_swedish_date_format(family: Family) -> None:
    post = ecec_post(family, start_date="2027-03-01")
    fi = page(login(family.maria, "fi").post(f"/children/{family.baby.pk}/apply/ecec/", post))
    assert "Varhaisin mahdollinen aloituspäivä on 14. toukokuuta 2027." in fi
    sv = page(login(family.karin, "sv").post(f"/children/{family.baby.pk}/apply/ecec/", post))
    assert "Det tidigaste möjliga startdatumet är 14 maj 2027." in sv


def test_a_refused_send_leaves_the_saved_draft_as_it_was(family: Family) -> None:
    client = login(family.maria, "en")
    url = f"/children/{family.baby.pk}/apply/ecec/"
    client.post(url, ecec_post(family, action="save"))
    draft = Application.objects.get()
    response = client.post(url, ecec_post(family, wish_1=str(family.tolo.pk), other_info="changed"))
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT and draft.answers["other_info"] == "Allergic to nuts"
    assert [w.unit_id for w in draft.wishes.all()] == [family.kallio.pk]


def test_another_familys_child_or_application_is_not_found(family: Family) -> None:
    client = login(family.neighbour, "fi")
    assert client.get(f"/children/{family.baby.pk}/apply/ecec/").status_code == 404
    assert client.post(f"/children/{family.baby.pk}/apply/ecec/", ecec_post(family)).status_code == 404
    assert login(family.maria, "fi").get(f"/children/{family.baby.pk}/apply/nonsense/").status_code == 404
    sent_reference(login(family.maria, "fi").post(f"/children/{family.baby.pk}/apply/ecec/", ecec_post(family)))
    application = Application.objects.get()
    for path in ("", "change/", "sent/", "cancel/"):
        assert client.get(f"/applications/{application.pk}/{path}").status_code == 404
    assert client.post(f"/applications/{application.pk}/cancel/").status_code == 404
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SENT and Application.objects.count() == 1


# ---------------------------------------------------------------------------------------------------------------
# attachments


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_urgent_ecec_with_an_attachment_is_sent_and_the_file_served_safely(
    family: Family, django_capture_on_commit_callbacks: Any
) -> None:
    client = login(family.maria, "en")
    url = f"/children/{family.baby.pk}/apply/ecec/"
    post = ecec_post(family, urgent="on", start_date="2027-02-01", action="upload", attachment_kind="employment",
                     attachment=upload("työtodistus.png", PNG, "image/png"))  # fmt: skip
    response = client.post(url, post)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.kind == "employment" and attachment.application.status == ApplicationStatus.DRAFT
    assert "työtodistus.png" in page(client.get(url))
    application = sent_reference(client.post(url, ecec_post(family, urgent="on", start_date="2027-02-01")))
    assert application.urgent and application.due_date == dt.date(2027, 2, 1)
    with django_capture_on_commit_callbacks(execute=True):
        download = client.get(f"/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG  # type: ignore[attr-defined]
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff" and "no-store" in download["Cache-Control"]
    assert AuditEvent.objects.filter(operation="APPLICATION_ATTACHMENT_READ").exists()
    # the other custodian may read it; another family may not
    assert login(family.karin, "sv").get(f"/attachments/{attachment.pk}/").status_code == 200
    assert login(family.neighbour, "fi").get(f"/attachments/{attachment.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00 not a document", "virus.exe", "Only PDF, JPEG and PNG files are accepted."),
        (b"", "empty.pdf", "The file is empty."),
        (PNG + b"\x00" * 2048, "big.png", "A file may be at most 0 MB."),
    ],
)
def test_a_refused_attachment_is_explained_and_not_stored(
    family: Family, settings: Any, content: bytes, name: str, message: str
) -> None:
    settings.ASTI_ATTACHMENT_MAX_BYTES = 1024
    client = login(family.maria, "en")
    url = f"/children/{family.baby.pk}/apply/ecec/"
    client.post(url, ecec_post(family, action="save"))
    response = client.post(url, ecec_post(family, action="upload", attachment=upload(name, content)))
    assert response.status_code == 400
    assert message in page(response)
    assert not Attachment.objects.exists()


def test_too_big_file_names_the_limit_in_megabytes_in_finnish(family: Family, settings: Any) -> None:
    settings.ASTI_ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024
    client = login(family.maria, "fi")
    url = f"/children/{family.baby.pk}/apply/ecec/"
    big = upload("iso.pdf", b"%PDF-" + b"0" * (2 * 1024 * 1024))
    response = client.post(url, ecec_post(family, action="upload", attachment=big))
    assert response.status_code == 400 and "enintään 2 Mt" in page(response)
    assert not Attachment.objects.exists()


def test_an_attachment_is_removed_while_editable(family: Family, django_capture_on_commit_callbacks: Any) -> None:
    client = login(family.maria, "en")
    url = f"/children/{family.baby.pk}/apply/ecec/"
    client.post(url, ecec_post(family, action="upload", attachment=upload("a.png", PNG)))
    attachment = Attachment.objects.get()
    stored = Path(attachment.file.path)
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, ecec_post(family, action="save", remove=str(attachment.pk)))
    assert not Attachment.objects.exists() and not stored.exists()


# ---------------------------------------------------------------------------------------------------------------
# the application page: change, cancel, the timeline both custodians follow


def test_change_and_timeline_seen_by_the_other_custodian(family: Family) -> None:
    client = login(family.maria, "fi")
    application = sent_reference(client.post(f"/children/{family.baby.pk}/apply/ecec/", ecec_post(family)))
    change = page(client.get(f"/applications/{application.pk}/change/"))
    assert 'value="2027-05-17"' in change and "Tallenna muutokset" in change
    # a bad change is refused and nothing changes
    response = client.post(f"/applications/{application.pk}/change/", ecec_post(family, start_date="2027-02-01"))
    assert response.status_code == 400 and "14. toukokuuta 2027" in page(response)
    application.refresh_from_db()
    assert application.start_date == dt.date(2027, 5, 17)
    response = client.post(f"/applications/{application.pk}/change/", ecec_post(family, start_date="2027-06-01"))
    assert response["Location"] == f"/applications/{application.pk}/"
    application.refresh_from_db()
    assert application.start_date == dt.date(2027, 6, 1) and application.due_date == dt.date(2027, 6, 1)
    application_start_processing(application=application, actor="staff:s1")
    application_propose_place(application=application, actor="staff:s1", unit=family.kallio)
    other = page(login(family.karin, "sv").get(f"/applications/{application.pk}/"))
    for text in ("Ansökan skickad", "Ansökan ändrad", "Behandlingen började", "Plats föreslagen"):
        assert text in other, text
    assert "Päiväkoti Kallio" in other and "14 januari 2027" in other
    assert "Återkalla ansökan" not in other  # no longer editable
    assert login(family.karin, "sv").get(f"/applications/{application.pk}/change/")["Location"] == (
        f"/applications/{application.pk}/"
    )
    assert [e.kind for e in application.events.all()] == [
        EventKind.SENT, EventKind.EDITED, EventKind.IN_PROCESS, EventKind.PLACE_PROPOSED
    ]  # fmt: skip


def test_cancel_asks_first_then_cancels(family: Family) -> None:
    client = login(family.maria, "en")
    application = sent_reference(client.post(f"/children/{family.baby.pk}/apply/ecec/", ecec_post(family)))
    confirm = page(client.get(f"/applications/{application.pk}/cancel/"))
    assert "Cancel the application?" in confirm
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SENT
    client.post(f"/applications/{application.pk}/cancel/")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CANCELLED
    assert "Application cancelled" in page(client.get(f"/applications/{application.pk}/"))
    # a new one may be started again
    assert client.get(f"/children/{family.baby.pk}/apply/ecec/").status_code == 200


def test_a_pending_application_sends_the_family_to_it(family: Family) -> None:
    application = sent_reference(login(family.maria, "fi").post(f"/children/{family.baby.pk}/apply/ecec/",
                                                                  ecec_post(family)))  # fmt: skip
    response = login(family.karin, "sv").get(f"/children/{family.baby.pk}/apply/ecec/")
    assert response["Location"] == f"/applications/{application.pk}/"

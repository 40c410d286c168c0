"""The demo's messages with the city: ready answers, a few threads in service guidance's and a unit director's
inbox, and call notes, all written through the same services as the pages use (the demo staff are signed in the
way the test login does it, so the messages carry their names)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import User

from asti.conversations.models import AnswerTemplate, CallChannel, Thread, Topic
from asti.conversations.notes import call_note_add
from asti.conversations.services import guardian_reply, staff_reply, thread_read_by_guardian, thread_start_by_guardian
from asti.core import clock
from asti.identity import demo
from asti.identity.claims import staff_from_claims
from asti.identity.models import LoginMethod
from asti.identity.roles import staff_role_groups
from asti.identity.selectors import demo_director_unit_ids, demo_guardians
from asti.identity.services import staff_identify
from asti.offers.selectors import children_visible_for
from asti.people.models import Child, Guardian
from asti.units.models import Unit

READY_ANSWERS = (
    (
        "Application received, being processed",
        "Kiitos viestistä. Hakemuksesi on vastaanotettu ja käsittelyssä. Saat päätöksen viimeistään hakemuksen "
        "käsittelyajan päättyessä. Voit seurata käsittelyä asiointipalvelussa.",
        "Tack för ditt meddelande. Din ansökan har tagits emot och behandlas. Du får beslutet senast när "
        "behandlingstiden går ut. Du kan följa behandlingen i e-tjänsten.",
        "Thank you for your message. Your application has been received and is being processed. You will get the "
        "decision by the end of the processing time at the latest. You can follow it in the e-service.",
    ),
    (
        "Changing the unit",
        "Voit hakea siirtoa toiseen yksikköön tekemällä uuden hakemuksen asiointipalvelussa. Nykyinen paikka säilyy, "
        "kunnes uusi paikka on vahvistettu.",
        "Du kan ansöka om byte till en annan enhet genom att göra en ny ansökan i e-tjänsten. Den nuvarande platsen "
        "finns kvar tills den nya platsen är bekräftad.",
        "You can apply to move to another unit by making a new application in the e-service. The current place is "
        "kept until the new place is confirmed.",
    ),
    (
        "Answer by phone recorded",
        "Kiitos puhelusta. Kirjasimme vastauksesi, ja saat vielä vahvistuksen tekstiviestillä tai sähköpostilla.",
        "Tack för samtalet. Vi har antecknat ditt svar, och du får ännu en bekräftelse per sms eller e-post.",
        "Thank you for the call. We have recorded your answer, and you will get a confirmation by SMS or email.",
    ),
    (
        "Moving house",
        "Jos muutatte, ilmoitathan uuden osoitteen Digi- ja väestötietovirastoon. Esiopetuspaikka voidaan tarvittaessa "
        "vaihtaa uuden kodin läheltä: kerro muuttopäivä vastaamalla tähän viestiin.",
        "Om ni flyttar, meddela den nya adressen till Myndigheten för digitalisering och befolkningsdata. "
        "Förskoleplatsen kan vid behov bytas till en nära det nya hemmet: berätta flyttdagen genom att svara här.",
        "If you move, please tell the Digital and Population Data Services Agency your new address. The pre-primary "
        "place can be changed to one near the new home if needed: reply here with the day you move.",
    ),
)


def _signed_in(key: str) -> User | None:
    """The demo staff member as the test login makes them (their groups and units as the claims say)."""
    person = demo.demo_staff(key)
    if person is None:
        return None
    claims = staff_from_claims(
        demo.staff_claims(person),
        issuer=demo.DEMO_ISSUER,
        groups_claim=settings.ASTI_OIDC_STAFF_GROUPS_CLAIM,
        units_claim=settings.ASTI_OIDC_STAFF_UNITS_CLAIM,
        role_groups=staff_role_groups(),
    )
    return staff_identify(claims=claims, method=LoginMethod.DEMO, ip="127.0.0.1")


def _at(days_ago: int, hour: int, minute: int = 0) -> dt.datetime:
    day = clock.today_helsinki() - dt.timedelta(days=days_ago)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.HELSINKI)


def conversations_make(*, report: Callable[[str], None]) -> None:
    if Thread.objects.exists():
        report(f"messages with the city: {Thread.objects.count()} threads already there, left as they are")
        return
    planner, director = _signed_in("planner"), _signed_in("director")
    if planner is None or director is None:
        return
    now = clock.now()
    for title, fi, sv, en in READY_ANSWERS:
        AnswerTemplate.objects.create(
            title=title, body_fi=fi, body_sv=sv, body_en=en, updated_by=planner.get_username(), updated_at=now
        )
    director_units = list(Unit.objects.filter(unit_id__in=demo_director_unit_ids()))
    for unit in director_units:
        AnswerTemplate.objects.create(
            unit=unit, title="Opening hours", updated_by=director.get_username(), updated_at=now,
            body_fi="Yksikkö on avoinna arkisin klo 7–17. Hoitoajoista voi sopia oman ryhmän kanssa.",
            body_sv="Enheten är öppen vardagar kl. 7–17. Vårdtiderna kan man komma överens om med den egna gruppen.",
            body_en="The unit is open on weekdays from 7 am to 5 pm. Daily hours can be agreed with the group.",
        )  # fmt: skip

    listed = demo_guardians(limit=settings.ASTI_DEMO_LOGIN_GUARDIANS)
    pairs: list[tuple[Guardian, Child]] = []
    for guardian in listed:
        child = children_visible_for(guardian=guardian).order_by("birth_date").first()
        if child is not None:
            pairs.append((guardian, child))
    if len(pairs) < 3:
        report("messages with the city: too few families in the test login for the demo threads")
        return
    made = 0
    (g1, c1), (g2, c2), (g3, c3) = pairs[0], pairs[1], pairs[2]
    with clock.frozen_at(_at(6, 9, 12)):
        answered = thread_start_by_guardian(
            guardian=g1, child=c1, topic=Topic.APPLICATION, title="Iltapäivätoiminta ensi syksynä",
            body="Hei! Milloin iltapäivätoiminnan haku alkaa, ja voiko hakemuksen tehdä jo ennen koulupaikan "
            "vahvistumista?",
        )  # fmt: skip
    with clock.frozen_at(_at(5, 13, 40)):
        staff_reply(
            user=planner, thread=answered, internal=True,
            body="Soitin perheelle, ei vastannut. Vastataan viestillä.",
        )  # fmt: skip
        staff_reply(
            user=planner, thread=answered,
            body="Hei! Iltapäivätoiminnan haku on auki samaan aikaan kuin kouluun ilmoittautuminen, ja hakemuksen "
            "voi tehdä heti. Paikka vahvistetaan, kun koulupaikka on selvillä.",
        )  # fmt: skip
    made += 1
    with clock.frozen_at(_at(4, 8, 30)):
        thread_read_by_guardian(guardian=g1, thread=answered)
        guardian_reply(guardian=g1, thread=answered, body="Kiitos, teen hakemuksen tänään.")
    with clock.frozen_at(_at(1, 19, 5)):
        thread_start_by_guardian(
            guardian=g2, child=c2, topic=Topic.OFFER, title="Muutto kesällä",
            body="Muutamme kesäkuussa toiselle puolelle kaupunkia. Miten esiopetuspaikan kanssa toimitaan?",
        )  # fmt: skip
    made += 1
    with clock.frozen_at(_at(0, 7, 50)):
        thread_start_by_guardian(
            guardian=g3, child=c3, topic=Topic.GENERAL, title="Erityisruokavalio",
            body="Lapsellamme on keliakia. Kenelle ruokavaliotodistus toimitetaan?",
        )  # fmt: skip
    made += 1
    unit_child = Child.objects.filter(current_unit__in=director_units, active=True).order_by("child_id").first()
    if unit_child is not None:
        parent = Guardian.objects.filter(custodies__child=unit_child, custodies__active=True, active=True).first()
        if parent is not None:
            with clock.frozen_at(_at(2, 16, 20)):
                thread_start_by_guardian(
                    guardian=parent, child=unit_child, unit=unit_child.current_unit, topic=Topic.PLACEMENT,
                    title="Hakuajat perjantaisin", body="Voiko lapsen hakea perjantaisin jo klo 14?",
                )  # fmt: skip
            made += 1
    with clock.frozen_at(_at(3, 10, 15)):
        call_note_add(
            actor=planner.get_username(), child=c2, guardian=g2, channel=CallChannel.PHONE,
            text="Huoltaja kysyi muuton vaikutuksesta esiopetuspaikkaan. Neuvottu vastaamaan viestiin muuttopäivällä.",
        )  # fmt: skip
    report(f"messages with the city: {made} threads, {len(READY_ANSWERS) + len(director_units)} ready answers")

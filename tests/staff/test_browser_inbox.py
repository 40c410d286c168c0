"""Browser journey on the team inbox: service guidance opens the inbox in Finnish, opens a thread a guardian wrote,
answers it with a ready answer (filled in the guardian's language without any script), and the thread shows the
answer; the inbox, the thread, the ready answers and writing to a family are checked with axe-core in Finnish,
Swedish and English on a 390 px wide phone screen (no sideways scrolling)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from asti.conversations.models import AnswerTemplate, AuthorKind, ThreadMessage, Topic
from asti.conversations.services import NEW_MESSAGE_TEMPLATE, thread_start_by_guardian
from asti.core import clock
from asti.messaging.models import Message
from tests.citizen.application_family import Family
from tests.citizen.browser import assert_accessible, chromium  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

WIDTH = 390


@pytest.fixture
def staff_page(chromium: Any, live_server: Any, settings: Any) -> Iterator[Any]:  # noqa: F811
    settings.ASTI_ENV = "demo"
    settings.ASTI_DEMO_LOGIN = True
    context = chromium.new_context(
        base_url=live_server.url, locale="fi-FI", bypass_csp=True, viewport={"width": WIDTH, "height": 844}
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def check(page: Any) -> None:
    """No sideways scrolling at 390 px (measured first: axe changes the page), and nothing axe-core finds."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url}: {width} px wide at {WIDTH} px"
    assert_accessible(page)


def visit(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    check(page)


def test_service_guidance_answers_a_guardian_with_a_ready_answer(staff_page: Any) -> None:
    page = staff_page
    family = Family()
    AnswerTemplate.objects.create(
        title="Allergiat", body_fi="Kiitos viestistä. Välitämme tiedon allergiasta yksikköön.",
        body_sv="Tack för meddelandet. Vi meddelar enheten om allergin.",
        body_en="Thank you for your message. We will tell the unit about the allergy.", updated_at=clock.now(),
    )  # fmt: skip
    thread = thread_start_by_guardian(
        guardian=family.maria, child=family.leo, title="Leon pähkinäallergia", body="Leo ei voi syödä pähkinöitä.",
        topic=Topic.PLACEMENT,
    )  # fmt: skip

    page.goto("/login/staff/?next=/staff/inbox/")
    page.locator("button[name=staff][value=planner]").click()
    page.wait_for_url("**/staff/inbox/")
    assert page.locator("html").get_attribute("lang") == "fi"
    check(page)
    row = page.locator(f"#thread-{thread.pk}")
    assert row.locator(".staff-tag").count() == 1  # unread, in words
    row.get_by_role("link", name="Leon pähkinäallergia").click()
    page.wait_for_url(f"**/staff/inbox/{thread.pk}/")
    check(page)
    assert "Leo ei voi syödä pähkinöitä." in page.locator("#thread-messages").inner_text()
    assert "Maria Virtanen" in page.locator("#family-guardians").inner_text()

    page.select_option("#template", label="Allergiat")
    page.locator("#template-picker button[type=submit]").click()
    page.wait_for_url("**template=*")
    body = page.locator("#id_body")
    assert body.input_value() == "Kiitos viestistä. Välitämme tiedon allergiasta yksikköön."
    body.fill(body.input_value() + " Terveisin Pia")
    page.locator("#send-answer").click()
    page.wait_for_url(f"**/staff/inbox/{thread.pk}/**")
    assert page.locator(".staff-message").count() == 1
    messages = page.locator("#thread-messages")
    assert "Välitämme tiedon allergiasta yksikköön. Terveisin Pia" in messages.inner_text()
    check(page)
    answer = ThreadMessage.objects.get(thread=thread, author_kind=AuthorKind.STAFF)
    assert not answer.internal and answer.staff_user is not None
    assert Message.objects.filter(template_key=NEW_MESSAGE_TEMPLATE, guardian=family.maria).count() == 1

    pages = ["/staff/inbox/", f"/staff/inbox/{thread.pk}/", "/staff/inbox/answers/", "/staff/inbox/answers/new/",
             "/staff/families/C2/write/"]  # fmt: skip
    for language in ("fi", "sv", "en"):
        page.goto("/staff/inbox/")
        page.locator(f"button[name=language][value={language}]").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == language
        for url in pages:
            visit(page, url)

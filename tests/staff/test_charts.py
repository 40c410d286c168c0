"""The SVG charts write their numbers the way SVG reads them in every language (a dot decimal), the reference
line sits at its share, and the first day of answers draws a line."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from asti.offers.answers import offer_answer
from asti.offers.models import Offer, OfferRound
from asti.offers.sending import round_send
from asti.staff import charts
from tests.staff.conftest import client_for

NUMBER = r"-?\d+(?:\.\d+)?"
SVG_NUMBER_ATTRIBUTES = re.compile(r'\s(width|height|x|y|x1|x2|y1|y2|dy|points|viewBox)="([^"]*)"')


def svg_attribute_problems(html: str) -> list[str]:
    """Every numeric attribute inside an <svg> that a browser would not read as a number or length."""
    problems = []
    for svg in re.findall(r"<svg\b.*?</svg>", html, re.S):
        for name, value in SVG_NUMBER_ATTRIBUTES.findall(svg):
            parts = re.split(r"[\s,]+", value.strip()) if name in ("points", "viewBox") else [value.removesuffix("%")]
            if name == "points" and "," not in value and value:
                problems.append(f"{name}={value!r}")  # pairs must be x,y
            if not all(re.fullmatch(NUMBER, p) for p in parts if p) or not value:
                problems.append(f"{name}={value!r}")
    return problems


def test_svg_number_writes_a_dot_decimal_and_no_trailing_zeros() -> None:
    assert [charts.svg_number(v) for v in (33.333, 40.0, 0.04, -0.01, 1234.56)] == ["33.3", "40", "0", "0", "1234.6"]
    bar = charts.bars([("a", 1, 3)])[0]
    assert (bar.value_width, bar.limit_width) == ("33.3%", "100%")


def test_a_single_day_draws_a_level_line_across_the_box() -> None:
    drawn = charts.line([50], top=100)
    assert drawn.points == "30,100 570,100"
    assert charts.line([], top=100).points == ""
    assert charts.line([0, 50, 100], top=100).points == "30,170 300,100 570,30"


def test_the_reference_line_sits_at_its_share_between_the_axes() -> None:
    assert charts.reference_y(0.93) == "39.8"  # 93 % of the way from the x axis (170) to the top (30)
    assert charts.reference_y(0) == charts.FRAME.bottom and charts.reference_y(1) == charts.FRAME.top


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_charts_write_numbers_svg_can_read_in_every_language(
    planner: User, allocated_round: OfferRound, language: str
) -> None:
    client = client_for(planner)
    client.cookies["django_language"] = language
    plan = client.get(reverse("staff:round", args=[allocated_round.pk])).content.decode()
    assert 'class="staff-bar"' in plan
    assert svg_attribute_problems(plan) == []
    widths = re.findall(r'class="staff-bar-value[^"]*" x="0" y="6" width="([^"]*)"', plan)
    assert widths and any(w != "0%" for w in widths)

    round_send(round_id=allocated_round.pk, actor="test")
    offer_answer(offer_id=Offer.objects.get(child__child_id="C1").pk, accept=True, guardian=None, channel="phone",
                 actor="pia.planner")  # fmt: skip
    dashboard = client.get(reverse("staff:dashboard", args=[allocated_round.pk])).content.decode()
    assert svg_attribute_problems(dashboard) == []
    assert 'y1="39.8"' in dashboard and 'points="30,' in dashboard  # the reference line and today's line

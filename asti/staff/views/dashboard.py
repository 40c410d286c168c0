"""The live round dashboard: figures, answers over time and per area, the city's reference figures, CSV."""

from __future__ import annotations

import csv
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from asti.core import city
from asti.offers import selectors as offer_selectors
from asti.offers.models import OfferRound
from asti.staff import charts
from asti.staff.access import staff_view
from asti.staff.selectors import can_plan_rounds

FIGURE_KEYS = (
    "eligible", "offered", "delivered", "failed", "answered", "accepted", "declined", "no_answer", "auto_accepted",
    "feedback_answers", "response_rate", "acceptance_rate", "satisfaction_rate",
)  # fmt: skip


def _reference() -> dict[str, float]:
    """The city's figures from the previous, traditional rounds (the city profile's [reference])."""
    return city.active().reference


def _dashboard(offer_round: OfferRound) -> dict[str, Any]:
    reference = _reference()
    figures = offer_selectors.round_dashboard_figures(offer_round=offer_round)
    series = offer_selectors.round_answers_over_time(offer_round=offer_round)
    offered = max(figures["offered"], 1)
    answered_pct = [round(100 * row["answered_total"] / offered) for row in series]
    accepted_pct = [round(100 * row["accepted_total"] / offered) for row in series]
    areas = offer_selectors.round_answers_per_area(offer_round=offer_round)
    area_bars = charts.bars(
        [(a["child__admission_area__area_id"] or "–", a["accepted"] + a["declined"], a["offered"]) for a in areas]
    )
    rates = [
        {"key": key, "value": figures[key], "reference": ref, "below": figures[key] < ref}
        for key, ref in reference.items()
    ]
    return {
        "round": offer_round,
        "figures": figures,
        "rates": rates,
        "series": series,
        "answered_line": charts.line(answered_pct, top=100),
        "accepted_line": charts.line(accepted_pct, top=100),
        "reference_replied_y": charts.reference_y(reference["response_rate"]),
        "reference_replied_pct": round(100 * reference["response_rate"]),
        "chart": charts.FRAME,
        "areas": list(zip(areas, area_bars, strict=True)),
    }


@staff_view(can_plan_rounds)
def dashboard(request: HttpRequest, round_id: int) -> HttpResponse:
    offer_round = get_object_or_404(OfferRound, pk=round_id)
    return render(request, "staff/dashboard.html", _dashboard(offer_round))


@staff_view(can_plan_rounds)
def dashboard_csv(request: HttpRequest, round_id: int) -> HttpResponse:
    """The figures (with the reference figures) and the per-area and per-day rows, as one CSV."""
    offer_round = get_object_or_404(OfferRound, pk=round_id)
    data = _dashboard(offer_round)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="round-{offer_round.pk}-figures.csv"'
    writer = csv.writer(response)
    writer.writerow(["section", "key", "value", "reference"])
    for key in FIGURE_KEYS:
        writer.writerow(["figures", key, data["figures"][key], _reference().get(key, "")])
    for area, _bar in data["areas"]:
        for key in ("offered", "accepted", "declined", "open"):
            writer.writerow([f"area:{area['child__admission_area__area_id'] or '-'}", key, area[key], ""])
    for row in data["series"]:
        writer.writerow([f"day:{row['day'].isoformat()}", "answered_total", row["answered_total"], ""])
        writer.writerow([f"day:{row['day'].isoformat()}", "accepted_total", row["accepted_total"], ""])
    return response

"""`city` in every page: the city profile in the page's language (asti.core.city)."""

from __future__ import annotations

from django.http import HttpRequest

from asti.core import city as city_profile


def city(request: HttpRequest) -> dict[str, city_profile.CityTexts]:
    return {"city": city_profile.texts()}

"""`{% city_texts as city %}`: the city profile in the active language, for pages rendered without a request
(the error pages); pages with a request have `city` from the context processor."""

from __future__ import annotations

from django import template

from asti.core import city as city_profile

register = template.Library()


@register.simple_tag
def city_texts() -> city_profile.CityTexts:
    return city_profile.texts()

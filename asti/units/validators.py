"""What a unit's director may write into the texts that go into the city's official messages to families (the
unit's name and address are in every offer SMS): no web or email addresses, which would let a message carry a
phishing link under the city's name."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_LINK = re.compile(
    r"(https?:|www\.|@|\b[\w-]+\.(fi|ax|se|eu|com|net|org|info|io|me|app|biz|xyz|link|site|online|shop|top|ru)\b)",
    re.IGNORECASE,
)


def no_links(value: str) -> None:
    if _LINK.search(value or ""):
        raise ValidationError(
            _("No web or email addresses here: this text goes into the city's messages to families."), code="link"
        )

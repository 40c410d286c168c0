"""Finding a person by their identity code, wherever staff can (the family search, the admin): the code is
looked up by its keyed digest only, each lookup is audited without the code, and a staff user gets at most
ASTI_IDENTITY_CODE_SEARCHES_PER_HOUR of them in an hour (a search that confirms a guessed code would otherwise
let the masked code be recovered by trying the few hundred codes of a known birth date).
"""

from __future__ import annotations

import hashlib

from django.conf import settings

from asti.audit.services import audit_log
from asti.core import clock
from asti.identity.ratelimit import window_count

WINDOW = 3600


def identity_code_lookup(*, actor: str, where: str) -> bool:
    """Counts one identity-code lookup by `actor` and audits it; False when they are over the hour's limit."""
    limit: int = settings.ASTI_IDENTITY_CODE_SEARCHES_PER_HOUR
    bucket = int(clock.now().timestamp()) // WINDOW
    digest = hashlib.sha256(actor.encode()).hexdigest()[:32]
    count = window_count(f"asti:identity-code-lookups:{digest}:{bucket}", window=WINDOW)
    allowed = count <= limit
    outcome = {True: "SUCCESS", False: "REFUSED"}[allowed]
    audit_log(
        actor=actor, operation="SEARCH_IDENTITY_CODE", target_type="person", status=outcome,
        details={"where": where, "lookups_this_hour": count, "limit": limit},
    )  # fmt: skip
    return allowed

"""Erasing a guardian where the law allows it (GDPR article 17): everything Asti holds only for messaging and
service guidance, all or nothing, in one transaction.

What is erased comes from the same table list as the data export (`asti.people.export.personal_tables`): the
guardian, the children in their custody whom no other guardian's custody keeps, and every row that refers to them.
A row that refers to an erased person through a link that owns it (deleted or protected with its target) is
erased; a row that refers to them only through a link that is cleared when its target goes (SET_NULL) stays with
that link emptied when it also belongs to someone kept (the other custodian's thread about their child, a message
in it), and is erased otherwise (a message to the guardian alone, their reply). Files go from the disk after the
commit; the guardian's logins go too.

Refused, with the reason, when any of those rows is an official record (`OFFICIAL_RECORDS`: a sent application, an
offer, a decision), or a child in the guardian's custody has one (a custodian is a party to it): they are kept under
the archive act and the city's archive plan (GDPR article 17(3)(b) and (e)) and can go only when their retention
period ends. A test family (every identity code in it a temporary one, 900–999) is not a real case, so its records
are erased too when asked with `test_family`.

The audit trail is not erased: it records who used the person's data and is kept under its own rule
(tiedonhallintalaki 906/2019 17 §). The erasure itself is audited with counts per table, never contents.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models.fields.files import FieldFile

from asti.audit.services import audit_log
from asti.core import crypto
from asti.identity.models import CitizenIdentity
from asti.people.export import personal_tables
from asti.people.models import Child, Custody, Guardian
from asti.privacy.retention import OFFICIAL_RECORDS


class ErasureRefused(Exception):
    pass


@dataclass
class ErasurePlan:
    guardian: Guardian
    children: list[Child]  # erased with the guardian
    kept_children: list[Child]  # another guardian's custody keeps them
    erased: dict[str, set[Any]] = field(default_factory=dict)  # label -> primary keys
    cleared: dict[str, dict[Any, list[str]]] = field(default_factory=dict)  # label -> pk -> links emptied
    official: dict[str, int] = field(default_factory=dict)  # label -> official records among the erased rows
    logins: int = 0

    def counts(self) -> dict[str, int]:
        out = {f"{label} erased": len(pks) for label, pks in self.erased.items() if pks}
        out.update({f"{label} cleared": len(rows) for label, rows in self.cleared.items() if rows})
        if self.logins:
            out["identity.CitizenIdentity erased"] = self.logins
        return out

    def refusal(self) -> str:
        records = ", ".join(f"{count} {label}" for label, count in sorted(self.official.items()))
        return (
            f"refused: {records} are official records of the admission procedure, kept under the archive act "
            "(arkistolaki 831/1994) and the city's archive plan; they can be erased only when their retention "
            "period ends (GDPR article 17(3)(b))"
        )


def erasure_plan(*, guardian: Guardian, test_family: bool = False) -> ErasurePlan:
    """What erasing this guardian would remove and clear (changes nothing)."""
    children = list(Child.objects.filter(custodies__guardian=guardian).distinct().order_by("child_id"))
    kept_ids = set(
        Custody.objects.filter(child__in=children).exclude(guardian=guardian).values_list("child_id", flat=True)
    )
    if test_family:
        kept_ids = set()
        people = [guardian, *children]
        if not all(crypto.hetu_is_temporary(p.hetu) for p in people):
            raise ErasureRefused("refused: not a test family (a permanent identity code in it)")
    plan = ErasurePlan(
        guardian=guardian,
        children=[c for c in children if c.pk not in kept_ids],
        kept_children=[c for c in children if c.pk in kept_ids],
    )
    plan.erased = {Guardian._meta.label: {guardian.pk}, Child._meta.label: {c.pk for c in plan.children}}
    for label, links in personal_tables().items():
        if label in plan.erased:
            continue
        model = apps.get_model(label)
        fields = {name: model._meta.get_field(name) for name, _ in links}
        query = models.Q()
        for name, target in links:
            if plan.erased.get(target):
                query |= models.Q(**{f"{name}__in": plan.erased[target]})
        erased: set[Any] = set()
        cleared: dict[Any, list[str]] = {}
        if query:
            for row in model._default_manager.filter(query).only("pk", *(f.attname for f in fields.values())):
                hits, others = [], False
                for name, target in links:
                    value = getattr(row, fields[name].attname)
                    if value is not None and value in plan.erased.get(target, ()):
                        hits.append(name)
                    elif value is not None:
                        others = True
                owning = any(fields[name].remote_field.on_delete is not models.SET_NULL for name in hits)
                if owning or not others:
                    erased.add(row.pk)
                else:
                    cleared[row.pk] = hits
        plan.erased[label] = erased
        plan.cleared[label] = cleared
        if label in OFFICIAL_RECORDS and not test_family:
            # a custodian is a party to their children's admission records, so a kept child's count too
            party = models.Q(pk__in=erased | set(cleared))
            for name, target in links:
                if target == Child._meta.label:
                    party |= models.Q(**{f"{name}__in": [c.pk for c in children]})
            if found := model._default_manager.filter(OFFICIAL_RECORDS[label]).filter(party).count():
                plan.official[label] = found
    plan.logins = CitizenIdentity.objects.filter(hetu_digest=guardian.hetu_digest).count()
    return plan


def person_erase(*, guardian: Guardian, actor: str, reason: str, test_family: bool = False) -> ErasurePlan:
    """Erases the guardian as `erasure_plan` says, in one transaction, or raises ErasureRefused (audited too)."""
    try:
        if not reason.strip():
            raise ErasureRefused("refused: a reason is required")
        with transaction.atomic():
            guardian = Guardian.objects.select_for_update().get(pk=guardian.pk)
            plan = erasure_plan(guardian=guardian, test_family=test_family)
            if plan.official:
                raise ErasureRefused(plan.refusal())
            _erase(plan)
            audit_log(
                actor=actor, operation="PERSON_ERASE", target_type="guardian", target_id=guardian.guardian_id,
                details={"reason": reason, "children": [c.child_id for c in plan.children],
                         "test_family": test_family, "rows": plan.counts()},
            )  # fmt: skip
    except ErasureRefused as refused:
        audit_log(
            actor=actor, operation="PERSON_ERASE", target_type="guardian", target_id=guardian.guardian_id,
            details={"reason": reason, "refused": str(refused)}, status="REFUSED",
        )  # fmt: skip
        raise
    return plan


def _erase(plan: ErasurePlan) -> None:
    files: list[FieldFile] = []
    for label, rows in plan.cleared.items():
        model = apps.get_model(label)
        by_links: dict[tuple[str, ...], list[Any]] = defaultdict(list)
        for pk, links in rows.items():
            by_links[tuple(links)].append(pk)
        for emptied, pks in by_links.items():
            model._default_manager.filter(pk__in=pks).update(**dict.fromkeys(emptied))
    for label in reversed(list(plan.erased)):  # each table before those it points to
        if plan.erased[label]:
            _erase_rows(apps.get_model(label), plan.erased[label], files)
    for identity in CitizenIdentity.objects.filter(hetu_digest=plan.guardian.hetu_digest).select_related("user"):
        identity.user.delete()  # the login goes with its user
    transaction.on_commit(partial(_delete_files, files))


def _erase_rows(model: type[models.Model], pks: set[Any], files: list[FieldFile]) -> None:
    rows = model._default_manager.filter(pk__in=pks)
    file_fields = [f.name for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
    if file_fields:
        files += [getattr(row, name) for row in rows.only("pk", *file_fields) for name in file_fields]
    rows.delete()


def _delete_files(files: list[FieldFile]) -> None:
    for f in files:
        if f:
            f.delete(save=False)

"""How a background job reads on its page: what it does, how far it is, where to go back, and its result or
error in words (the job handlers report in short technical English; the planners read their own language)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from asti.jobs.models import Job, JobStatus

TITLES: dict[str, StrOrPromise] = {
    "offers.allocate": _("Allocating the round's places"),
    "offers.send": _("Sending the round"),
    "offers.override": _("Changing a proposal"),
    "offers.what_if": _("Capacity what-if"),
    "applications.second_round": _("Second round"),
    "decisions.render": _("Making the decisions' documents"),
    "decisions.print": _("Building the print file"),
}
MESSAGES: dict[str, StrOrPromise] = {
    "allocating": _("Allocating the places…"),
    "stored": _("The proposals were stored."),
    "queuing the offers": _("Queuing the offers and their messages…"),
    "placing the wishes": _("Placing the wishes…"),
}
FAILURES: dict[str, StrOrPromise] = {
    "offers.allocate": _("The allocation could not be finished. The earlier proposals, if any, are unchanged."),
    "offers.send": _("The round could not be sent. No offer went out; you can try again."),
    "offers.override": _("The proposal could not be changed. The round and its proposals are unchanged."),
    "offers.what_if": _("The what-if could not be computed. Nothing was changed."),
    "applications.second_round": _("The second round could not be computed. Nothing was changed."),
    "decisions.render": _("The documents could not all be made. The ones made are kept; the job can be run again."),
    "decisions.print": _("The print file could not be built."),
}
RESULT_LABELS: dict[str, StrOrPromise] = {
    "eligible": _("Eligible children"),
    "placed": _("Children placed"),
    "kept": _("Keep their current unit"),
    "in_area": _("In their own admission area"),
    "proven_optimal": _("Proven optimal"),
    "offers": _("Offers"),
    "unreachable_families": _("Families with neither a phone number nor an email address"),
    "unplaced": _("Without a place"),
    "applicants": _("Applications"),
    "by_wish": _("A wish met"),
    "assigned": _("Assigned where there was room"),
    "rendered": _("Documents made"),
    "printed": _("Decisions in the print file"),
}
MOVED_LABELS: dict[str, StrOrPromise] = {
    "offers.override": _("Other children whose proposal changed"),
    "offers.what_if": _("Children who would move"),
}
STATUS_LABELS: dict[str, StrOrPromise] = {
    JobStatus.QUEUED: _("waiting"),
    JobStatus.RUNNING: _("running"),
    JobStatus.DONE: _("done"),
    JobStatus.FAILED: _("failed"),
}
_FRACTION = re.compile(r"^\d+ / \d+$")


@dataclass
class JobView:
    job: Job
    title: StrOrPromise
    message: str
    back_url: str
    back_label: StrOrPromise
    results: list[tuple[StrOrPromise, Any]] = field(default_factory=list)
    failure: StrOrPromise = ""
    more_links: list[tuple[str, StrOrPromise]] = field(default_factory=list)
    moves: list[list[str | None]] | None = None  # (child id, unit id before, after) of a finished what-if or override

    @property
    def status_label(self) -> StrOrPromise:
        return STATUS_LABELS.get(self.job.status, self.job.status)

    @property
    def waiting(self) -> bool:
        return self.job.status in (JobStatus.QUEUED, JobStatus.RUNNING)


def _message(job: Job) -> str:
    text = job.message.strip()
    if not text or _FRACTION.match(text):
        return text
    known = MESSAGES.get(text)
    return str(known) if known is not None else ""


def _value(value: Any) -> Any:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


def job_view(job: Job) -> JobView:
    params = job.params
    more: list[tuple[str, StrOrPromise]] = []
    if job.kind in ("decisions.render", "decisions.print"):
        back_url, back_label = reverse("staff:batch", args=[params["batch"]]), _("Back to the decision batch")
    elif job.kind == "offers.what_if":
        back_url, back_label = reverse("staff:round_what_if", args=[params["round"]]), _("Try other capacities")
        more.append((reverse("staff:round", args=[params["round"]]), _("Back to the round")))
    elif job.kind == "offers.override":
        back_url = reverse("staff:proposal", args=[params["round"], params["child"]])
        back_label = _("Back to the proposal")
        more.append((reverse("staff:round", args=[params["round"]]), _("Back to the round")))
    elif job.kind == "applications.second_round":
        back_url, back_label = reverse("staff:second_round", args=[params["round"]]), _("Review the second round")
    else:
        back_url, back_label = reverse("staff:round", args=[params["round"]]), _("Back to the round")
        if job.kind == "offers.send":
            more.append((reverse("staff:dashboard", args=[params["round"]]), _("Dashboard")))
    results = [(RESULT_LABELS[k], _value(v)) for k, v in job.result.items() if k in RESULT_LABELS]
    done = job.status == JobStatus.DONE
    if done and job.kind in MOVED_LABELS:
        results.append((MOVED_LABELS[job.kind], job.result.get("moved", 0)))
    return JobView(
        job=job,
        title=TITLES.get(job.kind, job.kind),
        message=_message(job),
        back_url=back_url,
        back_label=back_label,
        results=results if job.status == JobStatus.DONE else [],
        failure=FAILURES.get(job.kind, _("The work stopped with an error.")) if job.status == JobStatus.FAILED else "",
        more_links=more,
        moves=list(job.result.get("moves", [])) if done and job.kind in MOVED_LABELS else None,
    )

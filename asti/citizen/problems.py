"""The guardian's words for what the application engine refused: each FieldProblem next to its field, each
refused attachment and each refused step with a clear reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from asti.applications.attachments import EMPTY, TOO_BIG, TOO_MANY, WRONG_TYPE
from asti.applications.services import ApplicationErrorCode
from asti.applications.validation import FieldProblem, Problem

# Where a problem is shown on the form: the engine's field names, or a group of fields.
GENERAL = "general"


def _required(field: str) -> str:
    texts = {
        "education_language": _("Choose the language of education."),
        "start_date": _("Give the date when the place is needed."),
        "service_need": _("Choose part-time or full-time."),
        "daily_start": _("Give the time the day starts."),
        "daily_end": _("Give the time the day ends."),
        "shift_care_reason": _("Tell why shift care is needed."),
        "support_description": _("Describe the need for support."),
        "first_grade_choice": _("Choose which school you apply for."),
        "weighted_curriculum": _("Choose the weighted curriculum."),
        "annual_hours": _("Choose 570 or 760 hours a year."),
        "attachment_kind": _("Choose what the file is."),
    }
    return texts.get(field, _("This information is needed."))


def _day(iso: str) -> str:
    try:
        return date_format(dt.date.fromisoformat(iso), "DATE_FORMAT")
    except ValueError:
        return iso


def problem_text(problem: FieldProblem) -> str:
    place = problem.params.get("place", "")
    match problem.problem:
        case Problem.REQUIRED:
            return _required(problem.field)
        case Problem.NOT_ELIGIBLE:
            return _("The child cannot apply for this service now.")
        case Problem.START_IN_PAST:
            return _("The start date is in the past. Give a date in the future.")
        case Problem.START_TOO_EARLY:
            return _(
                "The earliest possible start date is %(day)s. The place must be applied for at least four months "
                "in advance, or two weeks in advance when the need is sudden."
            ) % {"day": _day(problem.params.get("earliest", ""))}
        case Problem.HOURS_ORDER:
            return _("The end time must be later than the start time.")
        case Problem.PART_TIME_TOO_LONG:
            return _("Part-time means at most 5 hours a day. Shorten the hours or choose full-time.")
        case Problem.NO_WISHES:
            return _("Choose at least one place.")
        case Problem.TOO_MANY_WISHES:
            return _("Choose at most three places.")
        case Problem.REPEATED_PLACE:
            return _("Choose each place only once.")
        case Problem.UNKNOWN_PLACE:
            if place:
                return _("%(place)s cannot be chosen for this application.") % {"place": place}
            return _("A chosen place cannot be chosen for this application.")
        case Problem.WRONG_LANGUAGE:
            return _("%(place)s does not give education in the language you chose.") % {"place": place}
        case Problem.WRONG_AGE:
            return _("%(place)s has no places for children of this age.") % {"place": place}
        case Problem.NO_SHIFT_CARE:
            return _("%(place)s does not give shift care.") % {"place": place}
        case Problem.NO_SUCH_CLASS:
            return _("%(place)s has no class with the weighted curriculum you chose.") % {"place": place}
        case Problem.NO_DESIGNATED_SCHOOL:
            return _("No neighbourhood school was found for the child. Please choose a school yourself.")
        case Problem.BAD_CHOICE:
            return _("Choose one of the options.")
        case Problem.ATTACHMENT_NEEDED:
            return _("When the need is sudden, add the certificate of employment or studies as an attachment.")
    return _("Please check this information.")


def problems_by_field(problems: Iterable[FieldProblem]) -> dict[str, list[str]]:
    """Messages per place on the form; a problem about the child as a whole goes to the top."""
    out: dict[str, list[str]] = {}
    for problem in problems:
        key = GENERAL if problem.field == "child" else problem.field
        text = problem_text(problem)
        if text not in out.setdefault(key, []):
            out[key].append(text)
    return out


def error_text(code: ApplicationErrorCode) -> str:
    texts = {
        ApplicationErrorCode.PERIOD_NOT_OPEN: _("The application period has not started yet."),
        ApplicationErrorCode.HAS_OFFER: _(
            "The child has a pre-primary offer for this year. Please answer the offer first."
        ),
        ApplicationErrorCode.ALREADY_SENT: _("An application of this kind for the child is already being processed."),
        ApplicationErrorCode.NOT_EDITABLE: _("The application can no longer be changed: its processing has started."),
        ApplicationErrorCode.WRONG_STATUS: _("The application can no longer be changed: its processing has started."),
        ApplicationErrorCode.NOT_GUARDIAN: _("You cannot change this application."),
    }
    return texts.get(code, _("The application could not be saved. Please check the information."))


def attachment_refused_text(reason: str) -> str:
    if reason == TOO_BIG:
        megabytes = settings.ASTI_ATTACHMENT_MAX_BYTES // (1024 * 1024)
        return _("The file is too big. A file may be at most %(mb)s MB.") % {"mb": megabytes}
    if reason == WRONG_TYPE:
        return _("This type of file cannot be added. Only PDF, JPEG and PNG files are accepted.")
    if reason == TOO_MANY:
        return _("No more files can be added: an application may have at most %(n)s attachments.") % {
            "n": settings.ASTI_ATTACHMENTS_PER_APPLICATION
        }
    if reason == EMPTY:
        return _("The file is empty.")
    return _("The file could not be added.")

"""Who may see what on the staff pages, as selectors: every view asks these, and the tests pin them per role.

planner (service guidance)  rounds (plan, send, dashboard), every family, every municipal unit and school,
                            every sent application (handles them: processing, proposals, paper ones)
unit director               their own units only (no rounds, no families); the applications wishing for those
                            units, read-only with notes
administrator               what a planner may, and the audit trail
decision-maker              the decision batches naming them: figures, sample documents, approval

Planners run a round's long work as background jobs and follow them on the job pages: they see every round and
decision job; a decision-maker sees the jobs of the batches naming them.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, OuterRef, Q, QuerySet

from asti.applications.models import Application, ApplicationStatus, Wish
from asti.decisions.models import DecisionBatch
from asti.identity.models import Role
from asti.identity.selectors import staff_roles_for_user, staff_units_for_user
from asti.jobs.models import Job
from asti.people.models import Child
from asti.units.models import Provider, Unit

AnyUser = User | AnonymousUser


def staff_roles(*, user: AnyUser) -> frozenset[Role]:
    return staff_roles_for_user(user=user)


def is_staff_member(*, user: AnyUser) -> bool:
    return bool(staff_roles(user=user))


def can_plan_rounds(*, user: AnyUser) -> bool:
    return bool({Role.PLANNER, Role.ADMIN} & staff_roles(user=user))


def can_read_audit(*, user: AnyUser) -> bool:
    return Role.ADMIN in staff_roles(user=user)


def units_visible_for(*, user: AnyUser) -> QuerySet[Unit]:
    """Planners and administrators: every municipal pre-primary unit; a unit director: their own units."""
    if can_plan_rounds(user=user):
        return Unit.objects.filter(provider=Provider.MUNICIPAL, pre_primary=True).order_by("unit_id")
    return staff_units_for_user(user=user)


def units_editable_by(*, user: AnyUser) -> QuerySet[Unit]:
    """The same units as are visible: whoever sees a unit here is responsible for its details."""
    return units_visible_for(user=user)


def families_visible_for(*, user: AnyUser) -> QuerySet[Child]:
    """Planners (service guidance) and administrators see every family; unit directors none on these pages."""
    if can_plan_rounds(user=user):
        return Child.objects.all()
    return Child.objects.none()


def can_see_families(*, user: AnyUser) -> bool:
    return can_plan_rounds(user=user)


def unit_pages_for(*, user: AnyUser) -> QuerySet[Unit]:
    """The units whose pages (details and capacities) this user keeps: for planners every municipal unit giving
    pre-primary or early childhood education; for a unit director their own units."""
    if can_plan_rounds(user=user):
        return Unit.objects.filter(Q(pre_primary=True) | Q(ecec=True), provider=Provider.MUNICIPAL).order_by("unit_id")
    return staff_units_for_user(user=user)


def can_handle_applications(*, user: AnyUser) -> bool:
    """Planners (service guidance) and administrators start processing, propose places, enter paper ones."""
    return can_plan_rounds(user=user)


def can_see_applications(*, user: AnyUser) -> bool:
    """Handlers, and unit directors for the applications that wish for their units."""
    return can_handle_applications(user=user) or staff_units_for_user(user=user).exists()


def can_keep_schools(*, user: AnyUser) -> bool:
    return can_plan_rounds(user=user)


def application_units_limit(*, user: AnyUser) -> tuple[int, ...] | None:
    """None for handlers (every application); a unit director's own units otherwise (the queue shows the
    applications wishing for them or with one of them proposed)."""
    if can_handle_applications(user=user):
        return None
    return tuple(staff_units_for_user(user=user).values_list("pk", flat=True))


def applications_visible_for_staff(*, user: AnyUser) -> QuerySet[Application]:
    """Sent applications (a draft is the family's own): all for handlers; for a unit director those that wish
    for one of their units or have one proposed."""
    rows = Application.objects.exclude(status=ApplicationStatus.DRAFT)
    limit = application_units_limit(user=user)
    if limit is None:
        return rows
    wished = Wish.objects.filter(application=OuterRef("pk"), unit_id__in=limit)
    return rows.filter(Exists(wished) | Q(proposed_unit_id__in=limit))


# ---- decisions and background jobs ---------------------------------------------------------------------------

ROUND_JOB_KINDS = frozenset({"offers.allocate", "offers.send", "applications.second_round", "offers.override"})
PLANNING_JOB_KINDS = frozenset({"offers.what_if"})  # read-only: they run beside the round's own actions
DECISION_JOB_KINDS = frozenset({"decisions.render", "decisions.print"})


def can_decide(*, user: AnyUser) -> bool:
    """A decision-maker approves the decision batches that name them (the service checks the name again)."""
    return Role.DECISION_MAKER in staff_roles(user=user)


def can_see_decisions(*, user: AnyUser) -> bool:
    return can_plan_rounds(user=user) or can_decide(user=user)


def decision_batches_visible_for(*, user: AnyUser) -> QuerySet[DecisionBatch]:
    """Planners: every batch (they prepare them); a decision-maker: the batches naming them."""
    if can_plan_rounds(user=user):
        return DecisionBatch.objects.all()
    if can_decide(user=user):
        return DecisionBatch.objects.filter(decision_maker_username=user.get_username())
    return DecisionBatch.objects.none()


def can_approve_batch(*, user: AnyUser, batch: DecisionBatch) -> bool:
    return can_decide(user=user) and batch.decision_maker_username == user.get_username()


def can_download_print_file(*, user: AnyUser) -> bool:
    """The print service's file (names and addresses of every family served by post): planners only."""
    return can_plan_rounds(user=user)


def decision_makers() -> QuerySet[User]:
    """The users a planner may name as the decision-maker of a batch: the active members of the group."""
    return User.objects.filter(groups__name=Role.DECISION_MAKER.value, is_active=True).order_by(
        "last_name", "first_name", "username"
    )


def jobs_visible_for(*, user: AnyUser) -> QuerySet[Job]:
    if can_plan_rounds(user=user):
        return Job.objects.filter(kind__in=ROUND_JOB_KINDS | PLANNING_JOB_KINDS | DECISION_JOB_KINDS)
    if can_decide(user=user):
        batches = list(decision_batches_visible_for(user=user).values_list("pk", flat=True))
        return Job.objects.filter(kind__in=DECISION_JOB_KINDS, params__batch__in=batches)
    return Job.objects.none()


def can_see_jobs(*, user: AnyUser) -> bool:
    return can_see_decisions(user=user)

from django.urls import path

from asti.staff.views import applications, audit, dashboard, families, home, lifecycle, paper, rounds, units

app_name = "staff"

urlpatterns = [
    path("", home.home, name="home"),
    path("rounds/", rounds.round_list, name="rounds"),
    path("rounds/new/", lifecycle.round_create_view, name="round_create"),
    path("rounds/<int:round_id>/", rounds.round_plan, name="round"),
    path("rounds/<int:round_id>/allocate/", lifecycle.round_allocate_view, name="round_allocate"),
    path("rounds/<int:round_id>/close/", lifecycle.round_close_view, name="round_close"),
    path("rounds/<int:round_id>/second-round/", lifecycle.second_round_view, name="second_round"),
    path(
        "rounds/<int:round_id>/second-round/confirm/", lifecycle.second_round_confirm_view, name="second_round_confirm"
    ),
    path("rounds/<int:round_id>/decisions/", lifecycle.batch_prepare_view, name="batch_prepare"),
    path("rounds/<int:round_id>/losing/", rounds.round_losing, name="round_losing"),
    path("rounds/<int:round_id>/children/<str:child_id>/", rounds.proposal_detail, name="proposal"),
    path("rounds/<int:round_id>/what-if/", rounds.round_what_if_view, name="round_what_if"),
    path("rounds/<int:round_id>/send/", rounds.round_send_view, name="round_send"),
    path("rounds/<int:round_id>/dashboard/", dashboard.dashboard, name="dashboard"),
    path("rounds/<int:round_id>/dashboard.csv", dashboard.dashboard_csv, name="dashboard_csv"),
    path("applications/", applications.queue, name="applications"),
    path("applications.csv", applications.queue_csv, name="applications_csv"),
    path("applications/<int:pk>/", applications.application_page, name="application"),
    path("applications/<int:pk>/start/", applications.application_start, name="application_start"),
    path("applications/<int:pk>/propose/", applications.application_propose, name="application_propose"),
    path("applications/<int:pk>/notes/", applications.application_note, name="application_note"),
    path(
        "applications/<int:pk>/attachments/<int:attachment_id>/",
        applications.attachment_download,
        name="application_attachment",
    ),
    path("families/", families.family_search, name="families"),
    path("families/<str:child_id>/", families.family_page, name="family"),
    path("families/<str:child_id>/answer/", families.family_answer, name="family_answer"),
    path("families/<str:child_id>/application/", families.family_paper_application, name="family_application"),
    path("families/<str:child_id>/applications/<str:kind>/", paper.paper_application, name="family_paper"),
    path("units/", units.unit_list, name="units"),
    path("units/<str:unit_id>/", units.unit_edit, name="unit"),
    path("units/<str:unit_id>/capacities/", units.unit_capacities, name="unit_capacities"),
    path("schools/", units.school_list, name="schools"),
    path("schools/<str:school_id>/", units.school_edit, name="school"),
    path("audit/", audit.audit_page, name="audit"),
    path("decisions/", lifecycle.batch_list, name="batches"),
    path("decisions/<int:batch_id>/", lifecycle.batch_page, name="batch"),
    path("decisions/<int:batch_id>/approve/", lifecycle.batch_approve, name="batch_approve"),
    path(
        "decisions/<int:batch_id>/documents/<int:decision_id>/", lifecycle.decision_document, name="decision_document"
    ),
    path("decisions/<int:batch_id>/print-file/", lifecycle.batch_print_file, name="batch_print_file"),
    path("jobs/<int:job_id>/", lifecycle.job_page, name="job"),
]

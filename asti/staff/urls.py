from django.urls import path

from asti.staff.views import audit, dashboard, families, home, rounds, units

app_name = "staff"

urlpatterns = [
    path("", home.home, name="home"),
    path("rounds/", rounds.round_list, name="rounds"),
    path("rounds/<int:round_id>/", rounds.round_plan, name="round"),
    path("rounds/<int:round_id>/losing/", rounds.round_losing, name="round_losing"),
    path("rounds/<int:round_id>/children/<str:child_id>/", rounds.proposal_detail, name="proposal"),
    path("rounds/<int:round_id>/what-if/", rounds.round_what_if_view, name="round_what_if"),
    path("rounds/<int:round_id>/send/", rounds.round_send_view, name="round_send"),
    path("rounds/<int:round_id>/dashboard/", dashboard.dashboard, name="dashboard"),
    path("rounds/<int:round_id>/dashboard.csv", dashboard.dashboard_csv, name="dashboard_csv"),
    path("families/", families.family_search, name="families"),
    path("families/<str:child_id>/", families.family_page, name="family"),
    path("families/<str:child_id>/answer/", families.family_answer, name="family_answer"),
    path("families/<str:child_id>/application/", families.family_paper_application, name="family_application"),
    path("units/", units.unit_list, name="units"),
    path("units/<str:unit_id>/", units.unit_edit, name="unit"),
    path("audit/", audit.audit_page, name="audit"),
]

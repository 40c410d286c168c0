from django.urls import path

from asti.identity import demo_views, views

app_name = "identity"

urlpatterns = [
    path("login/", views.guardian_login, name="login"),
    path("login/callback/", views.guardian_callback, name="guardian_callback"),
    path("login/staff/", views.staff_login, name="staff_login"),
    path("login/staff/callback/", views.staff_callback, name="staff_callback"),
    path("login/test/", demo_views.test_login, name="test_login"),
    path("logout/", views.logout, name="logout"),
    path("logout/done/", views.logged_out, name="logged_out"),
    path("logout/ended/", views.session_ended, name="session_ended"),
]

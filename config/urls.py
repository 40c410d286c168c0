from django.contrib import admin
from django.urls import include, path

from asti.core import views as core_views
from asti.identity import views as identity_views

admin.site.site_header = "Asti"
admin.site.site_title = "Asti"
admin.site.index_title = "Asti — staff administration"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("city.css", core_views.city_css, name="city_css"),
    path("city-logo", core_views.city_logo, name="city_logo"),
    # Staff log in to the admin through asti.identity (OIDC or the demo's test identification), not a password.
    path("admin/login/", identity_views.admin_login),
    path("admin/logout/", identity_views.logout),
    path("", include("asti.identity.urls")),
    path("admin/", admin.site.urls),
    path("messaging/", include("asti.messaging.urls")),
    path("staff/", include("asti.staff.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("asti.citizen.urls")),
]

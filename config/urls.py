from django.contrib import admin
from django.urls import path

from asti.core import views as core_views

admin.site.site_header = "Asti"
admin.site.site_title = "Asti"
admin.site.index_title = "Asti — staff administration"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

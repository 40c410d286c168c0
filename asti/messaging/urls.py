from django.urls import path

from asti.messaging import views

app_name = "messaging"

urlpatterns = [
    path("kannel/inbound/<str:token>/", views.kannel_inbound, name="kannel_inbound"),
    path("kannel/dlr/<int:message_id>/<str:token>/", views.kannel_dlr, name="kannel_dlr"),
    path("simulated/", views.simulated_index, name="simulated_index"),
    path("simulated/<int:guardian_id>/", views.simulated_guardian, name="simulated_guardian"),
]

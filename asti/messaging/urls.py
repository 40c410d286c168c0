from django.urls import path

from asti.messaging import views

app_name = "messaging"

urlpatterns = [
    # Kannel's callbacks: their secret comes as basic-auth credentials, never in the path (asti.messaging.tokens).
    path("kannel/inbound/", views.kannel_inbound, name="kannel_inbound"),
    path("kannel/dlr/<int:message_id>/", views.kannel_dlr, name="kannel_dlr"),
    path("simulated/", views.simulated_index, name="simulated_index"),
    path("simulated/<int:guardian_id>/", views.simulated_guardian, name="simulated_guardian"),
]

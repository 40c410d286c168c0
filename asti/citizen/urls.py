from django.urls import path

from asti.citizen import views, views_apply, views_pages

app_name = "citizen"

urlpatterns = [
    path("", views.front, name="front"),
    path("o/<str:token>", views.offer_link, name="offer_link"),
    path("offers/<int:offer_id>/", views.offer_detail, name="offer"),
    path("offers/<int:offer_id>/accept/", views.offer_answer_page, {"answer": "accept"}, name="accept"),
    path("offers/<int:offer_id>/decline/", views.offer_answer_page, {"answer": "decline"}, name="decline"),
    path("offers/<int:offer_id>/accepted/", views.offer_done, name="offer_done"),
    path("offers/<int:offer_id>/feedback/", views.offer_feedback, name="feedback"),
    path("offers/<int:offer_id>/apply/", views_apply.apply, name="apply"),
    path("applications/<int:application_id>/", views_apply.application_detail, name="application"),
    path("accessibility/", views_pages.accessibility, name="accessibility"),
    path("feedback/", views_pages.feedback_channel, name="feedback_channel"),
]

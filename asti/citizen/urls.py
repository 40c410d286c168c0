from django.urls import path

from asti.citizen import views, views_applications, views_apply, views_decisions, views_messages, views_pages

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
    path("offers/<int:offer_id>/not-needed/", views_apply.decline_other_arrangement, name="decline_not_needed"),
    path("offers/<int:offer_id>/undo-decline/", views_apply.decline_undo, name="decline_undo"),
    path("applications/<int:application_id>/", views_apply.application_detail, name="application"),
    path("children/<int:child_id>/apply/<str:kind>/", views_applications.application_start, name="apply_kind"),
    path("applications/<int:application_id>/change/", views_applications.application_change, name="application_change"),
    path("applications/<int:application_id>/sent/", views_applications.application_sent, name="application_sent"),
    path(
        "applications/<int:application_id>/cancel/",
        views_applications.application_cancel_page,
        name="application_cancel",
    ),
    path("attachments/<int:attachment_id>/", views_applications.attachment_download, name="attachment"),
    path("decisions/<int:decision_id>/", views_decisions.decision_page, name="decision"),
    path("decisions/<int:decision_id>/pdf/", views_decisions.decision_pdf, name="decision_pdf"),
    path("decisions/delivery/", views_decisions.delivery_choice, name="delivery_choice"),
    path("messages/", views_messages.message_list, name="messages"),
    path("messages/new/", views_messages.message_new, name="message_new"),
    path("messages/<int:thread_id>/", views_messages.thread_page, name="thread"),
    path("messages/files/<int:attachment_id>/", views_messages.message_attachment, name="message_attachment"),
    path("accessibility/", views_pages.accessibility, name="accessibility"),
    path("feedback/", views_pages.feedback_channel, name="feedback_channel"),
    path("privacy/", views_pages.privacy_notice, name="privacy"),
]

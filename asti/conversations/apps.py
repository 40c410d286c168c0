from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "asti.conversations"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Messages with the city")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from asti.conversations.signals import follow_up_saved
        from asti.messaging.models import FollowUp

        post_save.connect(follow_up_saved, sender=FollowUp, dispatch_uid="conversations.thread_from_reply")

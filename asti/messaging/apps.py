from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "asti.messaging"
    label = "messaging"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Messaging"

    def ready(self) -> None:
        # registers the system checks, and the reconciliation with the scheduler
        from asti.messaging import checks, jobs  # noqa: F401

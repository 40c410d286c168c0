from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "asti.messaging"
    label = "messaging"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Messaging"

    def ready(self) -> None:
        from asti.messaging import checks  # noqa: F401  (registers the system checks)

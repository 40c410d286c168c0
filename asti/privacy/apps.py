from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "asti.privacy"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Retention and erasure"

    def ready(self) -> None:
        import asti.privacy.jobs  # noqa: F401 (registers the purge with the scheduler)

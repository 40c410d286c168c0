from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "asti.identity"
    verbose_name = "Identity and login"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from asti.identity import checks  # noqa: F401  (registers the deployment checks)

from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "asti.identity"
    verbose_name = "Identity and login"
    default_auto_field = "django.db.models.BigAutoField"

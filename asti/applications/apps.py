from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "asti.applications"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Applications")

    def ready(self) -> None:
        import asti.applications.jobs  # noqa: F401 (registers the second round with the scheduler)

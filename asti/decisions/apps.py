from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "asti.decisions"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Decisions")

    def ready(self) -> None:
        import asti.decisions.jobs  # noqa: F401 (registers the release with the scheduler)

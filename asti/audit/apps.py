from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "asti.audit"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        import asti.audit.jobs  # noqa: F401 (registers the forwarding with the scheduler)

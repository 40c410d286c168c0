from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "asti.staff"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Staff pages"

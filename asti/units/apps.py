from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "asti.units"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Units and admission areas"

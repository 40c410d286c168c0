from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "asti.people"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Children and guardians"

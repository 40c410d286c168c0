from django.apps import AppConfig


class CitizenConfig(AppConfig):
    name = "asti.citizen"
    verbose_name = "Guardian pages"

from django.apps import AppConfig


class OffersConfig(AppConfig):
    name = "asti.offers"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Offer rounds"

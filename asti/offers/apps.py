from django.apps import AppConfig


class OffersConfig(AppConfig):
    name = "asti.offers"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Offer rounds"

    def ready(self) -> None:
        from asti.messaging.inbound import register_reply_handler
        from asti.offers.answers import handle_reply

        register_reply_handler(handle_reply)
        import asti.offers.jobs  # noqa: F401 (registers the round clock with the scheduler)

from django.apps import AppConfig


class SupportBotConfig(AppConfig):
    """The support chat that knows a shopper's orders and the store's FAQ."""

    name = "support_bot"
    verbose_name = "Support bot"

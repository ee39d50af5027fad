from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    """The commerce core: markets, customers, carts, checkout, orders, payments, events."""

    name = "storefront"
    verbose_name = "Storefront"

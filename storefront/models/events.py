from django.db import models


class ShopperEvent(models.Model):
    """What shoppers do, for the models to learn from. A guest is known by a client id only."""

    class Type(models.TextChoices):
        VIEW = "view", "View"
        SEARCH = "search", "Search"
        ADD_TO_CART = "add_to_cart", "Add to cart"
        REMOVE_FROM_CART = "remove_from_cart", "Remove from cart"
        PURCHASE = "purchase", "Purchase"

    type = models.CharField(max_length=20, choices=Type.choices)
    customer = models.ForeignKey(
        "storefront.Customer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    client_id = models.CharField(max_length=64, blank=True, db_index=True)
    session_id = models.CharField(max_length=64, blank=True)
    market = models.ForeignKey(
        "storefront.Market", null=True, blank=True, on_delete=models.SET_NULL
    )
    product = models.ForeignKey("catalog.Product", null=True, blank=True, on_delete=models.SET_NULL)
    variant = models.ForeignKey("catalog.Variant", null=True, blank=True, on_delete=models.SET_NULL)
    order = models.ForeignKey("storefront.Order", null=True, blank=True, on_delete=models.SET_NULL)
    query = models.CharField(max_length=200, blank=True)
    quantity = models.PositiveIntegerField(null=True, blank=True)
    occurred_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["customer", "occurred_at"]),
            models.Index(fields=["type", "occurred_at"]),
            # what a customer bought, excluded from their recommendations on every request
            models.Index(fields=["customer", "type"], name="shopperevent_customer_type"),
        ]

    def __str__(self) -> str:
        return f"{self.type} at {self.occurred_at:%Y-%m-%d %H:%M}"

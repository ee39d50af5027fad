import uuid

from django.db import models


class Cart(models.Model):
    """A shopper's cart. Guests hold it by its unguessable token; a customer's cart is theirs."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        "storefront.Customer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="carts",
    )
    market = models.ForeignKey("storefront.Market", on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"cart {self.token}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.CASCADE)
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="cart_line_one_per_variant"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="cart_line_quantity"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x variant {self.variant_id}"

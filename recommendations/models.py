"""What was recommended to whom (for click attribution), what shoppers said about it, and the
item neighbours the co-occurrence baselines serve from."""

import uuid

from django.db import models


class Recommendation(models.Model):
    """One list served to one shopper. Each item's recommendation id is `<public id>.<position>`,
    so an impression or click names the list and the slot it came from."""

    class Kind(models.TextChoices):
        FOR_YOU = "for_you"
        SIMILAR = "similar"
        BOUGHT_TOGETHER = "bought_together"
        TRENDING = "trending"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    customer = models.ForeignKey(
        "storefront.Customer", null=True, blank=True, on_delete=models.CASCADE
    )
    client_id = models.CharField(max_length=64, blank=True)
    market = models.ForeignKey("storefront.Market", null=True, on_delete=models.SET_NULL)
    anchor = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    items = models.JSONField(
        help_text="Every page of the list, in order: product id, score, reason, provenance."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.public_id}"


class RecommendationFeedback(models.Model):
    class Action(models.TextChoices):
        IMPRESSION = "impression"
        CLICK = "click"
        NOT_INTERESTED = "not_interested"

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="feedback"
    )
    position = models.PositiveIntegerField()
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    merchant = models.ForeignKey("catalog.Merchant", on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "position", "action"],
                name="recommendation_feedback_once_per_slot",
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} of {self.recommendation_id}.{self.position}"


class Suppression(models.Model):
    """A product a shopper does not want to see recommended again."""

    customer = models.ForeignKey(
        "storefront.Customer", null=True, blank=True, on_delete=models.CASCADE
    )
    client_id = models.CharField(max_length=64, blank=True, db_index=True)
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["customer", "product"])]

    def __str__(self) -> str:
        return f"suppress {self.product_id}"


class ItemNeighbour(models.Model):
    """Products that go together, counted from shopper behaviour: viewed in the same sessions, or
    bought in the same orders. Rebuilt by a batch task; the co-occurrence baseline serves it."""

    class Kind(models.TextChoices):
        CO_VIEW = "co_view"
        CO_PURCHASE = "co_purchase"

    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    neighbour = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    score = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product", "kind", "neighbour"], name="item_neighbour_unique"
            )
        ]
        indexes = [models.Index(fields=["product", "kind", "-score"])]

    def __str__(self) -> str:
        return f"{self.product_id} ~ {self.neighbour_id} ({self.kind})"

from django.db import models

from storefront.validators import language_validate


class FaqEntry(models.Model):
    """A question the support bot can answer from, store-wide or one merchant's own."""

    class Topic(models.TextChoices):
        SHIPPING = "shipping", "Shipping"
        RETURNS = "returns", "Returns"
        CUSTOMS = "customs", "Customs and duties"
        PAYMENTS = "payments", "Payments"
        ORDERS = "orders", "Orders"

    merchant = models.ForeignKey(
        "catalog.Merchant",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="faq_entries",
        help_text="Blank for the whole store.",
    )
    topic = models.CharField(max_length=20, choices=Topic.choices)
    language = models.CharField(max_length=16, validators=[language_validate])
    question = models.CharField(max_length=300)
    answer = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["topic", "language", "id"]
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ entries"

    def __str__(self) -> str:
        return f"[{self.language}] {self.question}"

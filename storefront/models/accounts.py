import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from storefront.validators import country_validate, language_validate


class Customer(models.Model):
    """A shopper with an account (email login). Guests have carts and orders, not a Customer."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="customer"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    market = models.ForeignKey(
        "storefront.Market", null=True, blank=True, on_delete=models.SET_NULL
    )
    language = models.CharField(max_length=16, blank=True, validators=[language_validate])
    created_at = models.DateTimeField(default=timezone.now)
    erased_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"customer {self.public_id}"


class Address(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    full_name = models.CharField(max_length=200)
    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    postal_code = models.CharField(max_length=20, blank=True)
    region = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, validators=[country_validate])
    phone = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return f"{self.city}, {self.country}"

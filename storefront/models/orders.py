import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from storefront.money import AMOUNT_DECIMAL_PLACES, AMOUNT_MAX_DIGITS


def _amount(**kwargs) -> models.DecimalField:
    return models.DecimalField(
        max_digits=AMOUNT_MAX_DIGITS, decimal_places=AMOUNT_DECIMAL_PLACES, **kwargs
    )


def _order_number() -> str:
    return f"SF-{secrets.token_hex(5).upper()}"


def _access_token() -> str:
    return secrets.token_urlsafe(24)


class Order(models.Model):
    """A placed order, priced in the shopper's currency with the exchange rates it used.

    Every status change is an OrderEvent; `status` is only ever changed by
    `storefront.services.orders.order_transition`."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending payment"
        ON_HOLD = "on_hold", "On hold (authorized, not captured)"
        PAID = "paid", "Paid"
        FULFILLED = "fulfilled", "Fulfilled"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"
        REFUNDED = "refunded", "Refunded"

    number = models.CharField(max_length=20, unique=True, default=_order_number, editable=False)
    access_token = models.CharField(max_length=40, default=_access_token, editable=False)
    customer = models.ForeignKey(
        "storefront.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    email = models.EmailField()
    market = models.ForeignKey("storefront.Market", on_delete=models.PROTECT)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    shipping_address = models.JSONField()
    billing_country = models.CharField(max_length=2)
    subtotal = _amount()
    shipping_total = _amount()
    duty_total = _amount()
    tax_total = _amount()
    due_at_sale = _amount(help_text="Charged to the card.")
    due_on_delivery = _amount(help_text="Duty and import tax the carrier collects.")
    landed_cost = models.JSONField(default=dict, help_text="Per consignment, with the rules used.")
    exchange_rates = models.JSONField(default=list, help_text="The rates used, as of when.")
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    ip_country = models.CharField(
        max_length=2, blank=True, help_text="Of the client address, from the edge's GeoIP header."
    )
    device_id = models.CharField(max_length=64, blank=True, help_text="The client's device id.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.PROTECT)
    merchant = models.ForeignKey("catalog.Merchant", on_delete=models.PROTECT)
    product_title = models.CharField(max_length=300)
    sku = models.CharField(max_length=64)
    quantity = models.PositiveIntegerField()
    unit_price = _amount(help_text="In the order's currency, net of tax.")
    merchant_unit_price = _amount(help_text="In the merchant's currency.")
    merchant_currency = models.CharField(max_length=3)
    line_total = _amount()
    duty = _amount(default=Decimal(0))
    tax = _amount(default=Decimal(0))
    hs_code = models.CharField(max_length=10)
    origin_country = models.CharField(max_length=2)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"


class OrderEvent(models.Model):
    """The audit log of an order: who did what, when, and why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(max_length=40, default="system")
    reason = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.order}: {self.kind}"


class Payment(models.Model):
    class Status(models.TextChoices):
        AUTHORIZED = "authorized", "Authorized"
        CAPTURED = "captured", "Captured"
        VOIDED = "voided", "Voided"
        REFUNDED = "refunded", "Refunded"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    provider = models.CharField(max_length=40)
    authorization_id = models.CharField(max_length=100)
    status = models.CharField(max_length=20, choices=Status.choices)
    amount = _amount()
    currency = models.CharField(max_length=3)
    captured_amount = _amount(default=Decimal(0))
    refunded_amount = _amount(default=Decimal(0))
    authorized_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    card_bin_country = models.CharField(max_length=2, blank=True)
    card_fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.provider} {self.authorization_id} ({self.status})"


class PaymentAttempt(models.Model):
    """Every authorization attempt, failed ones included: card testing shows up here."""

    customer = models.ForeignKey(
        "storefront.Customer", null=True, blank=True, on_delete=models.SET_NULL
    )
    email = models.EmailField(blank=True)
    cart_token = models.UUIDField(null=True, blank=True)
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL)
    amount = _amount()
    currency = models.CharField(max_length=3)
    outcome = models.CharField(max_length=40, help_text="authorized or the decline/error code.")
    card_fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.outcome} {self.amount} {self.currency}"


class Shipment(models.Model):
    """One merchant's parcel of an order, with its tracking number."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    merchant = models.ForeignKey("catalog.Merchant", on_delete=models.PROTECT)
    carrier = models.CharField(max_length=100)
    tracking_number = models.CharField(max_length=100)
    shipped_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "merchant"], name="one_shipment_per_merchant")
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number}"


class IdempotencyRecord(models.Model):
    """The answer given to a request with an Idempotency-Key, replayed for a repeat."""

    scope = models.CharField(max_length=100)
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_once")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class Return(models.Model):
    """Items a shopper sent back."""

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="returns")
    quantity = models.PositiveIntegerField()
    reason = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.quantity} x {self.line.sku} returned"


class Chargeback(models.Model):
    """A dispute the card holder's bank raised, weeks after the order. `reason` is the bank's;
    a chargeback for "fraudulent" is the store's main fraud label, though some are friendly
    fraud (a real customer disputing their own purchase)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="chargebacks")
    amount = _amount()
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=40)
    received_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.order} {self.reason}"


class SimulationTruth(models.Model):
    """Demo store only: what the simulation knows about an order and a store never does.
    Tests and offline evaluation read it; no feature may."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="simulation_truth")
    is_fraud = models.BooleanField()
    fraud_pattern = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return f"{self.order}: {'fraud' if self.is_fraud else 'legitimate'}"

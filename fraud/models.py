from django.conf import settings
from django.db import models
from django.utils import timezone

from storefront.models import Order


class Decision(models.TextChoices):
    ALLOW = "allow", "Allow"
    REVIEW = "review", "Review"
    BLOCK = "block", "Block"


class RiskAssessment(models.Model):
    """The risk decision on one order, taken between authorization and capture."""

    order = models.OneToOneField(
        "storefront.Order", on_delete=models.CASCADE, related_name="risk_assessment"
    )
    score = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="0-100: the model's chance of fraud, in percent."
    )
    decision = models.CharField(max_length=10, choices=Decision.choices)
    decided_by = models.CharField(
        max_length=20, help_text="model, rule, or failsafe (rules alone, the model unavailable)."
    )
    rule = models.ForeignKey(
        "fraud.RiskRule", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reasons = models.JSONField(default=list, help_text="[{code, message}], strongest first.")
    features = models.JSONField(default=dict)
    provenance = models.JSONField(default=dict)
    milliseconds = models.FloatField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["decision", "-score"])]

    def __str__(self) -> str:
        return f"{self.order}: {self.decision} ({self.score})"


class RiskRule(models.Model):
    """A condition on the features and what to do when it holds. Ops rules (no merchant) apply
    to every order; a merchant's rules to orders holding that merchant's products."""

    merchant = models.ForeignKey(
        "catalog.Merchant",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="risk_rules",
        help_text="Empty: a store-wide rule (ops).",
    )
    market = models.ForeignKey(
        "storefront.Market",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text="Empty: every market.",
    )
    name = models.CharField(max_length=100)
    conditions = models.JSONField(
        help_text='All must hold: [{"feature": "amount_usd", "op": ">=", "value": 1000}, ...]'
    )
    action = models.CharField(max_length=10, choices=Decision.choices)
    is_active = models.BooleanField(default=True)
    is_default = models.BooleanField(
        default=False, help_text="One of the store's default rules (the rules-only baseline)."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["action", "name"]

    def __str__(self) -> str:
        return f"{self.name} -> {self.action}"


class MarketRiskSetting(models.Model):
    """A market's own thresholds on the score, overriding the model's defaults."""

    market = models.OneToOneField(
        "storefront.Market", on_delete=models.CASCADE, related_name="risk_setting"
    )
    review_score = models.PositiveSmallIntegerField(null=True, blank=True)
    block_score = models.PositiveSmallIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.market}: review at {self.review_score}, block at {self.block_score}"


class RiskListEntry(models.Model):
    """Values ops list: known reshipper addresses, disposable email domains."""

    class Kind(models.TextChoices):
        RESHIPPER_ADDRESS = "reshipper_address", "Reshipper address"
        DISPOSABLE_DOMAIN = "disposable_domain", "Disposable email domain"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    value = models.CharField(
        max_length=200, help_text="The domain, or the address key (see docs/fraud.md)."
    )
    label = models.CharField(max_length=200, blank=True, help_text="What it is, for people.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="risk_list_value_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.label or self.value}"


class PaymentSignal(models.Model):
    """Every payment attempt as the risk features see it (hashed keys): the history velocity is
    counted from when Redis is not configured, and the backfill's record of the past."""

    at = models.DateTimeField(db_index=True)
    failed = models.BooleanField()
    email = models.CharField(max_length=64, blank=True)
    device = models.CharField(max_length=64, blank=True)
    ip = models.CharField(max_length=64, blank=True)
    card = models.CharField(max_length=64, blank=True)
    address = models.CharField(max_length=64, blank=True)
    order = models.OneToOneField(
        "storefront.Order", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=[key, "at"], name=f"signal_{key}_at")
            for key in ("email", "device", "ip", "card", "address")
        ]

    def __str__(self) -> str:
        return f"{'failed' if self.failed else 'order'} at {self.at:%Y-%m-%d %H:%M}"


class ReviewDecision(models.Model):
    """Who decided a held order, when, and what: the audit log of the review queue, and a
    training label (approved: legitimate; cancelled as fraud: fraud)."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", "Approved (captured)"
        CANCELLED_FRAUD = "cancelled_fraud", "Cancelled as fraud (released)"
        CANCELLED_OTHER = "cancelled_other", "Cancelled, not fraud (released)"

    order = models.ForeignKey(
        "storefront.Order", on_delete=models.CASCADE, related_name="review_decisions"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    note = models.CharField(max_length=500, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.order}: {self.outcome}"

    @property
    def is_fraud(self) -> bool:
        return self.outcome == self.Outcome.CANCELLED_FRAUD


class FraudReport(models.Model):
    """A label from outside the queue: staff found an order fraudulent (a refund for fraud, a
    report from the card holder) or cleared one. Chargebacks are labels too (storefront's
    Chargeback with reason "fraudulent") and need no row here."""

    order = models.ForeignKey(
        "storefront.Order", on_delete=models.CASCADE, related_name="fraud_reports"
    )
    is_fraud = models.BooleanField()
    source = models.CharField(max_length=40, help_text="refund, card holder, manual, ...")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.order}: {'fraud' if self.is_fraud else 'legitimate'} ({self.source})"


class ReviewQueueOrder(Order):
    """The review queue: orders on hold, as the admin lists them (a view of storefront's Order,
    no table of its own)."""

    class Meta:
        proxy = True
        verbose_name = "held order"
        verbose_name_plural = "review queue"

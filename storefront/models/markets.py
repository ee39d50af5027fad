from django.db import models

from storefront.money import AMOUNT_DECIMAL_PLACES, AMOUNT_MAX_DIGITS
from storefront.validators import (
    EachItem,
    country_validate,
    currency_validate,
    language_validate,
)


class Market(models.Model):
    """A group of destination countries sold to in one currency and a few languages.

    The first of `languages` is the market's default. Taxes, duties and shipping zones hang off
    the market (see the checkout part of the store).
    """

    code = models.SlugField(max_length=16, unique=True, help_text="Short code such as de or us.")
    name = models.CharField(max_length=100)
    countries = models.JSONField(
        default=list,
        validators=[EachItem(country_validate)],
        help_text='ISO 3166 codes, such as ["DE", "AT"].',
    )
    currency = models.CharField(max_length=3, validators=[currency_validate])
    languages = models.JSONField(
        default=list,
        validators=[EachItem(language_validate)],
        help_text='BCP 47 tags, the default first, such as ["de", "en"].',
    )
    prices_include_tax = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"

    @property
    def default_language(self) -> str:
        return self.languages[0] if self.languages else "en"


class _Effective(models.Model):
    """A rule with the dates it is in force: [valid_from, valid_until)."""

    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)

    class Meta:
        abstract = True


class TaxRate(_Effective):
    """VAT, GST, consumption or sales tax of a country (or one of its regions: a US state)."""

    country = models.CharField(max_length=2, validators=[country_validate])
    region = models.CharField(max_length=10, blank=True, help_text="Blank for the whole country.")
    name = models.CharField(max_length=100)
    rate = models.DecimalField(max_digits=6, decimal_places=5, help_text="0.19 for 19 %.")

    class Meta:
        ordering = ["country", "region", "-valid_from"]
        indexes = [models.Index(fields=["country", "region", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.name} {self.country}{'-' + self.region if self.region else ''}"


class CustomsRegime(_Effective):
    """How a customs territory taxes imports: thresholds, who collects, what the bases are.

    See docs/taxes-and-duties.md for the regimes seeded and their sources."""

    class Collection(models.TextChoices):
        AT_SALE = "at_sale", "At sale (by the store)"
        ON_DELIVERY = "on_delivery", "On delivery (by the carrier)"

    class TaxCollection(models.TextChoices):
        AT_SALE = "at_sale", "Always at sale"
        AT_SALE_UP_TO_THRESHOLD = "at_sale_up_to_threshold", "At sale up to a threshold"
        ON_DELIVERY = "on_delivery", "On delivery"

    name = models.CharField(max_length=100)
    countries = models.JSONField(validators=[EachItem(country_validate)])
    currency = models.CharField(max_length=3, validators=[currency_validate])
    duty_free_up_to = models.DecimalField(
        max_digits=AMOUNT_MAX_DIGITS, decimal_places=AMOUNT_DECIMAL_PLACES, null=True, blank=True
    )
    tax_free_up_to = models.DecimalField(
        max_digits=AMOUNT_MAX_DIGITS, decimal_places=AMOUNT_DECIMAL_PLACES, null=True, blank=True
    )
    tax_collection = models.CharField(max_length=30, choices=TaxCollection.choices)
    tax_at_sale_up_to = models.DecimalField(
        max_digits=AMOUNT_MAX_DIGITS, decimal_places=AMOUNT_DECIMAL_PLACES, null=True, blank=True
    )
    duty_collection = models.CharField(max_length=20, choices=Collection.choices)
    duty_base_includes_shipping = models.BooleanField(default=True)
    tax_base_includes_duty = models.BooleanField(default=True)
    source = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["name", "-valid_from"]

    def __str__(self) -> str:
        return self.name


class DutyRate(_Effective):
    regime = models.ForeignKey(CustomsRegime, on_delete=models.CASCADE, related_name="duty_rates")
    hs_chapter = models.CharField(max_length=2, blank=True, help_text="Blank for any chapter.")
    origin_countries = models.JSONField(
        default=list,
        blank=True,
        validators=[EachItem(country_validate)],
        help_text="Empty for any origin.",
    )
    rate = models.DecimalField(max_digits=6, decimal_places=5)

    class Meta:
        ordering = ["regime", "hs_chapter"]

    def __str__(self) -> str:
        return f"{self.regime}: chapter {self.hs_chapter or 'any'} {self.rate}"


class ShippingZone(models.Model):
    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="shipping_zones")
    name = models.CharField(max_length=100)
    countries = models.JSONField(validators=[EachItem(country_validate)])

    def __str__(self) -> str:
        return f"{self.market.code}: {self.name}"


class ShippingRate(models.Model):
    """A parcel up to `max_weight_grams` costs `price` in the market's currency."""

    zone = models.ForeignKey(ShippingZone, on_delete=models.CASCADE, related_name="rates")
    name = models.CharField(max_length=100, default="Standard")
    max_weight_grams = models.PositiveIntegerField()
    price = models.DecimalField(max_digits=AMOUNT_MAX_DIGITS, decimal_places=AMOUNT_DECIMAL_PLACES)
    min_days = models.PositiveSmallIntegerField()
    max_days = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["zone", "max_weight_grams"]

    def __str__(self) -> str:
        return f"{self.zone} up to {self.max_weight_grams} g"


class ExchangeRate(models.Model):
    """1 `base` = `rate` `quote`, as published at `as_of`."""

    base = models.CharField(max_length=3, validators=[currency_validate])
    quote = models.CharField(max_length=3, validators=[currency_validate])
    rate = models.DecimalField(max_digits=20, decimal_places=10)
    as_of = models.DateTimeField()
    source = models.CharField(max_length=100, blank=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["base", "quote", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["base", "quote", "as_of"], name="exchange_rate_once"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 {self.base} = {self.rate} {self.quote} ({self.as_of:%Y-%m-%d %H:%M})"

from django.db import models

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

"""Money is a Decimal in a currency, rounded to that currency's own exponent (JPY 0, EUR 2,
KWD 3) from CLDR; never a float."""

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import get_currency_precision

# Amount columns keep three places, enough for every ISO 4217 currency in use.
AMOUNT_MAX_DIGITS = 14
AMOUNT_DECIMAL_PLACES = 3


def currency_exponent(currency: str) -> int:
    return get_currency_precision(currency)


def money_quantize(amount: Decimal, currency: str) -> Decimal:
    """Rounds half up to the currency's minor unit: 10.005 EUR -> 10.01, 1500.5 JPY -> 1501."""
    return amount.quantize(Decimal(1).scaleb(-currency_exponent(currency)), ROUND_HALF_UP)


def money_has_valid_exponent(amount: Decimal, currency: str) -> bool:
    """False when an amount has more decimals than the currency has (1500.50 JPY)."""
    return money_quantize(amount, currency) == amount

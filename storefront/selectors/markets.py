"""Reads of market data: markets, exchange rates, taxes, customs rules, shipping."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Q

from storefront.errors import Conflict, InvalidInput, StorefrontError
from storefront.landed_cost import Collection, CustomsRules, DutyRate, TaxCollection
from storefront.models import (
    CustomsRegime,
    ExchangeRate,
    Market,
    ShippingRate,
    TaxRate,
)
from storefront.models import DutyRate as DutyRateRow
from storefront.money import money_quantize

# Currencies without a direct rate are converted through this one.
PIVOT_CURRENCY = "EUR"


def market_get_active(*, code: str) -> Market:
    """By code, in any case: `?market=DE` and `?market=de` are the same market."""
    market = Market.objects.filter(code=code.strip().lower(), is_active=True).first()
    if market is None:
        raise InvalidInput(
            "Unknown market.",
            code="unknown_market",
            details={"market": [f"No active market has the code {code!r}."]},
        )
    return market


# --- Exchange rates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Conversion:
    """`rate` turns an amount in `base` into `quote`; `rates_used` records how, for the order."""

    base: str
    quote: str
    rate: Decimal
    rates_used: tuple[dict, ...]


def _latest_rate(base: str, quote: str) -> tuple[Decimal, ExchangeRate] | None:
    """The newest published rate between two currencies, in either direction."""
    row = (
        ExchangeRate.objects.filter(Q(base=base, quote=quote) | Q(base=quote, quote=base))
        .order_by("-as_of")
        .first()
    )
    if row is None:
        return None
    return (row.rate if row.base == base else 1 / row.rate), row


def _rate_record(row: ExchangeRate) -> dict:
    return {
        "base": row.base,
        "quote": row.quote,
        "rate": str(row.rate),
        "as_of": row.as_of.isoformat(),
        "source": row.source,
    }


def _refuse_if_stale(row: ExchangeRate, now: datetime) -> None:
    max_age = timedelta(hours=settings.EXCHANGE_RATE_MAX_AGE_HOURS)
    if now - row.as_of > max_age:
        raise Conflict(
            "Prices cannot be converted right now; please try again later.",
            code="stale_exchange_rate",
            details={
                "currency": [
                    f"The newest {row.base}/{row.quote} rate is from {row.as_of:%Y-%m-%d %H:%M} "
                    f"UTC, older than {settings.EXCHANGE_RATE_MAX_AGE_HOURS} hours."
                ]
            },
        )


def conversion_get(*, base: str, quote: str, now: datetime) -> Conversion:
    """The rate from `base` to `quote`: direct, inverse, or through the pivot currency.
    Refuses (409 stale_exchange_rate) when a rate it needs is older than the maximum age."""
    if base == quote:
        return Conversion(base, quote, Decimal(1), ())
    legs = [(base, quote)]
    if _latest_rate(base, quote) is None:
        legs = [(base, PIVOT_CURRENCY), (PIVOT_CURRENCY, quote)]
    rate, used = Decimal(1), []
    for leg_base, leg_quote in legs:
        found = _latest_rate(leg_base, leg_quote)
        if found is None:
            raise Conflict(
                "Prices cannot be converted right now.",
                code="missing_exchange_rate",
                details={"currency": [f"No exchange rate between {base} and {quote}."]},
            )
        leg_rate, row = found
        _refuse_if_stale(row, now)
        rate *= leg_rate
        used.append(_rate_record(row))
    return Conversion(base, quote, rate, tuple(used))


# --- Taxes, customs, shipping -----------------------------------------------------------------


def _in_force(on: date) -> Q:
    return Q(valid_from__lte=on) & (Q(valid_until__isnull=True) | Q(valid_until__gt=on))


def tax_rate_get(*, country: str, region: str = "", on: date) -> Decimal:
    """The region's rate if it has one (a US state), else the country's; 0 when none is set."""
    rates = TaxRate.objects.filter(_in_force(on), country=country).order_by("-valid_from")
    for candidate in (region, ""):
        row = rates.filter(region=candidate).first()
        if row is not None:
            return row.rate
    return Decimal(0)


def _duty_rate(row: DutyRateRow) -> DutyRate:
    return DutyRate(
        rate=row.rate,
        hs_chapter=row.hs_chapter or None,
        origin_countries=frozenset(row.origin_countries) if row.origin_countries else None,
    )


def _threshold(value, currency: str) -> Decimal | None:
    return None if value is None else money_quantize(Decimal(value), currency)


def customs_rules_get(*, country: str, on: date) -> tuple[CustomsRules, list[DutyRate]]:
    regimes = CustomsRegime.objects.filter(_in_force(on)).order_by("-valid_from")
    regime = next((r for r in regimes if country in r.countries), None)
    if regime is None:
        raise InvalidInput(
            "The store does not ship to this country.",
            code="destination_not_served",
            details={"country": [f"No customs rules are set for {country}."]},
        )
    rules = CustomsRules(
        name=regime.name,
        countries=frozenset(regime.countries),
        currency=regime.currency,
        duty_free_up_to=_threshold(regime.duty_free_up_to, regime.currency),
        tax_free_up_to=_threshold(regime.tax_free_up_to, regime.currency),
        tax_collection=TaxCollection(regime.tax_collection),
        tax_at_sale_up_to=_threshold(regime.tax_at_sale_up_to, regime.currency),
        duty_collection=Collection(regime.duty_collection),
        duty_base_includes_shipping=regime.duty_base_includes_shipping,
        tax_base_includes_duty=regime.tax_base_includes_duty,
        source=regime.source,
    )
    duty_rates = [_duty_rate(row) for row in regime.duty_rates.filter(_in_force(on))]
    return rules, duty_rates


def shipping_rates_of(market: Market) -> list[ShippingRate]:
    """The market's rates, cheapest first: the order `shipping_rate_pick` expects."""
    rates = ShippingRate.objects.filter(zone__market=market).select_related("zone")
    return list(rates.order_by("price", "max_weight_grams"))


def shipping_rate_get(*, market: Market, country: str, weight_grams: int) -> ShippingRate:
    return shipping_rate_pick(shipping_rates_of(market), country=country, weight_grams=weight_grams)


def shipping_rate_pick(
    rates: list[ShippingRate], *, country: str, weight_grams: int
) -> ShippingRate:
    """The cheapest of a market's `rates` (cheapest first) whose zone holds `country` and that
    takes the parcel's weight."""
    for rate in rates:
        if country in rate.zone.countries and rate.max_weight_grams >= weight_grams:
            return rate
    raise InvalidInput(
        "This parcel cannot be shipped to that address.",
        code="not_shippable",
        details={"shipping_address": [f"No shipping rate to {country} for {weight_grams} g."]},
    )


class ShopperPrices:
    """Prices as a shopper in `market` sees them: in the market's currency at current rates and,
    where the market shows prices with tax (EU, UK, JP), with its standard rate included.

    Without a market, or when no fresh rate converts a currency, a price stays in the merchant's
    currency (and says so): browsing never fails, and checkout refuses stale rates itself.
    Conversions are looked up once per currency."""

    def __init__(self, *, market: Market | None, now: datetime) -> None:
        self.market, self.now = market, now
        self._rates: dict[str, Decimal | None] = {}
        self._tax_rate = (
            tax_rate_get(country=market.countries[0], on=now.date())
            if market and market.prices_include_tax and market.countries
            else Decimal(0)
        )

    def _rate(self, currency: str) -> Decimal | None:
        if currency not in self._rates:
            try:
                rate = conversion_get(base=currency, quote=self.market.currency, now=self.now).rate
            except StorefrontError:
                rate = None
            self._rates[currency] = rate
        return self._rates[currency]

    def show(self, amount: Decimal, currency: str) -> dict:
        rate = self._rate(currency) if self.market else None
        if rate is None:
            return {
                "amount": str(money_quantize(amount, currency)),
                "currency": currency,
                "tax_included": False,
            }
        shown = money_quantize(amount * rate * (1 + self._tax_rate), self.market.currency)
        return {
            "amount": str(shown),
            "currency": self.market.currency,
            "tax_included": self._tax_rate > 0,
        }

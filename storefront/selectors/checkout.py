"""The price of a cart delivered to an address: lines in the shopper's currency, shipping per
merchant parcel, duties and taxes, and what is paid now versus on delivery."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from catalog.models import Merchant, Variant
from storefront.errors import InvalidInput
from storefront.landed_cost import Consignment, ConsignmentLine, LandedCost, landed_cost_compute
from storefront.models import Cart, ShippingRate
from storefront.money import money_quantize
from storefront.selectors.carts import variant_sellable_check
from storefront.selectors.markets import (
    Conversion,
    conversion_get,
    customs_rules_get,
    shipping_rate_get,
    tax_rate_get,
)


@dataclass(frozen=True)
class QuoteLine:
    variant: Variant
    quantity: int
    unit_price: Decimal  # in the cart's currency, net of tax
    line_total: Decimal


@dataclass(frozen=True)
class Parcel:
    merchant: Merchant
    lines: tuple[QuoteLine, ...]
    shipping_rate: ShippingRate
    shipping: Decimal


@dataclass(frozen=True)
class Quote:
    currency: str
    country: str
    parcels: tuple[Parcel, ...]
    landed_cost: LandedCost
    rates_used: tuple[dict, ...]

    @property
    def lines(self) -> list[QuoteLine]:
        return [line for parcel in self.parcels for line in parcel.lines]


def _cart_lines(cart: Cart):
    lines = list(cart.lines.select_related("variant__product", "variant__merchant"))
    if not lines:
        raise InvalidInput("The cart is empty.", code="empty_cart")
    return lines


def _destination_check(cart: Cart, country: str) -> None:
    if country not in cart.market.countries:
        raise InvalidInput(
            "This market does not deliver to that country.",
            code="destination_not_in_market",
            details={
                "country": [f"{cart.market.name} delivers to {', '.join(cart.market.countries)}."]
            },
        )


def _parcel(cart: Cart, country: str, merchant: Merchant, lines: list[QuoteLine]) -> Parcel:
    weight = sum(line.variant.weight_grams * line.quantity for line in lines)
    rate = shipping_rate_get(market=cart.market, country=country, weight_grams=weight)
    return Parcel(merchant, tuple(lines), rate, money_quantize(rate.price, cart.market.currency))


def consignment_of(*, ships_from: str, items: list[tuple[Variant, Decimal]], shipping: Decimal):
    """One merchant's parcel as the landed-cost engine sees it: (variant, line amount) items."""
    return Consignment(
        ships_from=ships_from,
        lines=tuple(
            ConsignmentLine(
                hs_code=variant.hs_code, origin_country=variant.country_of_origin, amount=amount
            )
            for variant, amount in items
        ),
        shipping=shipping,
    )


def checkout_quote(*, cart: Cart, country: str, region: str = "", now: datetime) -> Quote:
    _destination_check(cart, country)
    currency = cart.market.currency
    conversions: dict[str, Conversion] = {}
    by_merchant: dict[Merchant, list[QuoteLine]] = defaultdict(list)
    for cart_line in _cart_lines(cart):
        variant = cart_line.variant
        variant_sellable_check(variant=variant, market=cart.market)
        merchant_currency = variant.merchant.currency
        if merchant_currency not in conversions:
            conversions[merchant_currency] = conversion_get(
                base=merchant_currency, quote=currency, now=now
            )
        unit_price = money_quantize(variant.price * conversions[merchant_currency].rate, currency)
        by_merchant[variant.merchant].append(
            QuoteLine(variant, cart_line.quantity, unit_price, unit_price * cart_line.quantity)
        )
    parcels = [_parcel(cart, country, merchant, lines) for merchant, lines in by_merchant.items()]
    rules, duty_rates = customs_rules_get(country=country, on=now.date())
    to_rules = conversion_get(base=currency, quote=rules.currency, now=now)
    landed = landed_cost_compute(
        consignments=[
            consignment_of(
                ships_from=parcel.merchant.country,
                items=[(line.variant, line.line_total) for line in parcel.lines],
                shipping=parcel.shipping,
            )
            for parcel in parcels
        ],
        destination_country=country,
        order_currency=currency,
        rules=rules,
        duty_rates=duty_rates,
        tax_rate=tax_rate_get(country=country, region=region, on=now.date()),
        to_rules_currency=lambda amount: amount * to_rules.rate,
    )
    rates_used = {
        (record["base"], record["quote"], record["as_of"]): record
        for conversion in [*conversions.values(), to_rules]
        for record in conversion.rates_used
    }
    return Quote(currency, country, tuple(parcels), landed, tuple(rates_used.values()))

"""Orders, legitimate and fraudulent, priced by the store's own landed-cost engine at the rates
of their day, then written in bulk with everything a real order leaves behind: payment,
attempts (declines included), parcels, status history, returns and, weeks later, chargebacks.

The invariants the services keep hold here too: totals are what checkout would charge, every
status change is an event, stock held equals the units of orders not yet shipped."""

import base64
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from storefront.demo import config
from storefront.demo.people import Shopper, address_for, client_ip
from storefront.demo.world import Rates, World
from storefront.landed_cost import landed_cost_compute
from storefront.models import CustomsRegime, DutyRate, Market, ShippingRate
from storefront.money import money_quantize
from storefront.selectors.checkout import consignment_of
from storefront.selectors.markets import (
    customs_rules_get,
    shipping_rate_pick,
    shipping_rates_of,
    tax_rate_get,
)

RISKY_CATEGORIES = ("electronics", "gift_cards")
STOLEN_BRANDS = ("visa", "mastercard")
STOLEN_FROM = ("US", "GB", "DE", "FR", "CA", "AU")
DISPOSABLE_DOMAINS = ("mailinator.example", "tempbox.example", "quickmail.example")


@dataclass
class PlannedOrder:
    second: int
    market: Market
    email: str
    address: dict
    billing_country: str
    card: str
    device: str
    ip: str
    ip_country: str
    items: list  # (product index, variant number, quantity)
    shopper: Shopper | None = None  # None: a guest
    is_fraud: bool = False
    pattern: str = ""
    declines: list = field(default_factory=list)  # (second, card, outcome)


def legitimate_orders(rng, activity, shoppers: list[Shopper], markets) -> list[PlannedOrder]:
    orders = []
    for customer, second, items in activity.orders:
        shopper = shoppers[customer]
        order = PlannedOrder(
            second=int(second),
            market=shopper.market,
            email=shopper.customer.user.email,
            address=dict(shopper.address),
            billing_country=shopper.country,
            card=shopper.card,
            device=shopper.device,
            ip=shopper.ip,
            ip_country=shopper.country,
            items=items,
            shopper=shopper,
        )
        _legitimate_noise(rng, order)
        orders.append(order)
    return orders


def _legitimate_noise(rng, order: PlannedOrder) -> None:
    """Honest orders that look odd: gifts billed elsewhere, travellers, expats' forwarders."""
    if rng.random() < config.LEGIT_BILLING_MISMATCH:
        order.billing_country = str(rng.choice(["DE", "FR", "GB", "US", "NL", "ES"]))
    if rng.random() < config.LEGIT_IP_MISMATCH:
        order.ip_country = str(rng.choice(["ES", "FR", "US", "GB", "JP"]))
        order.ip = client_ip(rng, order.ip_country)
    if rng.random() < config.LEGIT_RESHIPPER:
        order.address = _reshipper_for(rng, order.market) or order.address
    if rng.random() < config.LEGIT_DECLINE_BEFORE_ORDER:
        order.declines.append(
            (order.second - int(rng.integers(30, 600)), order.card, "insufficient_funds")
        )


def _reshipper_for(rng, market: Market) -> dict | None:
    options = [r for r in config.RESHIPPERS if r["country"] in market.countries]
    return dict(options[int(rng.integers(len(options)))]) if options else None


# --- Fraud --------------------------------------------------------------------------------------


@dataclass
class Ring:
    devices: list[str]
    ip_country: str
    cards: list[str]


def _rings(rng, count: int) -> list[Ring]:
    rings = []
    for number in range(count):
        ip_country = str(rng.choice(config.FRAUD_IP_COUNTRIES))
        cards = [
            f"pm_card_{rng.choice(STOLEN_BRANDS)}_{rng.choice(STOLEN_FROM)}_r{number}c{n}"
            for n in range(int(rng.integers(20, 60)))
        ]
        rings.append(
            Ring([f"ring{number}d{n}" for n in range(int(rng.integers(1, 4)))], ip_country, cards)
        )
    return rings


def _risky_items(rng, world: World, market_index: int, day: int, risky: bool) -> list:
    sold = world.catalog.sold_in[market_index] & (world.catalog.launch_day <= day)
    if risky:
        wanted = np.array([c in RISKY_CATEGORIES for c in world.categories])
        if (sold & wanted).any():
            sold = sold & wanted
    candidates = np.flatnonzero(sold)
    chosen = rng.choice(
        candidates,
        size=min(len(candidates), int(rng.integers(1, 4 if risky else 3))),
        replace=False,
    )
    quantity = (lambda: int(rng.integers(1, 4))) if risky else (lambda: 1)
    return [(int(p), int(rng.integers(world.catalog.variant_count[p])), quantity()) for p in chosen]


def fraud_orders(
    rng,
    *,
    count: int,
    size,
    world: World,
    shoppers: list[Shopper],
    markets,
    days: int,
    signup_days: np.ndarray,
) -> list[PlannedOrder]:
    """About `count` fraudulent orders; two thirds carry a pattern a good model can learn,
    one third are account takeovers that look like the customer's own orders."""
    rings = _rings(rng, size.fraud_rings)
    codes = world.catalog.market_codes
    planned: list[PlannedOrder] = []
    patterned = 0
    while len(planned) < count:
        ring = rings[int(rng.integers(len(rings)))]
        day = int(rng.integers(30, days))
        second = day * 86_400 + int(rng.integers(0, 86_400))
        # Counted per order (a velocity burst is several), so that two thirds of the orders,
        # not of the draws, carry a pattern.
        if patterned < config.PATTERNED_FRAUD_SHARE * (len(planned) + 1):
            pattern = str(rng.choice(config.FRAUD_PATTERNS))
            burst = _patterned(rng, pattern, ring, second, day, world, markets, codes)
            planned += burst
            patterned += len(burst)
        else:
            planned.append(_takeover(rng, second, day, world, shoppers, codes, signup_days))
    return planned[:count]


def _patterned(rng, pattern, ring, second, day, world, markets, codes) -> list[PlannedOrder]:
    market_code = str(rng.choice(codes))
    market = markets[market_code]
    country = market.countries[0]
    card = ring.cards[int(rng.integers(len(ring.cards)))]
    email = f"{rng.integers(10**6, 10**7)}@{rng.choice(DISPOSABLE_DOMAINS)}"
    order = PlannedOrder(
        second=second,
        market=market,
        email=email,
        address=address_for(rng, country, f"Buyer {rng.integers(10**5)}"),
        billing_country=country,
        card=card,
        device=ring.devices[int(rng.integers(len(ring.devices)))],
        ip=client_ip(rng, country),
        ip_country=country,
        items=_risky_items(rng, world, codes.index(market_code), day, risky=True),
        is_fraud=True,
        pattern=pattern,
    )
    if pattern == "country_mismatch" or (
        pattern == "reshipper" and not _reshipper_for(rng, market)
    ):
        order.pattern = "country_mismatch"
        order.billing_country = card.split("_")[3]
        order.ip_country = ring.ip_country
        order.ip = client_ip(rng, ring.ip_country)
    elif pattern == "reshipper":
        order.address = _reshipper_for(rng, market)
    elif pattern == "card_testing":
        order.declines = [
            (
                second - int(rng.integers(60, 3600)),
                ring.cards[int(rng.integers(len(ring.cards)))],
                str(rng.choice(["card_declined", "incorrect_cvc", "expired_card"])),
            )
            for _ in range(int(rng.integers(5, 30)))
        ]
        order.ip_country = ring.ip_country
        order.ip = client_ip(rng, ring.ip_country)
    elif pattern == "velocity":
        follow_ups = []
        for _ in range(int(rng.integers(2, 5))):
            # Bursts end with the window: nothing happens after "now".
            later = min(second + int(rng.integers(600, 20 * 3600)), day * 86_400 + 86_399)
            follow_ups.append(
                PlannedOrder(
                    **{
                        **order.__dict__,
                        "second": later,
                        "declines": [],
                        "items": _risky_items(
                            rng, world, codes.index(market_code), later // 86_400, risky=True
                        ),
                    }
                )
            )
        return [order, *follow_ups]
    # new_account_risky_goods: the account is created by the writer, moments before the order
    return [order]


def _takeover(rng, second, day, world, shoppers, codes, signup_days) -> PlannedOrder:
    """A stolen account and a stolen card from the same country: an ordinary-looking order."""
    eligible = np.flatnonzero(signup_days <= day - 30)
    if len(eligible) == 0:
        eligible = np.arange(len(shoppers))
    shopper = shoppers[int(rng.choice(eligible))]
    market_index = codes.index(shopper.market.code)
    return PlannedOrder(
        second=second,
        market=shopper.market,
        email=shopper.customer.user.email,
        address=dict(shopper.address),
        billing_country=shopper.country,
        card=f"pm_card_visa_{shopper.country}_t{rng.integers(10**6)}",
        device=shopper.device,
        ip=client_ip(rng, shopper.country),
        ip_country=shopper.country,
        items=_risky_items(rng, world, market_index, day, risky=False),
        shopper=shopper,
        is_fraud=True,
        pattern="",
    )


# --- Pricing ------------------------------------------------------------------------------------


class Pricer:
    """The checkout's arithmetic, with the market data loaded once instead of per order."""

    def __init__(self, *, world: World, rates: Rates, start: date) -> None:
        self.world, self.rates, self.start = world, rates, start
        self._rules: dict[tuple[str, int], tuple] = {}
        self._rule_changes = _rule_changes()
        self._tax: dict[tuple[str, str], Decimal] = {}
        self._shipping: dict[int, list[ShippingRate]] = {}

    def _rules_for(self, country: str, on: date):
        """Regimes change (the US ended its de minimis in August 2025), but only on the days a
        regime or duty rate starts or ends: the rules are looked up once per period between."""
        period = bisect_right(self._rule_changes, on)
        if (country, period) not in self._rules:
            self._rules[country, period] = customs_rules_get(country=country, on=on)
        return self._rules[country, period]

    def _tax_for(self, country: str, region: str, on: date) -> Decimal:
        if (country, region) not in self._tax:
            self._tax[country, region] = tax_rate_get(country=country, region=region, on=on)
        return self._tax[country, region]

    def shipping(self, market: Market, country: str, weight: int) -> ShippingRate:
        if market.pk not in self._shipping:
            self._shipping[market.pk] = shipping_rates_of(market)
        return shipping_rate_pick(self._shipping[market.pk], country=country, weight_grams=weight)

    def unit_price(self, product: int, variant: int, day: int) -> Decimal:
        variant_row = self.world.variants[product][variant]
        listed = self.world.list_prices[product][variant]
        factor = Decimal(str(self.world.price_factor[product, day]))
        return money_quantize(listed * factor, variant_row.merchant.currency)

    def price(self, order: PlannedOrder):
        day = order.second // 86_400
        on = self.start + timedelta(days=day)
        currency = order.market.currency
        parcels = defaultdict(list)
        for product, variant, quantity in order.items:
            variant_row = self.world.variants[product][variant]
            merchant_price = self.unit_price(product, variant, day)
            rate = self.rates.factor(variant_row.merchant.currency, currency, day)
            unit = money_quantize(merchant_price * rate, currency)
            parcels[variant_row.merchant_id].append((variant_row, quantity, unit, merchant_price))
        country = order.address["country"]
        rules, duty_rates = self._rules_for(country, on)
        to_rules = self.rates.factor(currency, rules.currency, day)
        shipping = {
            merchant: self.shipping(
                order.market, country, sum(v.weight_grams * q for v, q, _, _ in lines)
            )
            for merchant, lines in parcels.items()
        }
        landed = landed_cost_compute(
            consignments=[
                consignment_of(
                    ships_from=lines[0][0].merchant.country,
                    items=[(variant, unit * quantity) for variant, quantity, unit, _ in lines],
                    shipping=money_quantize(shipping[merchant].price, currency),
                )
                for merchant, lines in parcels.items()
            ],
            destination_country=country,
            order_currency=currency,
            rules=rules,
            duty_rates=duty_rates,
            tax_rate=self._tax_for(country, order.address.get("region", ""), on),
            to_rules_currency=lambda amount: amount * to_rules,
        )
        return parcels, shipping, landed


def _rule_changes() -> list[date]:
    """The days customs rules change: when a regime or duty rate comes into or goes out of force."""
    days = set()
    for model in (CustomsRegime, DutyRate):
        for valid_from, valid_until in model.objects.values_list("valid_from", "valid_until"):
            days |= {valid_from, valid_until} - {None}
    return sorted(days)


def order_number(index: int) -> str:
    """Unique and stable: a bijection of the index on 40 bits."""
    return f"SF-{(index * 2_654_435_761) % 16**10:010X}"


def access_token(rng) -> str:
    return base64.urlsafe_b64encode(rng.bytes(18)).decode()

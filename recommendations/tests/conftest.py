from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Product
from catalog.tests.factories import MerchantFactory, ProductFactory, VariantFactory
from storefront.models import Market, ShopperEvent


@pytest.fixture
def shopper_events(db):
    """Forty guests, each viewing products along a chain, one a day; returns the products."""
    merchant = MerchantFactory()
    products = [ProductFactory(merchant=merchant) for _ in range(12)]
    start = timezone.now() - timedelta(days=30)
    ShopperEvent.objects.bulk_create(
        ShopperEvent(
            type=ShopperEvent.Type.VIEW,
            client_id=f"client-{shopper}",
            product=products[(shopper % 5 + step) % 12],
            occurred_at=start + timedelta(days=step),
        )
        for shopper in range(40)
        for step in range(6 + shopper % 4)
    )
    return products


@dataclass
class Store:
    market: Market
    products: list[Product]  # sold in the market, in stock
    foreign: Product  # from a merchant that does not sell to the market


def events_add(*, client_id: str, products: list[Product], market: Market, days_ago: int = 1):
    """`client_id` viewed `products`, in order, a minute apart."""
    start = timezone.now() - timedelta(days=days_ago)
    ShopperEvent.objects.bulk_create(
        ShopperEvent(
            type=ShopperEvent.Type.VIEW,
            client_id=client_id,
            market=market,
            product=product,
            occurred_at=start + timedelta(minutes=step),
        )
        for step, product in enumerate(products)
    )


@pytest.fixture
def store(markets):
    """A German shop of 12 products in stock, a US shop that does not sell to Germany, and 40
    guests in Germany who each viewed a run of consecutive products last week."""
    germany = markets["de"]
    merchant = MerchantFactory(markets=[germany])
    products = []
    for number in range(12):
        product = ProductFactory(merchant=merchant, title=f"Produkt {number}")
        VariantFactory(product=product, price=Decimal("10.00"), stock_on_hand=5)
        products.append(product)
    foreign = ProductFactory(merchant=MerchantFactory(country="US", markets=[markets["us"]]))
    VariantFactory(product=foreign, price=Decimal("10.00"), stock_on_hand=5)
    for guest in range(40):
        run = [products[(guest % 6 + step) % 12] for step in range(5)]
        events_add(client_id=f"guest-{guest:04d}", products=run, market=germany, days_ago=7)
    return Store(market=germany, products=products, foreign=foreign)

from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.tests.factories import MerchantFactory, ProductFactory, VariantFactory
from storefront.models import ExchangeRate, Market
from storefront.services.markets import markets_seed

RATES_FROM_EUR = {"USD": "1.0850", "GBP": "0.8420", "JPY": "162.40", "CNY": "7.8300"}


@pytest.fixture
def markets(db):
    """The seeded markets, taxes, customs regimes and shipping, with fresh exchange rates."""
    markets_seed()
    for quote, rate in RATES_FROM_EUR.items():
        ExchangeRate.objects.create(
            base="EUR", quote=quote, rate=Decimal(rate), as_of=timezone.now(), source="test"
        )
    return {market.code: market for market in Market.objects.all()}


@pytest.fixture
def us_merchant(markets):
    """A US seller of T-shirts (HS 610910, made in Portugal) who sells everywhere."""
    merchant = MerchantFactory(
        name="Tees Inc",
        country="US",
        currency="USD",
        default_language="en",
        markets=list(markets.values()),
    )
    product = ProductFactory(merchant=merchant, title="T-shirt", source_language="en")
    return VariantFactory(
        product=product,
        sku="TEE-1",
        price=Decimal("20.00"),
        stock_on_hand=10,
        weight_grams=200,
        hs_code="610910",
        country_of_origin="PT",
    )


@pytest.fixture
def de_merchant(markets):
    merchant = MerchantFactory(
        name="Hemden GmbH", country="DE", currency="EUR", markets=list(markets.values())
    )
    return VariantFactory(
        product=ProductFactory(merchant=merchant, title="Hemd"),
        sku="HEMD-1",
        price=Decimal("40.00"),
        stock_on_hand=10,
        weight_grams=200,
    )

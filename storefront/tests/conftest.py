from decimal import Decimal

import pytest

from catalog.tests.factories import MerchantFactory, ProductFactory, VariantFactory


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

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.tests.factories import MerchantFactory, ProductFactory
from storefront.models import ShopperEvent


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

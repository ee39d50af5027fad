"""Same seed, same store; another seed, another store."""

import hashlib
from datetime import date

import pytest
from django.db import transaction

from catalog.models import Product, Variant
from storefront.demo.generate import demo_store_seed
from storefront.models import Chargeback, Order, ShopperEvent

END = date(2026, 6, 1)


class _Rollback(Exception):
    pass


def _fingerprint() -> str:
    """A digest of what a shopper, a merchant and a model would see, by natural keys: database
    ids differ between runs (PostgreSQL does not reuse a rolled-back sequence)."""
    parts = [
        list(Product.objects.order_by("pk").values_list("title", "brand", "created_at")),
        list(Variant.objects.order_by("pk").values_list("sku", "price", "stock_on_hand")),
        list(
            Order.objects.order_by("pk").values_list(
                "number", "status", "due_at_sale", "created_at", "email"
            )
        ),
        list(
            ShopperEvent.objects.order_by("pk").values_list(
                "type", "product__title", "occurred_at", "query"
            )
        ),
        list(Chargeback.objects.order_by("pk").values_list("order__number", "received_at")),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _seeded_fingerprint(seed: int) -> str:
    try:
        with transaction.atomic():
            demo_store_seed(size_name="tiny", seed=seed, end=END)
            fingerprint = _fingerprint()
            raise _Rollback
    except _Rollback:
        return fingerprint


@pytest.mark.django_db
def test_the_same_seed_builds_the_same_store_and_another_seed_another():
    first = _seeded_fingerprint(seed=1)
    again = _seeded_fingerprint(seed=1)
    other = _seeded_fingerprint(seed=2)

    assert first == again
    assert first != other


def test_the_demo_and_its_logins_are_never_seeded_with_production_settings(settings):
    from django.core.management import CommandError, call_command

    settings.SETTINGS_MODULE = "storefront.settings.production"

    with pytest.raises(CommandError, match="never seeded in production"):
        call_command("seed_demo", "--size", "tiny")

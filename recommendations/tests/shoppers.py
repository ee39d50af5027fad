"""Shoppers for the recommendation tests."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from storefront.models import Customer, ShopperEvent


def customers_with_history(store, count: int) -> list[Customer]:
    """`count` customers in the store's market; customer n viewed products n..n+2, an hour
    apart, from five hours ago."""
    customers = []
    for number in range(count):
        user = get_user_model().objects.create_user(f"shopper{number}", password="pw")
        customer = Customer.objects.create(user=user, market=store.market)
        ShopperEvent.objects.bulk_create(
            ShopperEvent(
                type=ShopperEvent.Type.VIEW,
                customer=customer,
                market=store.market,
                product=product,
                occurred_at=timezone.now() - timedelta(hours=5 - step),
            )
            for step, product in enumerate(store.products[number : number + 3])
        )
        customers.append(customer)
    return customers

"""Shopper events as interactions for the recommender: the one place where the database meets the
model. A shopper is a customer when logged in, otherwise the client id their browser sends."""

from django.conf import settings

from recommendations.ml.interactions import Interactions
from storefront.models import ShopperEvent

CHUNK = 20_000


def shopper_key(*, customer_id: int | None, client_id: str) -> str:
    return f"c{customer_id}" if customer_id else f"g{client_id}"


def interactions_from_events() -> Interactions:
    """Every view, add-to-cart and purchase of a product, weighted by type (settings)."""
    weights = settings.RECOMMENDATIONS_EVENT_WEIGHTS
    users, items, times, values = [], [], [], []
    rows = (
        ShopperEvent.objects.filter(type__in=list(weights), product__isnull=False)
        .values_list("customer_id", "client_id", "product_id", "type", "occurred_at")
        .order_by()
        .iterator(chunk_size=CHUNK)
    )
    for customer_id, client_id, product_id, kind, occurred_at in rows:
        if not customer_id and not client_id:
            continue
        users.append(shopper_key(customer_id=customer_id, client_id=client_id))
        items.append(product_id)
        times.append(int(occurred_at.timestamp()))
        values.append(weights[kind])
    if not users:
        raise ValueError("no shopper events to learn from yet")
    return Interactions.from_columns(users, items, times, values)

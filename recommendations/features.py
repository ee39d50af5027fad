"""Shopper events as interactions for the recommender: the one place where the database meets the
model. A shopper is a customer when logged in, otherwise the client id their browser sends."""

from django.conf import settings

from recommendations.ml.interactions import Interactions
from storefront.models import ShopperEvent

CHUNK = 20_000


def shopper_key(*, customer_id: int | None, client_id: str) -> str:
    return f"c{customer_id}" if customer_id else f"g{client_id}"


def interactions_from_events() -> tuple[Interactions, dict[str, int]]:
    """Every view, add-to-cart and purchase of a product, weighted by type (settings), and the
    market each shopper's last event was in (shopper key -> market id)."""
    weights = settings.RECOMMENDATIONS_EVENT_WEIGHTS
    users, items, times, values, markets = [], [], [], [], {}
    rows = (
        ShopperEvent.objects.filter(type__in=list(weights), product__isnull=False)
        .values_list("customer_id", "client_id", "product_id", "type", "occurred_at", "market_id")
        .order_by("occurred_at", "id")
        .iterator(chunk_size=CHUNK)
    )
    for customer_id, client_id, product_id, kind, occurred_at, market_id in rows:
        if not customer_id and not client_id:
            continue
        user = shopper_key(customer_id=customer_id, client_id=client_id)
        users.append(user)
        items.append(product_id)
        times.append(int(occurred_at.timestamp()))
        values.append(weights[kind])
        markets[user] = market_id or 0
    if not users:
        raise ValueError("no shopper events to learn from yet")
    return Interactions.from_columns(users, items, times, values), markets

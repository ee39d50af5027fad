"""Shopper events: what the models learn from. Recorded from the API (validated and bounded
there) and, for purchases, by the checkout itself."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from storefront.models import Customer, Market, Order, ShopperEvent


@transaction.atomic
def events_record(
    *,
    events: list[dict],
    customer: Customer | None,
    client_id: str,
    market: Market | None,
    session_id: str = "",
) -> int:
    """Stores a batch of validated events for one shopper; all or none."""
    now = timezone.now()
    rows = [
        ShopperEvent(
            type=event["type"],
            customer=customer,
            client_id=client_id,
            session_id=session_id,
            market=market,
            product=event.get("product"),
            variant=event.get("variant"),
            query=event.get("query", ""),
            quantity=event.get("quantity"),
            occurred_at=now,
        )
        for event in events
    ]
    ShopperEvent.objects.bulk_create(rows)
    return len(rows)


def purchase_events_record(*, order: Order) -> int:
    """A paid order is a purchase event per line, recorded by the server, not the client."""
    rows = [
        ShopperEvent(
            type=ShopperEvent.Type.PURCHASE,
            customer=order.customer,
            market=order.market,
            product_id=line.variant.product_id,
            variant_id=line.variant_id,
            order=order,
            quantity=line.quantity,
            occurred_at=order.created_at,
        )
        for line in order.lines.select_related("variant")
    ]
    ShopperEvent.objects.bulk_create(rows)
    return len(rows)


def events_prune(*, retention_days: int | None = None) -> int:
    """Deletes events older than the retention period (SHOPPER_EVENT_RETENTION_DAYS)."""
    days = retention_days if retention_days is not None else settings.SHOPPER_EVENT_RETENTION_DAYS
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = ShopperEvent.objects.filter(occurred_at__lt=cutoff).delete()
    return deleted

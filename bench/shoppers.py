"""Who the recommendation endpoints of `make bench` are requested for: run by `bench/run.py`
against the benchmark database after `recommendations_refresh`, it writes a JSON file with

- `customers`: the most active customers whose for-you list the batch job precomputed with the
  active model, each with a DRF token (created here when missing) and their market's code;
- `products`: active products sold in the `similar` endpoint's market, most viewed first.

Usage: `python bench/shoppers.py OUTPUT.json` with the server's environment (DATABASE_URL,
REDIS_URL, DJANGO_SETTINGS_MODULE). Counts: BENCH_CUSTOMERS (500), BENCH_PRODUCTS (200).
"""

import json
import os
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "500"))
PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "200"))
SIMILAR_MARKET = "de"


def customers_with_precomputed_lists(count: int) -> list[dict]:
    """The `count` customers with the most events in the batch job's window whose precomputed
    list is in the cache for the active model version, with a token and a market each."""
    from django.conf import settings
    from django.core.cache import cache
    from django.db.models import Count
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from ml_models.loader import predictor_get
    from recommendations.selectors import CAPABILITY, precomputed_key
    from storefront.models import Customer, ShopperEvent

    since = timezone.now() - timedelta(days=settings.RECOMMENDATIONS_ACTIVE_DAYS)
    ranked = list(
        ShopperEvent.objects.filter(occurred_at__gte=since, customer__isnull=False)
        .values_list("customer_id", flat=True)
        .annotate(events=Count("id"))
        .order_by("-events", "customer_id")
    )
    version = predictor_get(CAPABILITY).model_version
    stored = cache.get_many([precomputed_key(customer) for customer in ranked])
    chosen = [
        customer
        for customer in ranked
        if stored.get(precomputed_key(customer), {}).get("version") == version
    ][:count]
    customers = Customer.objects.select_related("market").in_bulk(chosen)
    rows = []
    for customer_id in chosen:
        customer = customers[customer_id]
        token, _ = Token.objects.get_or_create(user_id=customer.user_id)
        market = customer.market
        code = market.code if market is not None and market.is_active else SIMILAR_MARKET
        rows.append({"token": token.key, "market": code})
    return rows


def products_sold_in(market_code: str, count: int) -> list[int]:
    """Up to `count` products shoppers in the market can see, most viewed there first."""
    from django.db.models import Count

    from catalog.selectors import product_list_for_shoppers
    from storefront.models import Market, ShopperEvent

    market = Market.objects.get(code=market_code)
    sold = product_list_for_shoppers(market=market, language=market.default_language)
    views = dict(
        ShopperEvent.objects.filter(market=market, type=ShopperEvent.Type.VIEW)
        .values_list("product_id")
        .annotate(count=Count("id"))
        .order_by()
    )
    ranked = sorted(sold.values_list("pk", flat=True), key=lambda pk: (-views.get(pk, 0), pk))
    return ranked[:count]


def main() -> None:
    import django

    django.setup()
    rotation = {
        "customers": customers_with_precomputed_lists(CUSTOMERS),
        "products": products_sold_in(SIMILAR_MARKET, PRODUCTS),
    }
    Path(sys.argv[1]).write_text(json.dumps(rotation))
    print(
        f"{len(rotation['customers'])} customers with precomputed lists, "
        f"{len(rotation['products'])} products sold in {SIMILAR_MARKET}",
        flush=True,
    )


if __name__ == "__main__":
    main()

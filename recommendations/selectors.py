"""What to recommend: candidates from the model or the baselines, then the store's rules.

Every list is built the same way: candidate sources in order of preference (the model when one
is active, then co-occurrence, then market popularity), each candidate with its reason and
provenance, and one filter for all of them: sellable and in stock in the shopper's market, not
suppressed by the shopper, not returned by them, not already bought (unless the category is a
consumable), not the product the list is about, no duplicates. A source that fails (no model, a
broken index, the cache down) is skipped with a warning, so a list always comes back.
"""

import functools
import logging
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from catalog.models import Product, Variant
from catalog.selectors import category_with_descendant_ids
from ml_models.capabilities import provenance
from ml_models.loader import predictor_get
from recommendations.models import ItemNeighbour, Suppression
from storefront.models import Customer, Market, Return, ShopperEvent

logger = logging.getLogger(__name__)

CAPABILITY = "recommendations"
INDEX = "recommendations.index"
MARKET_POPULARITY = provenance(source="baseline:market_popularity", model_version=None)
CO_VIEW = provenance(source="baseline:co_occurrence", model_version=None)
CO_PURCHASE = provenance(source="baseline:co_purchase", model_version=None)


@dataclass(frozen=True)
class Shopper:
    """Who a list is for: a customer, or a guest known by the client id their browser keeps."""

    market: Market
    customer: Customer | None = None
    client_id: str = ""

    def events(self):
        if self.customer is not None:
            return ShopperEvent.objects.filter(customer=self.customer)
        return ShopperEvent.objects.filter(client_id=self.client_id, customer__isnull=True)


@dataclass(frozen=True)
class Candidate:
    product_id: int
    score: float
    reason: dict  # {"code": ..., "product_id": ... | None}
    provenance: dict = field(default_factory=dict)


# --- the store's rules ------------------------------------------------------------------------


def products_eligible(*, market: Market) -> frozenset[int]:
    """Active products with an active variant in stock, from merchants selling to `market`.
    Cached briefly: stock changes reach recommendations within a minute."""
    key = f"rec:eligible:{market.pk}"
    eligible = cache_get(key)
    if eligible is None:
        eligible = frozenset(
            Variant.objects.filter(
                status=Variant.Status.ACTIVE,
                product__status=Product.Status.ACTIVE,
                merchant__markets=market,
                stock_on_hand__gt=F("quantity_allocated"),
            )
            .values_list("product_id", flat=True)
            .distinct()
        )
        cache_set(key, eligible, settings.RECOMMENDATIONS_ELIGIBLE_CACHE_SECONDS)
    return eligible


def products_excluded(*, shopper: Shopper, viewed: bool = False) -> set[int]:
    """What this shopper must not be shown: suppressed, returned, or bought (but consumables);
    with `viewed`, also what their latest events name (as `shopper_history` reads them). One
    query. An anonymous shopper (no account, no client id) has nothing to exclude."""
    if shopper.customer is None and not shopper.client_id:
        return set()
    if shopper.customer is not None:
        stand_in, who = _ANY_CUSTOMER_ID, shopper.customer.pk
    else:
        stand_in, who = _ANY_CLIENT_ID, shopper.client_id
    sql, params = _products_excluded_sql(
        customer=shopper.customer is not None,
        viewed=viewed,
        # what the query's parts read from the settings, so that it follows them
        repeatable=tuple(settings.RECOMMENDATIONS_REPEAT_PURCHASE_CATEGORIES),
        event_types=tuple(settings.RECOMMENDATIONS_EVENT_WEIGHTS),
        history_length=settings.RECOMMENDATIONS_HISTORY_LENGTH,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [who if param == stand_in else param for param in params])
        return {product_id for (product_id,) in cursor.fetchall()}


# Who a query composed once stands for: no customer has a negative id, no client id a NUL.
_ANY_CUSTOMER_ID = -1
_ANY_CLIENT_ID = "\x00any-client"


@functools.lru_cache(maxsize=32)
def _products_excluded_sql(*, customer: bool, viewed: bool, **settings_read) -> tuple[str, tuple]:
    """The exclusion query of a stand-in customer or guest as SQL and parameters, composed by
    the ORM once per process and shape: composing a union of four querysets took Django several
    times as long as the database takes to answer it, on every request of every list."""
    shopper = (
        Shopper(market=None, customer=Customer(pk=_ANY_CUSTOMER_ID))
        if customer
        else Shopper(market=None, client_id=_ANY_CLIENT_ID)
    )
    parts = [
        Suppression.objects.filter(
            Q(customer=shopper.customer)
            if customer
            else Q(client_id=shopper.client_id, customer__isnull=True)
        ).values_list("product_id", flat=True)
    ]
    if customer:
        parts += [_products_returned(shopper.customer), _products_bought(shopper)]
    if viewed:
        parts.append(_products_in_history(shopper))
    first, *others = [part.order_by() for part in parts]
    return (first.union(*others) if others else first).query.sql_with_params()


def _products_returned(customer: Customer):
    return Return.objects.filter(line__order__customer=customer).values_list(
        "line__variant__product_id", flat=True
    )


def _products_bought(shopper: Shopper):
    bought = shopper.events().filter(type=ShopperEvent.Type.PURCHASE, product__isnull=False)
    repeatable = settings.RECOMMENDATIONS_REPEAT_PURCHASE_CATEGORIES
    if repeatable:
        bought = bought.exclude(product__category__slug__in=repeatable)
    return bought.values_list("product_id", flat=True)


def _products_in_history(shopper: Shopper):
    recent = _history_events(shopper).values("pk")[: settings.RECOMMENDATIONS_HISTORY_LENGTH]
    return ShopperEvent.objects.filter(pk__in=recent).values_list("product_id", flat=True)


def candidates_filter(
    candidates: Iterable[Candidate],
    *,
    shopper: Shopper,
    limit: int,
    exclude: Iterable[int] = (),
    exclude_viewed: bool = False,
) -> list[Candidate]:
    """The first `limit` candidates the store may show this shopper, without repeats and
    without `exclude` (the product a list is about) and, with `exclude_viewed`, nothing their
    latest events name (for-you is for what they have not seen yet)."""
    eligible = products_eligible(market=shopper.market)
    unwanted = products_excluded(shopper=shopper, viewed=exclude_viewed) | set(exclude)
    kept, seen = [], set()
    for candidate in candidates:
        product = candidate.product_id
        if product in seen or product in unwanted or product not in eligible:
            continue
        seen.add(product)
        kept.append(candidate)
        if len(kept) == limit:
            break
    return kept


# --- candidate sources ------------------------------------------------------------------------


def shopper_history(*, shopper: Shopper) -> list[tuple[int, float]]:
    """The shopper's latest product events, oldest first, as (product id, event weight)."""
    if shopper.customer is None and not shopper.client_id:
        return []
    weights = settings.RECOMMENDATIONS_EVENT_WEIGHTS
    recent = _history_events(shopper).values_list("product_id", "type")[
        : settings.RECOMMENDATIONS_HISTORY_LENGTH
    ]
    return [(product_id, weights[kind]) for product_id, kind in reversed(recent)]


def _history_events(shopper: Shopper):
    """The shopper's product events the model reads, newest first."""
    return (
        shopper.events()
        .filter(type__in=list(settings.RECOMMENDATIONS_EVENT_WEIGHTS), product__isnull=False)
        .order_by("-occurred_at", "-id")
    )


def model_and_index():
    """The active model, and the nearest-neighbour index built from that same version (None
    when there is none, or it was built from another version: then scoring is exact)."""
    served = predictor_get(CAPABILITY)
    if served.source != "model":
        return served, None
    try:
        index = predictor_get(INDEX)
    except Exception as exc:
        logger.warning("the recommendations index is unavailable; scoring exactly: %s", exc)
        return served, None
    if index.source != "model" or index.predictor.model_version != served.model_version:
        return served, None
    return served, index.predictor


def from_model_for_history(
    history: list[tuple[int, float]], *, market: Market, count: int
) -> Iterator[Candidate]:
    """What the active model predicts next for a shopper in `market` (through the index, which
    also holds products too new for the model), each with the history item it is most like."""
    served, index = model_and_index()
    if served.source != "model" or not history:
        return
    product_ids = [product_id for product_id, _ in history]
    weights = [weight for _, weight in history]
    if index is not None:
        vector = served.predictor.user_vector(product_ids, weights, market_id=market.id)
        recommended = [] if vector is None else index.recommend(vector, count=count)
    else:
        recommended = served.predictor.recommend(
            product_ids, weights, market_id=market.id, count=count
        )
    explainer = index or served.predictor
    viewed = list(dict.fromkeys(reversed(product_ids)))
    for product_id, score in recommended:
        if product_id in viewed:  # for-you is for what they have not seen yet
            continue
        because = explainer.closest(product_id, viewed)
        yield Candidate(
            product_id, score, {"code": "because_viewed", "product_id": because}, served.provenance
        )


def from_model_similar(product_id: int, *, count: int) -> Iterator[Candidate]:
    served, index = model_and_index()
    if served.source != "model":
        return
    neighbours = (index or served.predictor).similar(product_id, count=count)
    reason, label = {"code": "similar", "product_id": product_id}, served.provenance
    for neighbour, score in neighbours:
        yield Candidate(neighbour, score, reason, label)


def from_neighbours(product_ids: list[int], *, kind: str, count: int) -> Iterator[Candidate]:
    """Co-occurrence: products seen (or bought) with these, best first, most recent anchor
    first."""
    label, reason = (
        (CO_PURCHASE, "bought_together")
        if kind == ItemNeighbour.Kind.CO_PURCHASE
        else (CO_VIEW, "also_viewed")
    )
    rows = ItemNeighbour.objects.filter(product_id__in=product_ids, kind=kind).values_list(
        "product_id", "neighbour_id", "score"
    )
    by_anchor = defaultdict(list)
    for anchor, neighbour, score in rows:
        by_anchor[anchor].append((score, neighbour))
    anchors = set(product_ids)
    for anchor in reversed(product_ids):
        for score, neighbour in sorted(by_anchor.get(anchor, ()), reverse=True)[:count]:
            if neighbour not in anchors:  # nothing the list is already about
                yield Candidate(neighbour, score, {"code": reason, "product_id": anchor}, label)


def from_trending(*, market: Market, category_id: int | None = None) -> Iterator[Candidate]:
    for product_id, score in trending_scores(market=market, category_id=category_id):
        yield Candidate(
            product_id, score, {"code": "trending", "product_id": None}, MARKET_POPULARITY
        )


def trending_scores(*, market: Market, category_id: int | None = None) -> list[tuple[int, float]]:
    """Products by time-decayed interest in `market`: each event weighs its type's weight,
    halved every RECOMMENDATIONS_TRENDING_HALF_LIFE_DAYS. Cached per market and category."""
    key = f"rec:trending:{market.pk}:{category_id or 0}"
    scores = cache_get(key)
    if scores is not None:
        return scores
    now = timezone.now()
    days = settings.RECOMMENDATIONS_TRENDING_DAYS
    half_life = settings.RECOMMENDATIONS_TRENDING_HALF_LIFE_DAYS
    weights = settings.RECOMMENDATIONS_EVENT_WEIGHTS
    events = ShopperEvent.objects.filter(
        market=market,
        type__in=list(weights),
        product__isnull=False,
        occurred_at__gte=now - timedelta(days=days),
    )
    if category_id:
        events = events.filter(
            product__category_id__in=category_with_descendant_ids(category_id=category_id)
        )
    totals: dict[int, float] = defaultdict(float)
    for product_id, kind, occurred_at in events.values_list("product_id", "type", "occurred_at"):
        age_days = (now - occurred_at).total_seconds() / 86_400
        totals[product_id] += weights[kind] * math.pow(0.5, age_days / half_life)
    scores = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    cache_set(key, scores, settings.RECOMMENDATIONS_TRENDING_CACHE_SECONDS)
    return scores


def sources_chain(*sources: Iterable[Candidate]) -> Iterator[Candidate]:
    """The candidates of each source in turn; a source that fails is logged and skipped."""
    for source in sources:
        try:
            yield from source
        except Exception as exc:
            logger.warning("a recommendation source failed, the next one serves: %s", exc)


def cache_get(key: str):
    """The cached value of `key`, or None: also while the cache is down (callers compute)."""
    try:
        return cache.get(key)
    except Exception as exc:
        logger.warning("cache unavailable, computing %s: %s", key, exc)
        return None


def cache_set(key: str, value, timeout: int) -> None:
    """Keeps `value` for `timeout` seconds, when the cache is up."""
    try:
        cache.set(key, value, timeout=timeout)
    except Exception as exc:
        logger.warning("cache unavailable, not keeping %s: %s", key, exc)


def cache_get_many(keys: list[str]) -> dict:
    """The cached values of `keys` that are there; none while the cache is down."""
    try:
        return cache.get_many(keys)
    except Exception as exc:
        logger.warning("cache unavailable, computing %d values: %s", len(keys), exc)
        return {}


def cache_set_many(values: dict, timeout: int) -> None:
    """Keeps each of `values` for `timeout` seconds, when the cache is up."""
    try:
        cache.set_many(values, timeout=timeout)
    except Exception as exc:
        logger.warning("cache unavailable, not keeping %d values: %s", len(values), exc)


def precomputed_key(customer_id: int) -> str:
    return f"rec:for-you:{customer_id}"


def from_precomputed(*, shopper: Shopper) -> Iterator[Candidate]:
    """A customer's for-you list computed by the last batch run, if it was computed with the
    model version active now."""
    if shopper.customer is None:
        return
    served = predictor_get(CAPABILITY)
    stored = cache_get(precomputed_key(shopper.customer.pk))
    if served.source != "model" or not stored or stored["version"] != served.model_version:
        return
    label = served.provenance
    for product_id, score, because in stored["items"]:
        yield Candidate(product_id, score, {"code": "because_viewed", "product_id": because}, label)

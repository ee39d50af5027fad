"""Recommendation lists served and recorded, feedback on them, and the co-occurrence rebuild.

A list is computed once, up to RECOMMENDATIONS_LIST_LENGTH items, and stored: its pages are
slices of it (a cursor names the list and an offset), so paging never repeats an item, and every
impression or click names the list and the slot it came from.
"""

import functools
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta

import numpy as np
import scipy.sparse as sp
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.models import Product
from ml_models.capabilities import capabilities_all
from ml_models.loader import predictor_get
from ml_models.models import ModelVersion, TrainingRun
from ml_models.selectors import model_version_active_get
from ml_models.services import (
    training_runs_create,
    training_runs_enqueue,
    training_runs_execute,
)
from recommendations import selectors
from recommendations.models import (
    ItemNeighbour,
    Recommendation,
    RecommendationFeedback,
    Suppression,
)
from recommendations.selectors import Candidate, Shopper
from storefront.errors import InvalidInput, NotFound, PermissionDenied
from storefront.models import OrderLine, ShopperEvent

logger = logging.getLogger(__name__)


def _list_length() -> int:
    return settings.RECOMMENDATIONS_LIST_LENGTH


def _record(
    *, kind: str, shopper: Shopper, candidates: list[Candidate], anchor: Product | None = None
) -> Recommendation:
    """The list as served, in one INSERT: its items are what cursors page through and what
    feedback attributes to."""
    return Recommendation.objects.create(
        kind=kind,
        customer=shopper.customer,
        client_id="" if shopper.customer else shopper.client_id,
        market=shopper.market,
        anchor=anchor,
        items=[_item(candidate) for candidate in candidates],
    )


def _item(candidate: Candidate) -> dict:
    """A candidate as a list item (what `dataclasses.asdict` gives, without its deep copies)."""
    return {
        "product_id": candidate.product_id,
        "score": candidate.score,
        "reason": candidate.reason,
        "provenance": candidate.provenance,
    }


def recommendation_for_you(*, shopper: Shopper) -> Recommendation:
    """A customer's list precomputed by the batch job; else the model on the shopper's latest
    events, in real time (guests, fresh sessions); co-occurrence when no model is active; market
    trending for a shopper with no history yet (and to fill a short list). Later sources run
    only when the earlier ones fall short, and the shopper's history is read only then; nothing
    the shopper already viewed is listed."""
    length = _list_length()
    history = functools.cache(lambda: selectors.shopper_history(shopper=shopper))
    candidates = selectors.candidates_filter(
        selectors.sources_chain(
            selectors.from_precomputed(shopper=shopper),
            _deferred(
                lambda: selectors.from_model_for_history(
                    history(), market=shopper.market, count=3 * length
                )
            ),
            _deferred(
                lambda: selectors.from_neighbours(
                    [product_id for product_id, _ in history()],
                    kind=ItemNeighbour.Kind.CO_VIEW,
                    count=length,
                )
            ),
            selectors.from_trending(market=shopper.market),
        ),
        shopper=shopper,
        limit=length,
        exclude_viewed=True,
    )
    return _record(kind=Recommendation.Kind.FOR_YOU, shopper=shopper, candidates=candidates)


def _deferred(make: Callable[[], Iterable[Candidate]]) -> Iterator[Candidate]:
    """A source built only when the list reaches it."""
    yield from make()


def shoppers_active() -> list[int]:
    """Customers with an event in the last RECOMMENDATIONS_ACTIVE_DAYS: whose for-you lists the
    batch job precomputes."""
    since = timezone.now() - timedelta(days=settings.RECOMMENDATIONS_ACTIVE_DAYS)
    return sorted(
        ShopperEvent.objects.filter(occurred_at__gte=since, customer__isnull=False)
        .order_by()  # the model's default ordering would make `distinct` per event
        .values_list("customer_id", flat=True)
        .distinct()
    )


def shoppers_active_chunks() -> list[list[int]]:
    """The active customers in chunks of RECOMMENDATIONS_BATCH_CHUNK: one batch task each."""
    customers = shoppers_active()
    size = settings.RECOMMENDATIONS_BATCH_CHUNK
    return [customers[start : start + size] for start in range(0, len(customers), size)]


def for_you_precompute(*, customer_ids: list[int]) -> int:
    """Computes the model's for-you candidates of these customers in one matrix product and
    keeps them in the cache for the request path; returns how many were stored. Store rules are
    applied when a list is served, so stock and suppressions stay current."""
    served = predictor_get(selectors.CAPABILITY)
    if served.source != "model":
        return 0
    weights = settings.RECOMMENDATIONS_EVENT_WEIGHTS
    histories: dict[int, list[tuple[int, float]]] = {customer: [] for customer in customer_ids}
    markets: dict[int, int] = {}  # the market of each customer's latest event, as in training
    events = (
        ShopperEvent.objects.filter(
            customer_id__in=customer_ids, type__in=list(weights), product__isnull=False
        )
        .order_by("customer_id", "-occurred_at", "-id")
        .values_list("customer_id", "product_id", "type", "market_id")
    )
    for customer, product_id, kind, market_id in events.iterator(chunk_size=20_000):
        markets.setdefault(customer, market_id or 0)
        if len(histories[customer]) < settings.RECOMMENDATIONS_HISTORY_LENGTH:
            histories[customer].append((product_id, weights[kind]))
    customers = [customer for customer, history in histories.items() if history]
    ordered = [list(reversed(histories[customer])) for customer in customers]
    recommended = served.predictor.recommend_many(
        [([p for p, _ in h], [w for _, w in h]) for h in ordered],
        market_ids=[markets[customer] for customer in customers],
        count=3 * _list_length(),
    )
    lists = {}
    for customer, history, items in zip(customers, ordered, recommended, strict=True):
        viewed = list(dict.fromkeys(product_id for product_id, _ in reversed(history)))
        lists[selectors.precomputed_key(customer)] = {
            "version": served.model_version,
            "items": [
                (product_id, score, served.predictor.closest(product_id, viewed))
                for product_id, score in items
                if product_id not in viewed
            ],
        }
    cache.set_many(lists, timeout=settings.RECOMMENDATIONS_PRECOMPUTED_SECONDS)
    return len(lists)


def recommendation_similar(*, shopper: Shopper, product: Product) -> Recommendation:
    length = _list_length()
    candidates = selectors.candidates_filter(
        selectors.sources_chain(
            selectors.from_model_similar(product.pk, count=3 * length),
            selectors.from_neighbours([product.pk], kind=ItemNeighbour.Kind.CO_VIEW, count=length),
            selectors.from_trending(market=shopper.market, category_id=product.category_id),
        ),
        shopper=shopper,
        limit=length,
        exclude=[product.pk],
    )
    return _record(
        kind=Recommendation.Kind.SIMILAR, shopper=shopper, candidates=candidates, anchor=product
    )


def recommendation_bought_together(*, shopper: Shopper, product: Product) -> Recommendation:
    length = _list_length()
    candidates = selectors.candidates_filter(
        selectors.sources_chain(
            selectors.from_neighbours(
                [product.pk], kind=ItemNeighbour.Kind.CO_PURCHASE, count=length
            ),
            selectors.from_neighbours([product.pk], kind=ItemNeighbour.Kind.CO_VIEW, count=length),
        ),
        shopper=shopper,
        limit=length,
        exclude=[product.pk],
    )
    return _record(
        kind=Recommendation.Kind.BOUGHT_TOGETHER,
        shopper=shopper,
        candidates=candidates,
        anchor=product,
    )


def recommendation_trending(*, shopper: Shopper, category_id: int | None) -> Recommendation:
    candidates = selectors.candidates_filter(
        selectors.from_trending(market=shopper.market, category_id=category_id),
        shopper=shopper,
        limit=_list_length(),
    )
    return _record(kind=Recommendation.Kind.TRENDING, shopper=shopper, candidates=candidates)


def recommendation_of_shopper(*, public_id, shopper: Shopper) -> Recommendation:
    """A list this shopper was served (another shopper's is a 404, like one that never was)."""
    try:
        found = Recommendation.objects.filter(public_id=uuid.UUID(str(public_id))).first()
    except ValueError:
        found = None
    owner_matches = found is not None and (
        found.customer_id == shopper.customer.pk
        if shopper.customer
        else found.customer_id is None and found.client_id == shopper.client_id
    )
    if not owner_matches:
        raise NotFound("No such recommendation.", code="recommendation_not_found")
    return found


def recommendation_slot_parse(recommendation_id: str) -> tuple[str, int]:
    """`<list public id>.<position>` -> (public id, position)."""
    public_id, _, position = recommendation_id.rpartition(".")
    if not public_id or not position.isdigit():
        raise InvalidInput(
            "A recommendation id looks like <list id>.<position>.",
            code="invalid_recommendation_id",
            details={"recommendation_id": ["Use the id given with the recommended item."]},
        )
    return public_id, int(position)


@transaction.atomic
def recommendation_feedback_record(
    *, recommendation_id: str, action: str, shopper: Shopper
) -> RecommendationFeedback:
    """An impression, click or "not interested" on one slot of a list the shopper was served;
    recorded once per slot and action. "Not interested" also suppresses the product for them."""
    public_id, position = recommendation_slot_parse(recommendation_id)
    recommendation = recommendation_of_shopper(public_id=public_id, shopper=shopper)
    if position >= len(recommendation.items):
        raise InvalidInput(
            f"The list has {len(recommendation.items)} items; there is no position {position}.",
            code="invalid_recommendation_id",
            details={"recommendation_id": ["No such position in that list."]},
        )
    product = Product.objects.select_related("merchant").get(
        pk=recommendation.items[position]["product_id"]
    )
    existing = RecommendationFeedback.objects.filter(
        recommendation=recommendation, position=position, action=action
    ).first()
    if existing is not None:
        return existing
    if action == RecommendationFeedback.Action.NOT_INTERESTED:
        Suppression.objects.get_or_create(
            customer=shopper.customer,
            client_id="" if shopper.customer else shopper.client_id,
            product=product,
        )
    try:
        with transaction.atomic():
            return RecommendationFeedback.objects.create(
                recommendation=recommendation,
                position=position,
                product=product,
                merchant=product.merchant,
                action=action,
            )
    except IntegrityError:  # the same slot and action recorded by a concurrent request
        return RecommendationFeedback.objects.get(
            recommendation=recommendation, position=position, action=action
        )


def shopper_check(*, shopper: Shopper) -> None:
    if shopper.customer is None and not shopper.client_id:
        raise PermissionDenied(
            "Sign in, or send the client_id your browser keeps.",
            code="shopper_unknown",
            details={"client_id": ["Guests identify with a client_id."]},
        )


# --- co-occurrence ---------------------------------------------------------------------------


def item_neighbours_rebuild() -> dict[str, int]:
    """Recounts both kinds of neighbours from the last RECOMMENDATIONS_COOCCURRENCE_DAYS:
    products viewed by the same shoppers, and products bought in the same orders. Replaces the
    table in one transaction, so readers see the old neighbours or the new, never none."""
    since = timezone.now() - timedelta(days=settings.RECOMMENDATIONS_COOCCURRENCE_DAYS)
    viewed = ShopperEvent.objects.filter(
        occurred_at__gte=since,
        product__isnull=False,
        type__in=list(settings.RECOMMENDATIONS_EVENT_WEIGHTS),
    ).values_list("customer_id", "client_id", "product_id")
    co_view = _neighbours(
        (
            (f"c{customer}" if customer else f"g{client}", product)
            for customer, client, product in viewed.iterator(chunk_size=20_000)
        )
    )
    bought = OrderLine.objects.filter(order__created_at__gte=since).values_list(
        "order_id", "variant__product_id"
    )
    co_purchase = _neighbours(bought.iterator(chunk_size=20_000))
    rows = [
        ItemNeighbour(product_id=a, neighbour_id=b, kind=kind, score=score)
        for kind, pairs in (
            (ItemNeighbour.Kind.CO_VIEW, co_view),
            (ItemNeighbour.Kind.CO_PURCHASE, co_purchase),
        )
        for a, b, score in pairs
    ]
    existing = set(Product.objects.values_list("pk", flat=True))
    rows = [row for row in rows if row.product_id in existing and row.neighbour_id in existing]
    with transaction.atomic():
        ItemNeighbour.objects.all().delete()
        ItemNeighbour.objects.bulk_create(rows, batch_size=5_000)
    counts = {"co_view": len(co_view), "co_purchase": len(co_purchase)}
    logger.info("item neighbours rebuilt: %s", counts)
    return counts


def _neighbours(baskets) -> list[tuple[int, int, float]]:
    """(product, neighbour, cosine of their basket vectors) for each product's best
    RECOMMENDATIONS_NEIGHBOURS neighbours; a basket is a shopper's views or an order."""
    basket_index, product_index, pairs = {}, {}, set()
    for basket, product in baskets:
        pairs.add(
            (
                basket_index.setdefault(basket, len(basket_index)),
                product_index.setdefault(product, len(product_index)),
            )
        )
    if not pairs:
        return []
    rows, columns = np.array(list(pairs)).T
    matrix = sp.csr_matrix(
        (np.ones(len(rows), np.float32), (rows, columns)),
        shape=(len(basket_index), len(product_index)),
    )
    counts = (matrix.T @ matrix).tocsr()
    counts.setdiag(0)
    counts.eliminate_zeros()
    sizes = np.sqrt(np.asarray(matrix.sum(axis=0)).ravel())
    products = np.array(list(product_index))
    keep = settings.RECOMMENDATIONS_NEIGHBOURS
    result = []
    for row in range(counts.shape[0]):
        start, end = counts.indptr[row], counts.indptr[row + 1]
        columns, values = counts.indices[start:end], counts.data[start:end]
        cosine = values / (sizes[row] * sizes[columns])
        for best in np.argsort(-cosine, kind="stable")[:keep]:
            result.append((int(products[row]), int(products[columns[best]]), float(cosine[best])))
    return result


# --- the nearest-neighbour index ----------------------------------------------------------------


def index_refresh_reason() -> str | None:
    """Why the index should be rebuilt now, or None: the active model changed since the last
    build, or products were added or changed (their embeddings) since."""
    from catalog.embeddings import content_embeddings_changed_since

    model = model_version_active_get(capability=selectors.CAPABILITY)
    if model is None or selectors.INDEX not in capabilities_all():
        return None
    latest = ModelVersion.objects.filter(capability=selectors.INDEX).order_by("-version").first()
    if latest is None:
        return "no index yet"
    if latest.inputs.get(selectors.CAPABILITY) != model.version:
        return f"model v{model.version} is active"
    if content_embeddings_changed_since(latest.created_at):
        return "products were added or changed"
    return None


def index_refresh(*, inline: bool = False) -> list[int]:
    """Queues a rebuild of the index (or, `inline`, runs it here) when one is due and none is
    queued or running; returns the training runs."""
    reason = index_refresh_reason()
    busy = TrainingRun.objects.filter(
        capability=selectors.INDEX,
        status__in=[TrainingRun.Status.QUEUED, TrainingRun.Status.RUNNING],
    ).exists()
    if reason is None or busy:
        return []
    logger.info("rebuilding the recommendations index: %s", reason)
    if inline:
        runs = training_runs_create(capability=selectors.INDEX, requested_by=reason)
        training_runs_execute(run_ids=[run.pk for run in runs])
    else:
        runs = training_runs_enqueue(capability=selectors.INDEX, requested_by=f"beat: {reason}")
    return [run.pk for run in runs]

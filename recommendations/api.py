"""Recommendations for shoppers: for you, similar, bought together, trending; and feedback.

Every list answers in the shopper's market and language. Each item carries its own
`recommendation_id` (to log impressions and clicks against), a `reason`, and the `provenance` of
whatever produced it: the model and its version, or the baseline that stood in. `next` is a
cursor to the following page of the same list, so pages never repeat an item.
"""

import base64
import binascii
import functools
import hashlib
import time
import zlib

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.response import Response

from catalog import selectors as catalog_selectors
from catalog.api import SHOPPER_PARAMETERS, ProductOutput, ShopperCatalogApi, ShopperContext
from catalog.models import Product
from recommendations import selectors, services
from recommendations.models import Recommendation, RecommendationFeedback
from recommendations.reasons import reason_text
from recommendations.selectors import Shopper
from storefront.api.shop import request_customer
from storefront.errors import InvalidInput, NotFound
from storefront.selectors.markets import ShopperPrices

CLIENT_ID = r"^[A-Za-z0-9_-]{8,64}$"


def cursor_encode(recommendation: Recommendation, offset: int) -> str:
    return base64.urlsafe_b64encode(f"{recommendation.public_id}:{offset}".encode()).decode()


def cursor_decode(cursor: str) -> tuple[str, int]:
    try:
        public_id, _, offset = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        return public_id, int(offset)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput(
            "This cursor is not one this API gave out.",
            code="invalid_cursor",
            details={"cursor": ["Pass the `next` value of the previous page unchanged."]},
        ) from exc


class _TokensWithCustomer:
    """Where `TokenAuthentication` reads tokens for these views (its `model`, as DRF allows):
    DRF's tokens, with the user's customer in the same query, as the views need it next."""

    DoesNotExist = Token.DoesNotExist
    objects = Token.objects.select_related("user__customer")


def token_authentication() -> TokenAuthentication:
    """DRF's token authentication (the schema's `tokenAuth`), reading the customer with the
    token: one query where `request_customer` would make it two."""
    authentication = TokenAuthentication()
    authentication.model = _TokensWithCustomer
    return authentication


@functools.lru_cache(maxsize=16_384)
def _reason_text(code: str, language: str, title: str, countries: tuple[str, ...]) -> str:
    """`reason_text`, remembered: the same few texts come back on every page."""
    return reason_text(code=code, language=language, product=title, countries=countries)


class ReasonOutput(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=["because_viewed", "similar", "also_viewed", "bought_together", "trending"]
    )
    text = serializers.CharField(help_text="In the shopper's language.")
    product = serializers.IntegerField(allow_null=True, help_text="The item the reason names.")


class ProvenanceOutput(serializers.Serializer):
    source = serializers.CharField(help_text='"model" or "baseline:<name>".')
    model_version = serializers.IntegerField(allow_null=True)


class RecommendedItemOutput(serializers.Serializer):
    recommendation_id = serializers.CharField(help_text="Log impressions and clicks with it.")
    product = ProductOutput()
    reason = ReasonOutput()
    provenance = ProvenanceOutput()


class RecommendationPageOutput(serializers.Serializer):
    id = serializers.UUIDField(help_text="The list's id.")
    kind = serializers.ChoiceField(choices=Recommendation.Kind.choices)
    results = RecommendedItemOutput(many=True)
    next = serializers.CharField(allow_null=True, help_text="Cursor of the next page, if any.")


LIST_PARAMETERS = [
    *SHOPPER_PARAMETERS,
    OpenApiParameter("limit", int, description="Items per page (capped at the maximum)."),
    OpenApiParameter("cursor", str, description="The `next` of the previous page."),
    OpenApiParameter("client_id", str, description="A guest's id (customers send their token)."),
]


class _RecommendationApi(ShopperCatalogApi):
    """A page of a list, rendered without serializers on the way (the OpenAPI schema is
    `RecommendationPageOutput`'s): each product as the catalog's card for the shopper's market
    and language, shared by every shopper there and so cached briefly, like eligibility."""

    authentication_classes = [token_authentication]
    output_serializer_class = RecommendationPageOutput

    class InputSerializer(serializers.Serializer):
        limit = serializers.IntegerField(min_value=1, required=False)
        cursor = serializers.CharField(required=False, max_length=200)
        client_id = serializers.RegexField(CLIENT_ID, required=False)
        category = serializers.IntegerField(min_value=1, required=False)

    def build(self, shopper: Shopper, params: dict, **kwargs) -> Recommendation:
        raise NotImplementedError  # each endpoint builds its own kind of list

    def get(self, request, **kwargs):
        if self.shopper.market is None:
            raise InvalidInput(
                "Recommendations are per market: pass ?market=.",
                code="market_required",
                details={"market": ["This field is required."]},
            )
        params, shopper = _parsed(self, request.query_params)
        limit = min(
            params.get("limit", settings.RECOMMENDATIONS_PAGE_SIZE),
            settings.RECOMMENDATIONS_MAX_PAGE_SIZE,
        )
        if "cursor" not in params:
            recommendation = self.build(shopper, params, **kwargs)
            return Response(self._page(recommendation, 0, limit))
        public_id, offset = cursor_decode(params["cursor"])
        recommendation = services.recommendation_of_shopper(public_id=public_id, shopper=shopper)
        # A later page: what sold out since the list was made is left out.
        eligible = selectors.products_eligible(market=self.shopper.market)
        return Response(self._page(recommendation, offset, limit, eligible=eligible))

    def _page(
        self,
        recommendation: Recommendation,
        offset: int,
        limit: int,
        eligible: frozenset[int] | None = None,
    ) -> dict:
        items = recommendation.items[offset : offset + limit]
        named = {item["reason"]["product_id"] for item in items} - {None}
        cards = self._cards({item["product_id"] for item in items} | named)
        results = [
            {
                "recommendation_id": f"{recommendation.public_id}.{offset + position}",
                "product": cards[item["product_id"]],
                "reason": self._reason(item["reason"], cards),
                "provenance": item["provenance"],
            }
            for position, item in enumerate(items)
            # sold out or withdrawn since the list was made
            if item["product_id"] in cards and (eligible is None or item["product_id"] in eligible)
        ]
        more = offset + limit < len(recommendation.items)
        return {
            "id": str(recommendation.public_id),
            "kind": str(recommendation.kind),
            "results": results,
            "next": cursor_encode(recommendation, offset + limit) if more else None,
        }

    def _reason(self, reason: dict, cards: dict[int, dict]) -> dict:
        named = cards.get(reason["product_id"])
        text = _reason_text(
            reason["code"],
            self.shopper.language,
            named["title"] if named is not None else "",
            tuple(self.shopper.market.countries),
        )
        return {"code": reason["code"], "text": text, "product": reason["product_id"]}

    def _cards(self, product_ids: set[int]) -> dict[int, dict]:
        return ProductCards(request=self.request, shopper=self.shopper).get(product_ids)


class ProductCards:
    """The catalog's product cards as shoppers in one market and language see them (the same
    for every shopper there), kept in the cache for RECOMMENDATIONS_ELIGIBLE_CACHE_SECONDS: a
    change to a product, its stock or its price shows within that time.

    The cards of a market and language are kept in generations of that length, which all end
    together (each market and language at its own moment): the requests that follow render
    their page's cards together, one query and its prefetches for several, rather than for every
    product whose card happened to expire. Prices are converted with the tax and exchange rates
    the generation read first, so a render costs its products' queries only."""

    def __init__(self, *, request, shopper: ShopperContext) -> None:
        self.request, self.shopper = request, shopper
        self.lifetime = settings.RECOMMENDATIONS_ELIGIBLE_CACHE_SECONDS
        market, language = shopper.market.pk, shopper.language
        generation = cards_generation(market_id=market, language=language)
        # Image URLs are absolute: a card is per site address as well.
        site = hashlib.blake2s(request.build_absolute_uri("/").encode(), digest_size=6)
        self.prefix = f"rec:card:{market}:{language}:{site.hexdigest()}:{generation}"

    def get(self, product_ids: set[int]) -> dict[int, dict]:
        """The card of each of these products that shoppers in the market may see (others have
        none): from the cache, the missing ones rendered in one go."""
        keys = {product_id: f"{self.prefix}:{product_id}" for product_id in product_ids}
        cached = selectors.cache_get_many(list(keys.values()))
        cards = {product_id: cached[key] for product_id, key in keys.items() if key in cached}
        missing = product_ids - cards.keys()
        if missing:
            rendered = self._render(missing)
            cards |= {product_id: rendered.get(product_id) for product_id in missing}
            selectors.cache_set_many(
                {keys[product_id]: cards[product_id] for product_id in missing}, self.lifetime
            )
        return {product_id: card for product_id, card in cards.items() if card is not None}

    def _render(self, product_ids: set[int]) -> dict[int, dict]:
        """The catalog's own rendering: the products with their text and images prefetched."""
        prices_key = f"{self.prefix}:prices"
        prices = selectors.cache_get(prices_key)
        known_prices = prices is not None
        if not known_prices:
            prices = ShopperPrices(market=self.shopper.market, now=timezone.now())
        products = catalog_selectors.product_list_for_shoppers(
            market=self.shopper.market, language=self.shopper.language, variants=False
        ).filter(pk__in=product_ids)
        context = {"request": self.request, "shopper": self.shopper, "prices": prices}
        rendered = ProductOutput(products, many=True, context=context).data
        if not known_prices:  # with the rates it has looked up by now
            selectors.cache_set(prices_key, prices, self.lifetime)
        return {card["id"]: card for card in rendered}


def cards_generation(*, market_id: int, language: str) -> int:
    """The number of the generation of cards of a market and language now: generations last
    RECOMMENDATIONS_ELIGIBLE_CACHE_SECONDS, each market and language's starting at its own
    offset, so that they do not all end at once."""
    lifetime = max(settings.RECOMMENDATIONS_ELIGIBLE_CACHE_SECONDS, 1)
    offset = zlib.crc32(f"{market_id}:{language}".encode()) % lifetime
    return int((time.time() + offset) // lifetime)


def _parsed(view, data) -> tuple[dict, Shopper]:
    """The view's input, validated, and the shopper it is for: the customer of the token, or
    the guest of the `client_id`."""
    parsed = view.InputSerializer(data=data)
    parsed.is_valid(raise_exception=True)
    shopper = Shopper(
        market=view.shopper.market,
        customer=request_customer(view.request),
        client_id=parsed.validated_data.get("client_id", ""),
    )
    return parsed.validated_data, shopper


def _product_or_404(product_id: int) -> Product:
    product = (
        Product.objects.filter(pk=product_id, status=Product.Status.ACTIVE)
        .only("pk", "category_id")
        .first()
    )
    if product is None:
        raise NotFound("No such product.", code="product_not_found")
    return product


@extend_schema(parameters=LIST_PARAMETERS, responses=RecommendationPageOutput)
class ForYouApi(_RecommendationApi):
    """Personal picks from the shopper's history (a guest's from their client id's events);
    market trending for a shopper with no history yet."""

    def build(self, shopper, params, **kwargs):
        return services.recommendation_for_you(shopper=shopper)


@extend_schema(parameters=LIST_PARAMETERS, responses=RecommendationPageOutput)
class SimilarApi(_RecommendationApi):
    """Products like this one."""

    def build(self, shopper, params, *, product_id: int):
        return services.recommendation_similar(shopper=shopper, product=_product_or_404(product_id))


@extend_schema(parameters=LIST_PARAMETERS, responses=RecommendationPageOutput)
class BoughtTogetherApi(_RecommendationApi):
    """Products bought in the same orders as this one (then viewed by the same shoppers)."""

    def build(self, shopper, params, *, product_id: int):
        return services.recommendation_bought_together(
            shopper=shopper, product=_product_or_404(product_id)
        )


@extend_schema(
    parameters=[
        *LIST_PARAMETERS,
        OpenApiParameter("category", int, description="A category id; subcategories included."),
    ],
    responses=RecommendationPageOutput,
)
class TrendingApi(_RecommendationApi):
    """What shoppers in the market are into this week, time-decayed; optionally by category."""

    def build(self, shopper, params, **kwargs):
        return services.recommendation_trending(shopper=shopper, category_id=params.get("category"))


class FeedbackApi(ShopperCatalogApi):
    """Impressions and clicks of recommended items, and "not interested" (which also hides the
    product from the shopper's lists from now on)."""

    authentication_classes = [token_authentication]

    class InputSerializer(serializers.Serializer):
        recommendation_id = serializers.CharField(max_length=80)
        action = serializers.ChoiceField(choices=RecommendationFeedback.Action.choices)
        client_id = serializers.RegexField(CLIENT_ID, required=False)

    class OutputSerializer(serializers.Serializer):
        recommendation_id = serializers.CharField()
        action = serializers.CharField()
        product = serializers.IntegerField(source="product_id")

    input_serializer_class = InputSerializer
    output_serializer_class = OutputSerializer

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request):
        data, shopper = _parsed(self, request.data)
        services.shopper_check(shopper=shopper)
        feedback = services.recommendation_feedback_record(
            recommendation_id=data["recommendation_id"], action=data["action"], shopper=shopper
        )
        output = {
            "recommendation_id": data["recommendation_id"],
            "action": feedback.action,
            "product_id": feedback.product_id,
        }
        return Response(self.OutputSerializer(output).data, status=status.HTTP_201_CREATED)

"""Recommendations for shoppers: for you, similar, bought together, trending; and feedback.

Every list answers in the shopper's market and language. Each item carries its own
`recommendation_id` (to log impressions and clicks against), a `reason`, and the `provenance` of
whatever produced it: the model and its version, or the baseline that stood in. `next` is a
cursor to the following page of the same list, so pages never repeat an item.
"""

import base64
import binascii

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import TokenAuthentication
from rest_framework.response import Response

from catalog import selectors as catalog_selectors
from catalog.api import SHOPPER_PARAMETERS, ProductOutput, ShopperCatalogApi
from catalog.models import Product
from recommendations import services
from recommendations.models import Recommendation, RecommendationFeedback
from recommendations.reasons import reason_text
from recommendations.selectors import Shopper
from storefront.api.shop import request_customer
from storefront.errors import InvalidInput, NotFound

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
    authentication_classes = [TokenAuthentication]
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
        if "cursor" in params:
            public_id, offset = cursor_decode(params["cursor"])
            recommendation = services.recommendation_of_shopper(
                public_id=public_id, shopper=shopper
            )
        else:
            recommendation, offset = self.build(shopper, params, **kwargs), 0
        return Response(self._page(recommendation, offset, limit))

    def _page(self, recommendation: Recommendation, offset: int, limit: int) -> dict:
        items = recommendation.items[offset : offset + limit]
        wanted = {item["product_id"] for item in items}
        wanted |= {item["reason"]["product_id"] for item in items if item["reason"]["product_id"]}
        products = {
            product.pk: product
            for product in catalog_selectors.product_list_for_shoppers(
                market=self.shopper.market, language=self.shopper.language
            ).filter(pk__in=wanted)
        }
        results = [
            {
                "recommendation_id": f"{recommendation.public_id}.{offset + position}",
                "product": products[item["product_id"]],
                "reason": self._reason(item["reason"], products),
                "provenance": item["provenance"],
            }
            for position, item in enumerate(items)
            if item["product_id"] in products  # sold out or withdrawn since the list was made
        ]
        more = offset + limit < len(recommendation.items)
        page = {
            "id": recommendation.public_id,
            "kind": recommendation.kind,
            "results": results,
            "next": cursor_encode(recommendation, offset + limit) if more else None,
        }
        return RecommendationPageOutput(page, context=self.get_serializer_context()).data

    def _reason(self, reason: dict, products: dict) -> dict:
        named = products.get(reason["product_id"])
        title = ""
        if named is not None:
            localized = catalog_selectors.product_localized(
                product=named, language=self.shopper.language
            )
            title = localized.fields["title"]
        return {
            "code": reason["code"],
            "product": reason["product_id"],
            "text": reason_text(
                code=reason["code"],
                language=self.shopper.language,
                product=title,
                countries=self.shopper.market.countries,
            ),
        }


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
    product = Product.objects.filter(pk=product_id, status=Product.Status.ACTIVE).first()
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

    authentication_classes = [TokenAuthentication]

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

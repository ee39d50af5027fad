"""The shopper-facing catalog: products and categories in the shopper's language and market."""

from dataclasses import dataclass

import django_filters
from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import filters, generics, serializers
from rest_framework.permissions import AllowAny

from catalog import selectors
from catalog.models import Category, Product
from storefront.languages import request_language_resolve
from storefront.models import Market
from storefront.selectors.markets import ShopperPrices, market_get_active


@dataclass(frozen=True)
class ShopperContext:
    market: Market | None
    language: str


def shopper_context_resolve(request) -> ShopperContext:
    """`?market=` picks the market (what is sold there); `?lang=`, else Accept-Language, else
    the market's default language, picks the language."""
    code = request.query_params.get("market")
    market = market_get_active(code=code) if code else None
    language = request_language_resolve(
        requested=request.query_params.get("lang"),
        accept_language=request.headers.get("Accept-Language"),
        default=market.default_language if market else settings.LANGUAGE_CODE,
    )
    return ShopperContext(market=market, language=language)


SHOPPER_PARAMETERS = [
    OpenApiParameter("market", str, description="Market code, such as de or jp."),
    OpenApiParameter("lang", str, description="Language tag such as de-AT; wins over the header."),
    OpenApiParameter("Accept-Language", str, location=OpenApiParameter.HEADER),
]


class ShopperCatalogApi(generics.GenericAPIView):
    """Resolves market and language once a request; `Content-Language` says which was resolved,
    each item's `language` which it was actually served in (after fallback)."""

    permission_classes = [AllowAny]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.shopper = shopper_context_resolve(request)

    def get_serializer_context(self):
        shopper = getattr(self, "shopper", None)
        prices = ShopperPrices(market=shopper.market if shopper else None, now=timezone.now())
        return {**super().get_serializer_context(), "shopper": shopper, "prices": prices}

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if getattr(self, "shopper", None) is not None:
            response["Content-Language"] = self.shopper.language
        return response


class LocalizedOutput(serializers.Serializer):
    """Replaces the declared text fields with the shopper's language and adds `language`."""

    language = serializers.CharField(
        source="source_language", help_text="The language this item is served in."
    )

    def localize(self, obj) -> selectors.LocalizedText:
        raise NotImplementedError

    def to_representation(self, obj):
        text = self.localize(obj)
        return {**super().to_representation(obj), "language": text.language, **text.fields}


class CategoryOutput(LocalizedOutput):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    name = serializers.CharField()
    description = serializers.CharField()

    def localize(self, category: Category) -> selectors.LocalizedText:
        return selectors.category_localized(
            category=category, language=self.context["shopper"].language
        )


class MoneyOutput(serializers.Serializer):
    amount = serializers.CharField(help_text="Decimal string in the currency's minor unit.")
    currency = serializers.CharField(help_text="ISO 4217 code.")
    tax_included = serializers.BooleanField(
        help_text="The market's standard tax rate is included (EU, UK, JP markets)."
    )


class ImageOutput(serializers.Serializer):
    url = serializers.FileField(source="image", use_url=True)
    thumbnail_url = serializers.FileField(source="thumbnail", use_url=True)
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    alt_text = serializers.CharField()


class _MerchantOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    country = serializers.CharField()


class _VariantOutput(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    name = serializers.CharField()
    attributes = serializers.JSONField()
    price = serializers.SerializerMethodField()
    available = serializers.SerializerMethodField()
    weight_grams = serializers.IntegerField()
    country_of_origin = serializers.CharField()

    @extend_schema_field(MoneyOutput)
    def get_price(self, variant) -> dict:
        return self.context["prices"].show(variant.price, variant.merchant.currency)

    def get_available(self, variant) -> bool:
        return variant.stock_on_hand > variant.quantity_allocated


class ProductOutput(LocalizedOutput):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    brand = serializers.CharField()
    attributes = serializers.JSONField()
    category = CategoryOutput()
    merchant = _MerchantOutput()
    price_from = serializers.SerializerMethodField()
    available = serializers.SerializerMethodField(help_text="In stock (and sold to the market).")
    images = ImageOutput(many=True)

    def localize(self, product: Product) -> selectors.LocalizedText:
        return selectors.product_localized(
            product=product, language=self.context["shopper"].language
        )

    @extend_schema_field(MoneyOutput)
    def get_price_from(self, product: Product) -> dict:
        return self.context["prices"].show(product.price_from, product.merchant.currency)

    def get_available(self, product: Product) -> bool:
        return bool(product.stock)


class ProductFilter(django_filters.FilterSet):
    category = django_filters.NumberFilter(
        method="filter_category", label="Category id; its subcategories are included."
    )
    brand = django_filters.CharFilter(method="filter_brand", label="Brands, comma-separated.")
    min_price = django_filters.NumberFilter(field_name="price_from", lookup_expr="gte")
    max_price = django_filters.NumberFilter(field_name="price_from", lookup_expr="lte")
    available = django_filters.BooleanFilter(method="filter_available", label="In stock.")

    def filter_category(self, queryset, name, value):
        return queryset.filter(
            category_id__in=selectors.category_with_descendant_ids(category_id=int(value))
        )

    def filter_brand(self, queryset, name, value):
        return queryset.filter(brand__in=[brand.strip() for brand in value.split(",")])

    def filter_available(self, queryset, name, value):
        return queryset.filter(stock__gt=0) if value else queryset.filter(stock=0)


class _ShopperProductsApi(ShopperCatalogApi):
    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Product.objects.none()
        return selectors.product_list_for_shoppers(
            market=self.shopper.market, language=self.shopper.language
        )


@extend_schema(parameters=SHOPPER_PARAMETERS)
class ProductListApi(_ShopperProductsApi, generics.ListAPIView):
    """Active products with a price, in the shopper's language; with `market`, only those sold
    there. Filters: category (with subcategories), brand, price range, availability."""

    serializer_class = ProductOutput
    filterset_class = ProductFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, filters.OrderingFilter]
    ordering_fields = ["price_from", "created_at"]
    ordering = ["-created_at", "-id"]


@extend_schema(parameters=SHOPPER_PARAMETERS)
class ProductDetailApi(_ShopperProductsApi, generics.RetrieveAPIView):
    class OutputSerializer(ProductOutput):
        variants = _VariantOutput(many=True, source="active_variants")

    serializer_class = OutputSerializer


@extend_schema(parameters=SHOPPER_PARAMETERS)
class CategoryListApi(ShopperCatalogApi, generics.ListAPIView):
    """Every category, flat (each names its parent), in the shopper's language."""

    serializer_class = CategoryOutput
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Category.objects.none()
        return selectors.category_list_for_shoppers(language=self.shopper.language)

"""Reads from the catalog: what shoppers may see, what a merchant owns, and text in the language
a shopper reads."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Min, Prefetch, Q, QuerySet, Sum

from catalog.models import (
    Category,
    CategoryContent,
    LocalizedContent,
    Merchant,
    MerchantMembership,
    Product,
    ProductContent,
    ProductImage,
    Variant,
)
from storefront.languages import language_fallback_chain
from storefront.models import Market

_ACTIVE_VARIANT = Q(variants__status=Variant.Status.ACTIVE)


@dataclass(frozen=True)
class LocalizedText:
    language: str
    fields: dict[str, str]


def merchant_for_user(*, user) -> Merchant | None:
    membership = (
        MerchantMembership.objects.select_related("merchant").filter(user_id=user.pk).first()
    )
    return membership.merchant if membership else None


def _servable_contents(model: type[LocalizedContent], languages: list[str]) -> QuerySet:
    contents = model.objects.filter(language__in=languages, status=LocalizedContent.Status.APPROVED)
    if not settings.CATALOG_SERVE_STALE_CONTENT:
        contents = contents.filter(is_stale=False)
    return contents


def _languages_to_prefetch(language: str) -> list[str]:
    """The requested tag and its base language; the source text is on the object itself."""
    return language_fallback_chain(language, language)


def product_list_for_shoppers(
    *, market: Market | None, language: str, variants: bool = True
) -> QuerySet[Product]:
    """Active products with at least one active variant, sold to `market` when one is given,
    annotated with `price_from` and `stock` and with the text for `language` prefetched; with
    `variants`, also their active variants (as `active_variants`: the detail page lists them,
    a product card does not)."""
    languages = _languages_to_prefetch(language)
    products = Product.objects.filter(status=Product.Status.ACTIVE)
    if market is not None:
        products = products.filter(merchant__markets=market)
    products = (
        products.annotate(
            price_from=Min("variants__price", filter=_ACTIVE_VARIANT),
            stock=Sum(
                F("variants__stock_on_hand") - F("variants__quantity_allocated"),
                filter=_ACTIVE_VARIANT,
            ),
        )
        .filter(price_from__isnull=False)
        .select_related("merchant", "category")
        .prefetch_related(
            Prefetch("contents", queryset=_servable_contents(ProductContent, languages)),
            Prefetch("category__contents", queryset=_servable_contents(CategoryContent, languages)),
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
        )
    )
    if not variants:
        return products
    return products.prefetch_related(
        Prefetch(
            "variants",
            queryset=Variant.objects.filter(status=Variant.Status.ACTIVE)
            .select_related("merchant")
            .order_by("id"),
            to_attr="active_variants",
        )
    )


def category_list_for_shoppers(*, language: str) -> QuerySet[Category]:
    return Category.objects.prefetch_related(
        Prefetch(
            "contents",
            queryset=_servable_contents(CategoryContent, _languages_to_prefetch(language)),
        )
    )


def category_with_descendant_ids(*, category_id: int) -> list[int]:
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, frontier = [], [category_id]
    while frontier:
        found += frontier
        frontier = [child for pk in frontier for child in children.get(pk, [])]
    return found


def _localized(obj: Product | Category, language: str, fields: tuple[str, ...]) -> LocalizedText:
    """The first text along language -> base language -> source language; expects the
    servable contents prefetched (see the list selectors above)."""
    by_language = {content.language: content for content in obj.contents.all()}
    for candidate in language_fallback_chain(language, obj.source_language):
        if candidate == obj.source_language:
            break
        if candidate in by_language:
            content = by_language[candidate]
            return LocalizedText(candidate, {field: getattr(content, field) for field in fields})
    return LocalizedText(obj.source_language, {field: getattr(obj, field) for field in fields})


def product_localized(*, product: Product, language: str) -> LocalizedText:
    return _localized(product, language, ("title", "description"))


def category_localized(*, category: Category, language: str) -> LocalizedText:
    return _localized(category, language, ("name", "description"))


# --- What a merchant owns ------------------------------------------------------------------


def product_list_for_merchant(*, merchant: Merchant) -> QuerySet[Product]:
    return Product.objects.filter(merchant=merchant).select_related("category")


def variant_list_for_merchant(*, merchant: Merchant) -> QuerySet[Variant]:
    return Variant.objects.filter(merchant=merchant).select_related("product", "merchant")


def product_image_list_for_merchant(*, merchant: Merchant) -> QuerySet[ProductImage]:
    return ProductImage.objects.filter(product__merchant=merchant).select_related("product")


def product_content_list_for_merchant(*, merchant: Merchant) -> QuerySet[ProductContent]:
    return ProductContent.objects.filter(product__merchant=merchant).select_related("product")


def variant_available_quantity(*, variant: Variant) -> int:
    return variant.stock_on_hand - variant.quantity_allocated

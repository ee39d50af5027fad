"""Writes to the catalog. Every function validates fully before it writes, inside a transaction,
so bad input changes nothing."""

import hashlib
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models import Max, Q

from catalog.images import image_normalize
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
from storefront.errors import InvalidInput
from storefront.models import Market
from storefront.money import money_has_valid_exponent

# What each merchant role may do in the admin; object-level scoping is done by the admin itself.
_ROLE_PERMISSIONS = {
    MerchantMembership.Role.STAFF: [
        "catalog.view_merchant",
        "catalog.view_category",
        "storefront.view_order",
        "storefront.view_orderline",
        *(f"support_bot.{action}_faqentry" for action in ("view", "add", "change", "delete")),
        "recommendations.view_recommendationfeedback",
        # The review queue: seeing it, and approving or cancelling (the queue's "change").
        "fraud.view_reviewqueueorder",
        "fraud.change_reviewqueueorder",
        "fraud.view_riskassessment",
        "fraud.view_reviewdecision",
        *(f"fraud.{action}_riskrule" for action in ("view", "add", "change", "delete")),
        # Their SKUs' forecasts: the list, each SKU's page and the CSV export.
        "forecasting.view_forecastedsku",
        *(
            f"catalog.{action}_{model}"
            for model in ("product", "variant", "productimage", "productcontent")
            for action in ("view", "add", "change", "delete")
        ),
    ],
}
_ROLE_PERMISSIONS[MerchantMembership.Role.OWNER] = [
    *_ROLE_PERMISSIONS[MerchantMembership.Role.STAFF],
    "catalog.change_merchant",
    *(f"catalog.{action}_merchantmembership" for action in ("view", "add", "change", "delete")),
]

_PRODUCT_EDITABLE = {
    "category",
    "brand",
    "source_language",
    "title",
    "description",
    "attributes",
    "status",
}
# In the order forms show them.
VARIANT_EDITABLE_FIELDS = (
    "name",
    "attributes",
    "price",
    "stock_on_hand",
    "weight_grams",
    "hs_code",
    "country_of_origin",
    "supplier_lead_time_days",
    "status",
)
_VARIANT_EDITABLE = set(VARIANT_EDITABLE_FIELDS)
_TRANSLATION_METADATA = {"description", "source", "engine", "model_version", "status"}
_PRODUCT_CONTENT_EDITABLE = {"title", *_TRANSLATION_METADATA}
_CATEGORY_CONTENT_EDITABLE = {"name", *_TRANSLATION_METADATA}


def _validated_save(instance: models.Model, *, update_fields: list[str] | None = None) -> None:
    instance.full_clean()
    instance.save(update_fields=update_fields)


def _apply_changes(instance: models.Model, changes: dict[str, Any], editable: set[str]) -> list:
    unknown = set(changes) - editable
    if unknown:
        raise InvalidInput(details={field: ["This field cannot be changed."] for field in unknown})
    for field, value in changes.items():
        setattr(instance, field, value)
    return list(changes)


def source_text_hash(*texts: str) -> str:
    """Identifies the source text a translation was made from."""
    return hashlib.sha256("\x1f".join(texts).encode()).hexdigest()


def _product_source_hash(product: Product) -> str:
    return source_text_hash(product.title, product.description)


def _category_source_hash(category: Category) -> str:
    return source_text_hash(category.name, category.description)


def _contents_mark_stale(contents: models.QuerySet, current_hash: str) -> int:
    return contents.exclude(source_hash=current_hash).update(is_stale=True)


# --- Merchants --------------------------------------------------------------------------------


@transaction.atomic
def merchant_create(
    *,
    name: str,
    slug: str,
    country: str,
    currency: str,
    default_language: str,
    market_codes: Iterable[str] = (),
) -> Merchant:
    markets = list(Market.objects.filter(code__in=market_codes))
    missing = set(market_codes) - {market.code for market in markets}
    if missing:
        raise InvalidInput(details={"markets": [f"Unknown market: {code}" for code in missing]})
    merchant = Merchant(
        name=name, slug=slug, country=country, currency=currency, default_language=default_language
    )
    _validated_save(merchant)
    merchant.markets.set(markets)
    return merchant


def _role_group(role: str) -> Group:
    group, _ = Group.objects.get_or_create(name=f"Merchant {role}")
    wanted = Q()
    for permission in _ROLE_PERMISSIONS[role]:
        app_label, codename = permission.split(".", 1)
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.set(Permission.objects.filter(wanted))
    return group


@transaction.atomic
def merchant_member_add(*, merchant: Merchant, user, role: str) -> MerchantMembership:
    """Makes `user` staff of `merchant` with the admin permissions of `role`."""
    if MerchantMembership.objects.filter(user=user).exclude(merchant=merchant).exists():
        raise InvalidInput(
            "This user already belongs to another merchant.",
            code="already_member",
            details={"user": ["A user is staff of one merchant at most."]},
        )
    membership, _ = MerchantMembership.objects.update_or_create(
        user=user, defaults={"merchant": merchant, "role": role}
    )
    membership.full_clean()
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.remove(*Group.objects.filter(name__startswith="Merchant "))
    user.groups.add(_role_group(role))
    return membership


# --- Categories -------------------------------------------------------------------------------


@transaction.atomic
def category_create(
    *,
    name: str,
    slug: str,
    parent: Category | None = None,
    description: str = "",
    source_language: str = "en",
    position: int = 0,
) -> Category:
    category = Category(
        name=name,
        slug=slug,
        parent=parent,
        description=description,
        source_language=source_language,
        position=position,
    )
    _validated_save(category)
    return category


@transaction.atomic
def category_save(*, category: Category) -> Category:
    """Saves a category changed in place; translations of its old text become stale."""
    _validated_save(category)
    _contents_mark_stale(category.contents.all(), _category_source_hash(category))
    return category


def category_content_validate(*, content: CategoryContent) -> None:
    _translation_validate(content, content.category)


def category_content_save(*, content: CategoryContent) -> CategoryContent:
    category_content_validate(content=content)
    return _content_save(content, _category_source_hash(content.category))


@transaction.atomic
def category_content_upsert(
    *, category: Category, language: str, name: str, **fields: Any
) -> CategoryContent:
    content = CategoryContent.objects.filter(category=category, language=language).first()
    content = content or CategoryContent(category=category, language=language)
    _apply_changes(content, {"name": name, **fields}, _CATEGORY_CONTENT_EDITABLE)
    return category_content_save(content=content)


# --- Products ---------------------------------------------------------------------------------


@transaction.atomic
def product_create(
    *,
    merchant: Merchant,
    category: Category,
    title: str,
    description: str = "",
    brand: str = "",
    source_language: str | None = None,
    attributes: dict | None = None,
    status: str = Product.Status.DRAFT,
) -> Product:
    product = Product(
        merchant=merchant,
        category=category,
        title=title,
        description=description,
        brand=brand,
        source_language=source_language or merchant.default_language,
        attributes=attributes or {},
        status=status,
    )
    _validated_save(product)
    return product


@transaction.atomic
def product_save(*, product: Product, update_fields: list[str] | None = None) -> Product:
    """Saves a product changed in place (the admin's path); a changed title or description marks
    every translation made from the old text stale."""
    _validated_save(product, update_fields=update_fields)
    _contents_mark_stale(product.contents.all(), _product_source_hash(product))
    return product


def product_update(*, product: Product, **changes: Any) -> Product:
    fields = _apply_changes(product, changes, _PRODUCT_EDITABLE)
    return product_save(product=product, update_fields=[*fields, "updated_at"])


def product_archive(*, product: Product) -> Product:
    return product_update(product=product, status=Product.Status.ARCHIVED)


def _content_save(content: LocalizedContent, current_source_hash: str) -> LocalizedContent:
    """A translation written or approved now is written against the current source text."""
    content.source_hash = current_source_hash
    content.is_stale = False
    _validated_save(content)
    return content


def _translation_validate(content: LocalizedContent, translated: Product | Category) -> None:
    noun = translated._meta.verbose_name
    if content.language == translated.source_language:
        raise InvalidInput(
            details={"language": [f"This is the {noun}'s source language; edit the {noun}."]}
        )
    if translated.pk is None:
        return  # a new product or category has no translations to clash with yet
    others = translated.contents.filter(language=content.language).exclude(pk=content.pk)
    if others.exists():
        raise InvalidInput(
            code="duplicate_language",
            details={"language": [f"The {noun} already has {content.language} content."]},
        )


def product_content_validate(*, content: ProductContent) -> None:
    _translation_validate(content, content.product)


@transaction.atomic
def product_content_save(*, content: ProductContent) -> ProductContent:
    product_content_validate(content=content)
    return _content_save(content, _product_source_hash(content.product))


@transaction.atomic
def product_content_create(
    *, product: Product, language: str, title: str, **fields: Any
) -> ProductContent:
    content = ProductContent(product=product, language=language)
    _apply_changes(content, {"title": title, **fields}, _PRODUCT_CONTENT_EDITABLE)
    return product_content_save(content=content)


@transaction.atomic
def product_content_update(*, content: ProductContent, **changes: Any) -> ProductContent:
    _apply_changes(content, changes, _PRODUCT_CONTENT_EDITABLE)
    return product_content_save(content=content)


def product_content_delete(*, content: ProductContent) -> None:
    content.delete()


# --- Variants ---------------------------------------------------------------------------------


def _sku_taken(sku: str) -> InvalidInput:
    return InvalidInput(
        code="sku_taken",
        details={"sku": [f"SKU {sku} is already used by another of your variants."]},
    )


def variant_validate(*, variant: Variant) -> None:
    """The checks the database cannot phrase for a merchant: the price has the currency's
    decimals, and the SKU is free among the merchant's variants."""
    variant.merchant = variant.product.merchant
    currency = variant.merchant.currency
    if variant.price is not None and not money_has_valid_exponent(Decimal(variant.price), currency):
        raise InvalidInput(
            details={"price": [f"A {currency} price has at most {currency}'s decimals."]}
        )
    if variant.stock_on_hand is not None and variant.stock_on_hand < variant.quantity_allocated:
        raise InvalidInput(
            details={
                "stock_on_hand": [
                    f"{variant.quantity_allocated} units are held for placed orders; "
                    "stock on hand cannot be lower."
                ]
            }
        )
    others = Variant.objects.filter(merchant=variant.merchant, sku=variant.sku)
    if others.exclude(pk=variant.pk).exists():
        raise _sku_taken(variant.sku)


def variant_save(*, variant: Variant, update_fields: list[str] | None = None) -> Variant:
    variant_validate(variant=variant)
    try:
        with transaction.atomic():
            _validated_save(variant, update_fields=update_fields)
    except IntegrityError as error:  # a concurrent writer took the SKU after the check above
        raise _sku_taken(variant.sku) from error
    return variant


@transaction.atomic
def variant_create(*, product: Product, sku: str, price: Decimal, **fields: Any) -> Variant:
    variant = Variant(product=product, sku=sku, price=price)
    _apply_changes(variant, fields, _VARIANT_EDITABLE)
    return variant_save(variant=variant)


@transaction.atomic
def variant_update(*, variant: Variant, **changes: Any) -> Variant:
    fields = _apply_changes(variant, changes, _VARIANT_EDITABLE | {"sku"})
    return variant_save(variant=variant, update_fields=[*fields, "updated_at"])


def variant_archive(*, variant: Variant) -> Variant:
    return variant_update(variant=variant, status=Variant.Status.ARCHIVED)


# --- Images -----------------------------------------------------------------------------------


def _files_delete(*files: models.fields.files.FieldFile) -> None:
    for file in files:
        if file.name:
            file.storage.delete(file.name)


def product_image_add(
    *, product: Product, upload, alt_text: str = "", position: int | None = None
) -> ProductImage:
    """Validates and re-encodes the upload first: a bad file raises before anything is stored."""
    normalized = image_normalize(upload)
    stem = uuid.uuid4().hex
    image = ProductImage(
        product=product,
        width=normalized.width,
        height=normalized.height,
        source_format=normalized.source_format,
        sha256=normalized.sha256,
        alt_text=alt_text,
    )
    try:
        with transaction.atomic():
            if position is None:
                highest = product.images.aggregate(highest=Max("position"))["highest"]
                position = 0 if highest is None else highest + 1
            image.position = position
            image.image.save(f"{stem}.jpg", ContentFile(normalized.content), save=False)
            image.thumbnail.save(f"{stem}-thumb.jpg", ContentFile(normalized.thumbnail), save=False)
            _validated_save(image)
    except Exception:
        _files_delete(image.image, image.thumbnail)
        raise
    return image


@transaction.atomic
def product_image_update(*, image: ProductImage, **changes: Any) -> ProductImage:
    fields = _apply_changes(image, changes, {"alt_text", "position"})
    _validated_save(image, update_fields=fields)
    return image


def product_image_delete(*, image: ProductImage) -> None:
    files = (image.image, image.thumbnail)
    with transaction.atomic():
        image.delete()
        transaction.on_commit(lambda: _files_delete(*files))


# --- Stock ------------------------------------------------------------------------------------


def variant_allocate(*, variant_id: int, quantity: int) -> bool:
    """Holds `quantity` for an order if that much is free, in one conditional UPDATE: two
    checkouts racing for the last unit cannot both win, on any database."""
    held = Variant.objects.filter(
        pk=variant_id,
        status=Variant.Status.ACTIVE,
        stock_on_hand__gte=models.F("quantity_allocated") + quantity,
    ).update(quantity_allocated=models.F("quantity_allocated") + quantity)
    return held == 1


def variant_deallocate(*, variant_id: int, quantity: int) -> None:
    Variant.objects.filter(pk=variant_id).update(
        quantity_allocated=models.F("quantity_allocated") - quantity
    )


def variant_stock_ship(*, variant_id: int, quantity: int) -> None:
    """The held units leave the warehouse."""
    Variant.objects.filter(pk=variant_id).update(
        quantity_allocated=models.F("quantity_allocated") - quantity,
        stock_on_hand=models.F("stock_on_hand") - quantity,
    )

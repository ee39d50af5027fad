"""Merchant scoping of the Django admin, exercised the way a merchant's browser hits it.

Two merchants, A and B, each with a staff user, a product, a variant, an English translation
and an image; plus an ops superuser. Staff of A must never see, change or delete B's rows, and
what they create belongs to A whatever the POST claims. Forms are submitted the way a browser
does: the page is fetched, its form fields are read from the HTML, a few are changed, and the
whole form is posted back.
"""

import io
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from catalog import services
from catalog.models import Merchant, Product, ProductContent, ProductImage, Variant
from catalog.tests.factories import (
    CategoryFactory,
    MerchantFactory,
    ProductFactory,
    VariantFactory,
    merchant_staff,
)

pytestmark = pytest.mark.django_db

PRODUCTS = "/admin/catalog/product/"
VARIANTS = "/admin/catalog/variant/"
MERCHANTS = "/admin/catalog/merchant/"
CATEGORIES = "/admin/catalog/category/"

# --- Helpers ----------------------------------------------------------------------------------


def png_bytes(size: tuple[int, int] = (200, 150)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def media_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


class _FormFields(HTMLParser):
    """Collects what a browser would submit from the form with id `form_id`: text, hidden and
    number inputs, checked boxes, selected options and textareas. File inputs, buttons and the
    inline formsets' `__prefix__` templates are left out."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: dict[str, str | list[str]] = {}
        self._select: dict | None = None
        self._option_value: str | None = None
        self._textarea: str | None = None
        self._textarea_text: list[str] = []

    def _add(self, name: str | None, value: str) -> None:
        if name and "__prefix__" not in name:
            self.fields[name] = value

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in {"file", "submit", "button", "reset", "image"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self._add(attrs.get("name"), attrs.get("value") or ("on" if kind == "checkbox" else ""))
        elif tag == "select":
            self._select = {
                "name": attrs.get("name"),
                "multiple": "multiple" in attrs,
                "first": None,
                "selected": [],
            }
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attrs:
                self._select["selected"].append(value)
        elif tag == "textarea":
            self._textarea = attrs.get("name")
            self._textarea_text = []

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea_text.append(data)

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select is not None:
            select, self._select = self._select, None
            if select["multiple"]:
                if select["name"] and select["selected"]:
                    self.fields[select["name"]] = select["selected"]
            elif select["selected"]:
                self._add(select["name"], select["selected"][-1])
            elif select["first"] is not None:
                self._add(select["name"], select["first"])
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the one newline that follows <textarea>.
            self._add(self._textarea, "".join(self._textarea_text).removeprefix("\n"))
            self._textarea = None


def form_fields(client, url: str, form_id: str) -> dict:
    """GETs an admin add or change page and returns the fields its form would post."""
    response = client.get(url)
    assert response.status_code == 200, response
    parser = _FormFields(form_id)
    parser.feed(response.content.decode())
    assert parser.fields, f"no form #{form_id} on {url}"
    return parser.fields


def form_errors(response) -> list[str]:
    """Every error message of the admin form and its inline formsets, flattened."""
    errors = []
    adminform = response.context["adminform"]
    for messages in adminform.form.errors.values():
        errors.extend(messages)
    for inline in response.context.get("inline_admin_formsets") or []:
        errors.extend(inline.formset.non_form_errors())
        for form_errors_ in inline.formset.errors:
            for messages in form_errors_.values():
                errors.extend(messages)
    return [str(error) for error in errors]


def text(response) -> str:
    return response.content.decode()


def change_url(obj) -> str:
    return reverse(f"admin:catalog_{obj._meta.model_name}_change", args=[obj.pk])


def delete_url(obj) -> str:
    return reverse(f"admin:catalog_{obj._meta.model_name}_delete", args=[obj.pk])


def variant_fields(**overrides) -> dict:
    """A complete, valid variant for the variant admin's add form."""
    return {
        "sku": "NEW-SKU-1",
        "name": "Blue / L",
        "attributes": "{}",
        "price": "25.00",
        "stock_on_hand": "3",
        "weight_grams": "250",
        "hs_code": "610910",
        "country_of_origin": "PT",
        "supplier_lead_time_days": "14",
        "status": "active",
        **overrides,
    }


# --- Fixtures ---------------------------------------------------------------------------------


@dataclass
class Shop:
    merchant: Merchant
    staff: object
    product: Product
    variant: Variant
    content: ProductContent
    image: ProductImage


def make_shop(*, name: str, slug: str, prefix: str, brand: str, currency: str = "EUR") -> Shop:
    merchant = MerchantFactory(name=name, slug=slug, currency=currency)
    staff = merchant_staff(merchant)
    product = ProductFactory(
        merchant=merchant,
        category=CategoryFactory(),
        title=f"{prefix} Produkt",
        brand=brand,
        source_language="de",
    )
    variant = VariantFactory(product=product, sku=f"{prefix.upper()}-SKU-1", price="19.00")
    content = services.product_content_create(
        product=product, language="en", title=f"{prefix} Product EN", status="approved"
    )
    image = services.product_image_add(product=product, upload=io.BytesIO(png_bytes()))
    return Shop(merchant, staff, product, variant, content, image)


@pytest.fixture
def shop_a() -> Shop:
    return make_shop(name="Alpha Moden", slug="alpha", prefix="Alpha", brand="AlphaBrand")


@pytest.fixture
def shop_b() -> Shop:
    return make_shop(name="Beta Waren", slug="beta", prefix="Beta", brand="SecretBrandB")


@pytest.fixture
def ops():
    return get_user_model().objects.create_superuser(
        username="ops", email="ops@example.com", password="correct horse battery"
    )


@pytest.fixture
def as_a(client, shop_a, shop_b):
    """The test client, logged in as staff of A, with B's data in the database too."""
    client.force_login(shop_a.staff)
    return client


# --- 1. Product changelist --------------------------------------------------------------------


def test_product_changelist_shows_staff_only_their_merchants_products(as_a, shop_a, shop_b):
    response = as_a.get(PRODUCTS)

    assert response.status_code == 200
    assert shop_a.product.title in text(response)
    assert shop_b.product.title not in text(response)
    assert list(response.context["cl"].result_list) == [shop_a.product]


def test_product_changelist_shows_ops_every_merchants_products(client, ops, shop_a, shop_b):
    client.force_login(ops)

    response = client.get(PRODUCTS)

    assert response.status_code == 200
    assert shop_a.product.title in text(response)
    assert shop_b.product.title in text(response)


def test_product_search_by_another_merchants_sku_finds_nothing(as_a, shop_a, shop_b):
    response = as_a.get(PRODUCTS, {"q": shop_b.variant.sku})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    assert shop_b.product.title not in text(response)


def test_product_search_by_own_sku_finds_own_product(as_a, shop_a):
    response = as_a.get(PRODUCTS, {"q": shop_a.variant.sku})

    assert list(response.context["cl"].result_list) == [shop_a.product]


# --- 2. Change page of another merchant's product ---------------------------------------------


def test_change_page_of_other_merchants_product_redirects_as_missing(as_a, shop_b):
    response = as_a.get(change_url(shop_b.product))

    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    assert shop_b.product.title not in text(response)

    followed = as_a.get(response.url)
    assert "exist. Perhaps it was deleted?" in text(followed)
    assert shop_b.product.title not in text(followed)


def test_post_to_other_merchants_product_changes_nothing(as_a, shop_a, shop_b):
    fields = form_fields(as_a, change_url(shop_a.product), "product_form")
    fields.update(title="Hijacked", brand="Hijacked")

    response = as_a.post(change_url(shop_b.product), fields)

    assert response.status_code == 302
    assert shop_b.product.title not in text(response)
    shop_b.product.refresh_from_db()
    assert shop_b.product.title == "Beta Produkt"
    assert shop_b.product.brand == "SecretBrandB"
    assert not Product.objects.filter(title="Hijacked").exists()


def test_history_of_other_merchants_product_is_not_shown(as_a, shop_b):
    response = as_a.get(reverse("admin:catalog_product_history", args=[shop_b.product.pk]))

    assert response.status_code == 302
    assert shop_b.product.title not in text(response)


# --- 3. Deleting and bulk actions -------------------------------------------------------------


def test_delete_of_other_merchants_product_deletes_nothing(as_a, shop_b):
    confirmation = as_a.get(delete_url(shop_b.product))
    response = as_a.post(delete_url(shop_b.product), {"post": "yes"})

    assert confirmation.status_code == 302
    assert shop_b.product.title not in text(confirmation)
    assert response.status_code == 302
    assert Product.objects.filter(pk=shop_b.product.pk).exists()


def test_delete_of_own_product_works(as_a, shop_a):
    response = as_a.post(delete_url(shop_a.product), {"post": "yes"})

    assert response.status_code == 302
    assert not Product.objects.filter(pk=shop_a.product.pk).exists()


def test_archive_action_ignores_other_merchants_products(as_a, shop_a, shop_b):
    response = as_a.post(
        PRODUCTS,
        {
            "action": "archive_selected",
            "_selected_action": [shop_a.product.pk, shop_b.product.pk],
        },
    )

    assert response.status_code == 302
    shop_a.product.refresh_from_db()
    shop_b.product.refresh_from_db()
    assert shop_a.product.status == Product.Status.ARCHIVED
    assert shop_b.product.status == Product.Status.ACTIVE


# --- 4. Adding a product ----------------------------------------------------------------------


def test_product_add_page_has_the_three_inline_formsets(as_a):
    fields = form_fields(as_a, f"{PRODUCTS}add/", "product_form")

    for prefix in ("variants", "images", "contents"):
        assert fields[f"{prefix}-TOTAL_FORMS"] == "0"
        assert fields[f"{prefix}-INITIAL_FORMS"] == "0"
    assert "merchant" not in fields


def test_product_added_by_staff_belongs_to_their_merchant_whatever_the_post_says(
    as_a, shop_a, shop_b
):
    fields = form_fields(as_a, f"{PRODUCTS}add/", "product_form")
    fields.update(
        merchant=shop_b.merchant.pk,
        category=shop_a.product.category_id,
        title="Alpha Neuheit",
        source_language="de",
        status="draft",
    )

    response = as_a.post(f"{PRODUCTS}add/", fields)

    assert response.status_code == 302, form_errors(response)
    assert Product.objects.get(title="Alpha Neuheit").merchant == shop_a.merchant


def test_variant_added_inline_with_a_new_product_belongs_to_the_staffs_merchant(
    as_a, shop_a, shop_b
):
    fields = form_fields(as_a, f"{PRODUCTS}add/", "product_form")
    fields.update(
        {
            "merchant": shop_b.merchant.pk,
            "category": shop_a.product.category_id,
            "title": "Alpha Neuheit",
            "source_language": "de",
            "status": "draft",
            "variants-TOTAL_FORMS": "1",
            **{f"variants-0-{name}": value for name, value in variant_fields().items()},
        }
    )

    response = as_a.post(f"{PRODUCTS}add/", fields)

    assert response.status_code == 302, form_errors(response)
    product = Product.objects.get(title="Alpha Neuheit")
    assert product.merchant == shop_a.merchant
    variant = product.variants.get()
    assert variant.sku == "NEW-SKU-1"
    assert variant.merchant == shop_a.merchant


def test_translation_added_inline_with_a_new_product_is_saved(as_a, shop_a):
    fields = form_fields(as_a, f"{PRODUCTS}add/", "product_form")
    fields.update(
        {
            "category": shop_a.product.category_id,
            "title": "Alpha Neuheit",
            "source_language": "de",
            "status": "draft",
            "contents-TOTAL_FORMS": "1",
            "contents-0-language": "en",
            "contents-0-title": "Alpha Novelty",
            "contents-0-source": "human",
            "contents-0-status": "approved",
        }
    )

    response = as_a.post(f"{PRODUCTS}add/", fields)

    assert response.status_code == 302, form_errors(response)
    product = Product.objects.get(title="Alpha Neuheit")
    assert product.contents.get().title == "Alpha Novelty"


def test_product_add_with_a_taken_sku_in_the_variant_inline_is_a_form_error(as_a, shop_a):
    fields = form_fields(as_a, f"{PRODUCTS}add/", "product_form")
    fields.update(
        {
            "category": shop_a.product.category_id,
            "title": "Alpha Doppelt",
            "source_language": "de",
            "status": "draft",
            "variants-TOTAL_FORMS": "1",
            **{
                f"variants-0-{name}": value
                for name, value in variant_fields(sku=shop_a.variant.sku).items()
            },
        }
    )

    response = as_a.post(f"{PRODUCTS}add/", fields)

    assert response.status_code == 200
    assert any(shop_a.variant.sku in error for error in form_errors(response))
    assert not Product.objects.filter(title="Alpha Doppelt").exists()


# --- 5. Variant admin -------------------------------------------------------------------------


def test_variant_changelist_shows_staff_only_their_skus(as_a, shop_a, shop_b):
    response = as_a.get(VARIANTS)

    assert response.status_code == 200
    assert shop_a.variant.sku in text(response)
    assert shop_b.variant.sku not in text(response)
    assert list(response.context["cl"].result_list) == [shop_a.variant]


def test_variant_change_page_of_other_merchant_is_not_shown(as_a, shop_b):
    response = as_a.get(change_url(shop_b.variant))

    assert response.status_code == 302
    assert shop_b.variant.sku not in text(response)


def test_variant_add_refuses_another_merchants_product(as_a, shop_b):
    fields = form_fields(as_a, f"{VARIANTS}add/", "variant_form")
    fields.update(variant_fields(product=shop_b.product.pk, sku="SNEAKY-1"))

    response = as_a.post(f"{VARIANTS}add/", fields)

    assert response.status_code == 200
    assert "product" in response.context["adminform"].form.errors
    assert not Variant.objects.filter(sku="SNEAKY-1").exists()
    assert shop_b.product.variants.count() == 1


def test_variant_add_for_own_product_belongs_to_own_merchant(as_a, shop_a):
    fields = form_fields(as_a, f"{VARIANTS}add/", "variant_form")
    fields.update(variant_fields(product=shop_a.product.pk))

    response = as_a.post(f"{VARIANTS}add/", fields)

    assert response.status_code == 302, form_errors(response)
    assert Variant.objects.get(sku="NEW-SKU-1").merchant == shop_a.merchant


def test_product_autocomplete_for_variants_offers_only_own_products(as_a, shop_a, shop_b):
    response = as_a.get(
        reverse("admin:autocomplete"),
        {"app_label": "catalog", "model_name": "variant", "field_name": "product", "term": ""},
    )

    assert response.status_code == 200
    offered = {result["id"] for result in response.json()["results"]}
    assert offered == {str(shop_a.product.pk)}


# --- 6. SKU uniqueness per merchant -----------------------------------------------------------


def test_variant_add_with_sku_taken_by_own_variant_is_a_form_error(as_a, shop_a):
    fields = form_fields(as_a, f"{VARIANTS}add/", "variant_form")
    fields.update(variant_fields(product=shop_a.product.pk, sku=shop_a.variant.sku))

    response = as_a.post(f"{VARIANTS}add/", fields)

    assert response.status_code == 200
    sku_errors = response.context["adminform"].form.errors["sku"]
    assert any(shop_a.variant.sku in error for error in sku_errors)
    assert Variant.objects.filter(sku=shop_a.variant.sku).count() == 1


def test_variant_add_with_sku_used_by_other_merchant_is_accepted(as_a, shop_a, shop_b):
    fields = form_fields(as_a, f"{VARIANTS}add/", "variant_form")
    fields.update(variant_fields(product=shop_a.product.pk, sku=shop_b.variant.sku))

    response = as_a.post(f"{VARIANTS}add/", fields)

    assert response.status_code == 302, form_errors(response)
    assert Variant.objects.get(merchant=shop_a.merchant, sku=shop_b.variant.sku)
    assert Variant.objects.filter(sku=shop_b.variant.sku).count() == 2


def test_variant_inline_with_sku_taken_by_own_variant_is_a_form_error(as_a, shop_a):
    fields = form_fields(as_a, change_url(shop_a.product), "product_form")
    fields.update(
        {
            "variants-TOTAL_FORMS": "2",
            "variants-1-product": shop_a.product.pk,
            **{
                f"variants-1-{name}": value
                for name, value in variant_fields(sku=shop_a.variant.sku).items()
            },
        }
    )

    response = as_a.post(change_url(shop_a.product), fields)

    assert response.status_code == 200
    assert any(shop_a.variant.sku in error for error in form_errors(response))
    assert shop_a.product.variants.count() == 1


def test_two_new_inline_variants_with_the_same_sku_are_a_form_error(as_a, shop_a):
    fields = form_fields(as_a, change_url(shop_a.product), "product_form")
    fields["variants-TOTAL_FORMS"] = "3"
    for index in (1, 2):
        fields[f"variants-{index}-product"] = shop_a.product.pk
        for name, value in variant_fields(sku="TWIN-1").items():
            fields[f"variants-{index}-{name}"] = value

    response = as_a.post(change_url(shop_a.product), fields)

    assert response.status_code == 200
    assert any("TWIN-1" in error for error in form_errors(response))
    assert not Variant.objects.filter(sku="TWIN-1").exists()


# --- 7. Prices in the merchant's currency -----------------------------------------------------


@pytest.fixture
def shop_jpy() -> Shop:
    return make_shop(name="Yen Shop", slug="yen", prefix="Yen", brand="YenBrand", currency="JPY")


def test_jpy_variant_price_with_decimals_is_refused(client, shop_jpy):
    client.force_login(shop_jpy.staff)
    fields = form_fields(client, f"{VARIANTS}add/", "variant_form")
    fields.update(variant_fields(product=shop_jpy.product.pk, sku="YEN-2", price="1500.50"))

    response = client.post(f"{VARIANTS}add/", fields)

    assert response.status_code == 200
    price_errors = response.context["adminform"].form.errors["price"]
    assert any("JPY" in error for error in price_errors)
    assert not Variant.objects.filter(sku="YEN-2").exists()


def test_jpy_variant_whole_price_is_accepted(client, shop_jpy):
    client.force_login(shop_jpy.staff)
    fields = form_fields(client, f"{VARIANTS}add/", "variant_form")
    fields.update(variant_fields(product=shop_jpy.product.pk, sku="YEN-2", price="1500"))

    response = client.post(f"{VARIANTS}add/", fields)

    assert response.status_code == 302, form_errors(response)
    assert Variant.objects.get(sku="YEN-2").price == 1500


def test_jpy_price_with_decimals_in_the_variant_inline_is_refused(client, shop_jpy):
    client.force_login(shop_jpy.staff)
    url = change_url(shop_jpy.product)
    fields = form_fields(client, url, "product_form")
    fields["variants-0-price"] = "1500.50"

    response = client.post(url, fields)

    assert response.status_code == 200
    assert any("JPY" in error for error in form_errors(response))
    shop_jpy.variant.refresh_from_db()
    assert shop_jpy.variant.price == 19


# --- 8. Merchant admin ------------------------------------------------------------------------


def test_merchant_changelist_shows_staff_only_their_merchant(as_a, shop_a, shop_b):
    response = as_a.get(MERCHANTS)

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [shop_a.merchant]
    assert shop_b.merchant.name not in text(response)


def test_merchant_change_page_of_own_merchant_is_shown(as_a, shop_a):
    response = as_a.get(change_url(shop_a.merchant))

    assert response.status_code == 200
    assert shop_a.merchant.name in text(response)


def test_merchant_change_page_of_other_merchant_is_not_reachable(as_a, shop_b):
    response = as_a.get(change_url(shop_b.merchant))

    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    assert shop_b.merchant.name not in text(response)


def test_merchant_changelist_shows_ops_every_merchant(client, ops, shop_a, shop_b):
    client.force_login(ops)

    response = client.get(MERCHANTS)

    assert response.status_code == 200
    assert set(response.context["cl"].result_list) == {shop_a.merchant, shop_b.merchant}


# --- 9. Translations and list filters ---------------------------------------------------------


def test_translation_edited_through_product_change_page_is_saved(as_a, shop_a):
    url = change_url(shop_a.product)
    fields = form_fields(as_a, url, "product_form")
    assert fields["contents-0-id"] == str(shop_a.content.pk)
    fields["contents-0-title"] = "Alpha Product EN (revised)"

    response = as_a.post(url, fields)

    assert response.status_code == 302, form_errors(response)
    shop_a.content.refresh_from_db()
    assert shop_a.content.title == "Alpha Product EN (revised)"
    assert shop_a.content.is_stale is False


def test_translation_in_the_source_language_is_refused(as_a, shop_a):
    url = change_url(shop_a.product)
    fields = form_fields(as_a, url, "product_form")
    fields["contents-0-language"] = "de"

    response = as_a.post(url, fields)

    assert response.status_code == 200
    assert any("source language" in error for error in form_errors(response))
    shop_a.content.refresh_from_db()
    assert shop_a.content.language == "en"


def test_brand_filter_offers_staff_only_their_brands(as_a):
    response = as_a.get(PRODUCTS)

    assert "AlphaBrand" in text(response)
    assert "SecretBrandB" not in text(response)


def test_merchant_filter_is_offered_to_ops_only(client, ops, as_a, shop_b):
    staff_page = as_a.get(PRODUCTS)
    client.force_login(ops)
    ops_page = client.get(PRODUCTS)

    assert shop_b.merchant.name not in text(staff_page)
    assert "SecretBrandB" in text(ops_page)
    assert f"merchant__id__exact={shop_b.merchant.pk}" in text(ops_page)


# --- 10. Image inline -------------------------------------------------------------------------


def image_inline_post(client, product: Product, upload: SimpleUploadedFile):
    url = change_url(product)
    fields = form_fields(client, url, "product_form")
    index = int(fields["images-TOTAL_FORMS"])
    fields.update(
        {
            "images-TOTAL_FORMS": str(index + 1),
            f"images-{index}-product": product.pk,
            f"images-{index}-id": "",
            f"images-{index}-image": upload,
            f"images-{index}-alt_text": "Front",
            f"images-{index}-position": "5",
        }
    )
    return client.post(url, fields)


def test_invalid_image_upload_in_the_inline_is_a_form_error_and_stores_nothing(as_a, shop_a):
    files_before = media_files()
    upload = SimpleUploadedFile("photo.png", b"this is not a picture\n" * 20, "image/png")

    response = image_inline_post(as_a, shop_a.product, upload)

    assert response.status_code == 200
    assert form_errors(response)
    assert list(shop_a.product.images.all()) == [shop_a.image]
    assert media_files() == files_before


def test_valid_png_upload_in_the_inline_creates_an_image_with_a_thumbnail(as_a, shop_a):
    upload = SimpleUploadedFile("photo.png", png_bytes((200, 150)), "image/png")

    response = image_inline_post(as_a, shop_a.product, upload)

    assert response.status_code == 302, form_errors(response)
    new = shop_a.product.images.exclude(pk=shop_a.image.pk).get()
    assert (new.width, new.height) == (200, 150)
    assert new.alt_text == "Front"
    assert new.position == 5
    assert new.thumbnail.name
    assert new.thumbnail.storage.exists(new.thumbnail.name)
    assert new.image.storage.exists(new.image.name)
    assert f"products/{shop_a.merchant.pk}/{shop_a.product.pk}/" in new.image.name


# --- 11. Staff without a merchant -------------------------------------------------------------


def test_staff_without_merchant_membership_sees_no_products(client, shop_a, shop_b):
    user = get_user_model().objects.create_user(
        username="drifter", password="correct horse battery", is_staff=True
    )
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="catalog", codename="view_product")
    )
    client.force_login(user)

    response = client.get(PRODUCTS)

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    assert shop_a.product.title not in text(response)
    assert shop_b.product.title not in text(response)


# --- 12. Category admin -----------------------------------------------------------------------


def test_staff_can_view_categories(as_a, shop_a):
    response = as_a.get(CATEGORIES)

    assert response.status_code == 200
    assert shop_a.product.category.name in text(response)


def test_staff_cannot_add_categories(as_a):
    assert as_a.get(f"{CATEGORIES}add/").status_code == 403

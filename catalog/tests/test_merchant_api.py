import io
from decimal import Decimal

import pytest
from PIL import Image

from catalog import services
from catalog.models import Product, ProductContent, ProductImage, Variant
from catalog.tests.factories import (
    CategoryFactory,
    MerchantFactory,
    ProductFactory,
    VariantFactory,
    merchant_staff,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/merchant"


def _png(width: int = 200, height: int = 150) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "photo.png"
    return buffer


def _client_for(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {user.auth_token.key}")
    return client


@pytest.fixture
def shop_a():
    merchant = MerchantFactory(name="A")
    product = ProductFactory(merchant=merchant, title="A's kettle", source_language="de")
    variant = VariantFactory(product=product, sku="KETTLE-1")
    image = services.product_image_add(product=product, upload=_png())
    content = services.product_content_create(product=product, language="en", title="Kettle")
    return {
        "merchant": merchant,
        "staff": merchant_staff(merchant),
        "product": product,
        "variant": variant,
        "image": image,
        "content": content,
    }


@pytest.fixture
def shop_b():
    merchant = MerchantFactory(name="B")
    product = ProductFactory(merchant=merchant, title="B's teapot")
    return {"merchant": merchant, "staff": merchant_staff(merchant), "product": product}


@pytest.fixture
def client_a(shop_a):
    return _client_for(shop_a["staff"])


@pytest.fixture
def client_b(shop_b):
    return _client_for(shop_b["staff"])


# --- Authentication -------------------------------------------------------------------------


def test_a_token_is_obtained_with_username_and_password(api_client, shop_a):
    response = api_client.post(
        "/api/v1/auth/token/",
        {"username": shop_a["staff"].username, "password": "correct horse battery"},
    )

    assert response.status_code == 200
    assert response.json()["token"] == shop_a["staff"].auth_token.key


def test_without_a_token_the_merchant_api_is_401(api_client, shop_a):
    response = api_client.get(f"{API}/products/")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_user_who_is_no_merchants_staff_is_403(api_client, django_user_model):
    user = django_user_model.objects.create_user(username="shopper", password="pw-123456789")
    api_client.force_authenticate(user)

    response = api_client.get(f"{API}/products/")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


# --- Scoping: B can never see or touch A's objects ------------------------------------------

OBJECT_URLS = {
    "product": "products/{pk}/",
    "variant": "variants/{pk}/",
    "image": "images/{pk}/",
    "content": "contents/{pk}/",
}


@pytest.mark.parametrize("kind", OBJECT_URLS)
def test_lists_hold_only_the_merchants_own_objects(client_a, client_b, shop_a, kind):
    collection = OBJECT_URLS[kind].split("/")[0]

    own = client_a.get(f"{API}/{collection}/").json()["results"]
    others = client_b.get(f"{API}/{collection}/").json()["results"]

    assert [item["id"] for item in own] == [shop_a[kind].pk]
    assert shop_a[kind].pk not in {item["id"] for item in others}


@pytest.mark.parametrize("kind", OBJECT_URLS)
def test_another_merchants_object_is_a_404_to_read_change_and_delete(client_b, shop_a, kind):
    url = f"{API}/{OBJECT_URLS[kind].format(pk=shop_a[kind].pk)}"
    before = type(shop_a[kind]).objects.filter(pk=shop_a[kind].pk).values().get()

    responses = [
        client_b.get(url),
        client_b.patch(url, {"title": "hacked", "alt_text": "hacked", "stock_on_hand": 0}),
        client_b.delete(url),
    ]

    assert [response.status_code for response in responses[:2]] == [404, 404]
    assert responses[2].status_code in {404, 405}  # products and variants are archived
    assert type(shop_a[kind]).objects.filter(pk=shop_a[kind].pk).values().get() == before


@pytest.mark.parametrize("kind", ["product", "variant"])
def test_another_merchants_object_cannot_be_archived(client_b, shop_a, kind):
    url = f"{API}/{OBJECT_URLS[kind].format(pk=shop_a[kind].pk)}archive/"

    response = client_b.post(url)

    shop_a[kind].refresh_from_db()
    assert response.status_code == 404
    assert shop_a[kind].status == "active"


def _variant_body(product_pk: int, **overrides) -> dict:
    return {
        "product": product_pk,
        "sku": "NEW-1",
        "price": "10.00",
        "weight_grams": 100,
        "hs_code": "691200",
        "country_of_origin": "DE",
        **overrides,
    }


def test_another_merchants_product_is_an_invalid_choice_in_a_body(client_b, shop_a):
    product_pk = shop_a["product"].pk

    variant = client_b.post(f"{API}/variants/", _variant_body(product_pk), format="json")
    content = client_b.post(
        f"{API}/contents/", {"product": product_pk, "language": "fr", "title": "x"}
    )
    image = client_b.post(
        f"{API}/images/", {"product": product_pk, "image": _png()}, format="multipart"
    )

    for response in (variant, content, image):
        assert response.status_code == 400
        assert "product" in response.json()["details"]
    assert shop_a["product"].variants.count() == 1
    assert shop_a["product"].contents.count() == 1
    assert shop_a["product"].images.count() == 1


def test_a_nonexistent_product_reads_exactly_like_another_merchants(client_b, shop_a):
    other = client_b.post(f"{API}/variants/", _variant_body(shop_a["product"].pk))
    missing = client_b.post(f"{API}/variants/", _variant_body(999_999))

    assert other.json()["details"]["product"] == [
        message.replace("999999", str(shop_a["product"].pk))
        for message in missing.json()["details"]["product"]
    ]


def test_a_list_filtered_by_another_merchants_product_is_empty(client_b, shop_a):
    response = client_b.get(f"{API}/variants/", {"product": shop_a["product"].pk})

    assert response.status_code in {200, 400}
    assert response.status_code == 400 or response.json()["results"] == []


# --- Products -------------------------------------------------------------------------------


def test_merchant_creates_updates_and_archives_a_product(client_a, shop_a):
    category = CategoryFactory()

    created = client_a.post(
        f"{API}/products/",
        {"category": category.pk, "title": "Wasserkocher", "attributes": {"volume_l": 1.7}},
        format="json",
    )
    product_id = created.json()["id"]
    updated = client_a.patch(f"{API}/products/{product_id}/", {"status": "active"})
    archived = client_a.post(f"{API}/products/{product_id}/archive/")

    assert created.status_code == 201
    assert created.json()["source_language"] == shop_a["merchant"].default_language
    assert updated.json()["status"] == "active"
    assert archived.json()["status"] == "archived"
    product = Product.objects.get(pk=product_id)
    assert (product.merchant, product.status) == (shop_a["merchant"], "archived")


def test_a_merchant_cannot_create_a_product_for_another_merchant(client_a, shop_b):
    response = client_a.post(
        f"{API}/products/",
        {"category": CategoryFactory().pk, "title": "x", "merchant": shop_b["merchant"].pk},
        format="json",
    )

    assert response.status_code == 201
    assert Product.objects.get(pk=response.json()["id"]).merchant != shop_b["merchant"]


def test_invalid_product_input_names_each_field_and_writes_nothing(client_a):
    response = client_a.post(
        f"{API}/products/",
        {"category": 999_999, "title": "", "source_language": "not a language!"},
        format="json",
    )

    assert response.status_code == 400
    assert {"category", "title"} <= set(response.json()["details"])
    assert Product.objects.count() == 1


def test_an_invalid_language_is_refused_by_the_service(client_a):
    response = client_a.post(
        f"{API}/products/",
        {"category": CategoryFactory().pk, "title": "x", "source_language": "english"},
        format="json",
    )

    assert response.status_code == 400
    assert "source_language" in response.json()["details"]


# --- Variants -------------------------------------------------------------------------------


def test_sku_is_unique_per_merchant_but_not_across_merchants(client_a, client_b, shop_a, shop_b):
    duplicate = client_a.post(
        f"{API}/variants/", _variant_body(shop_a["product"].pk, sku="KETTLE-1")
    )
    elsewhere = client_b.post(
        f"{API}/variants/", _variant_body(shop_b["product"].pk, sku="KETTLE-1")
    )

    assert duplicate.status_code == 400
    assert duplicate.json()["code"] == "sku_taken"
    assert "sku" in duplicate.json()["details"]
    assert elsewhere.status_code == 201
    assert Variant.objects.filter(sku="KETTLE-1").count() == 2


def test_renaming_a_sku_onto_another_is_refused(client_a, shop_a):
    other = VariantFactory(product=shop_a["product"], sku="KETTLE-2")

    response = client_a.patch(f"{API}/variants/{other.pk}/", {"sku": "KETTLE-1"})

    other.refresh_from_db()
    assert response.status_code == 400
    assert other.sku == "KETTLE-2"


def test_prices_have_at_most_the_currencys_decimals():
    yen_shop = MerchantFactory(currency="JPY", default_language="ja")
    client = _client_for(merchant_staff(yen_shop))
    product = ProductFactory(merchant=yen_shop)

    fractional = client.post(f"{API}/variants/", _variant_body(product.pk, price="1500.50"))
    whole = client.post(f"{API}/variants/", _variant_body(product.pk, price="1500", sku="B"))

    assert fractional.status_code == 400
    assert "price" in fractional.json()["details"]
    assert whole.status_code == 201
    assert whole.json()["currency"] == "JPY"
    assert Variant.objects.get(pk=whole.json()["id"]).price == Decimal("1500")


def test_variant_update_cannot_move_it_to_another_product(client_a, shop_a, shop_b):
    url = f"{API}/variants/{shop_a['variant'].pk}/"

    response = client_a.patch(url, {"product": shop_b["product"].pk, "stock_on_hand": 7})

    shop_a["variant"].refresh_from_db()
    assert response.status_code == 200
    assert shop_a["variant"].product == shop_a["product"]
    assert shop_a["variant"].stock_on_hand == 7


def test_invalid_variant_fields_are_400s(client_a, shop_a):
    response = client_a.post(
        f"{API}/variants/",
        _variant_body(shop_a["product"].pk, hs_code="12", price="-1", country_of_origin="XX"),
    )

    assert response.status_code == 400
    assert {"hs_code", "price"} <= set(response.json()["details"])


# --- Images ---------------------------------------------------------------------------------


def test_an_uploaded_image_is_stored_with_a_thumbnail(client_a, shop_a, settings):
    response = client_a.post(
        f"{API}/images/",
        {"product": shop_a["product"].pk, "image": _png(640, 480), "alt_text": "Front"},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    image = ProductImage.objects.get(pk=body["id"])
    assert (body["width"], body["height"], body["position"]) == (640, 480, 1)
    assert body["url"].endswith(".jpg") and body["thumbnail_url"].endswith("-thumb.jpg")
    assert image.image.storage.exists(image.image.name)
    assert image.thumbnail.storage.exists(image.thumbnail.name)


def _stored_files(settings) -> list:
    return sorted(path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file())


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b"", "image_empty"),
        (b"this is not an image", "image_invalid"),
        (_png().getvalue()[:300], "image_invalid"),
    ],
    ids=["zero bytes", "not an image", "truncated"],
)
def test_a_bad_upload_is_a_400_and_stores_nothing(client_a, shop_a, settings, payload, code):
    files_before = _stored_files(settings)
    upload = io.BytesIO(payload)
    upload.name = "photo.png"

    response = client_a.post(
        f"{API}/images/", {"product": shop_a["product"].pk, "image": upload}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["code"] in {code, "invalid"}
    assert shop_a["product"].images.count() == 1
    assert _stored_files(settings) == files_before


def test_a_huge_upload_is_refused(client_a, shop_a, settings):
    settings.CATALOG_IMAGE_MAX_BYTES = 1_000

    response = client_a.post(
        f"{API}/images/",
        {"product": shop_a["product"].pk, "image": _png(400, 400)},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "image_too_large"


def test_images_are_reordered_described_and_deleted_with_their_files(
    client_a, shop_a, django_capture_on_commit_callbacks
):
    image = shop_a["image"]
    files = [image.image.name, image.thumbnail.name]

    changed = client_a.patch(f"{API}/images/{image.pk}/", {"position": 5, "alt_text": "Side"})
    with django_capture_on_commit_callbacks(execute=True):
        deleted = client_a.delete(f"{API}/images/{image.pk}/")

    assert changed.json()["position"] == 5 and changed.json()["alt_text"] == "Side"
    assert deleted.status_code == 204
    assert not ProductImage.objects.filter(pk=image.pk).exists()
    assert not any(image.image.storage.exists(name) for name in files)


# --- Translations ---------------------------------------------------------------------------


def test_a_translation_is_created_approved_and_deleted(client_a, shop_a):
    created = client_a.post(
        f"{API}/contents/",
        {"product": shop_a["product"].pk, "language": "FR", "title": "Bouilloire"},
    )
    content_id = created.json()["id"]
    approved = client_a.patch(f"{API}/contents/{content_id}/", {"status": "approved"})
    deleted = client_a.delete(f"{API}/contents/{content_id}/")

    assert created.status_code == 201
    assert created.json()["language"] == "fr"
    assert created.json()["source"] == "human"
    assert approved.json()["status"] == "approved"
    assert deleted.status_code == 204
    assert not ProductContent.objects.filter(pk=content_id).exists()


@pytest.mark.parametrize(("language", "code"), [("en", "duplicate_language"), ("de", "invalid")])
def test_a_second_translation_or_one_in_the_source_language_is_refused(
    client_a, shop_a, language, code
):
    response = client_a.post(
        f"{API}/contents/", {"product": shop_a["product"].pk, "language": language, "title": "x"}
    )

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert "language" in response.json()["details"]


def test_the_merchant_sees_which_translations_are_stale(client_a, shop_a):
    client_a.patch(f"{API}/products/{shop_a['product'].pk}/", {"title": "Neuer Kessel"})

    response = client_a.get(f"{API}/contents/", {"is_stale": "true"})

    assert [item["id"] for item in response.json()["results"]] == [shop_a["content"].pk]

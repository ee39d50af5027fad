from decimal import Decimal

import pytest

from catalog import services
from catalog.models import Product, Variant
from catalog.tests.factories import (
    CategoryFactory,
    MarketFactory,
    MerchantFactory,
    ProductFactory,
    VariantFactory,
)

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/catalog/products/"


@pytest.fixture
def germany():
    return MarketFactory(code="de", name="Germany", currency="EUR", languages=["de", "en"])


@pytest.fixture
def japan():
    return MarketFactory(code="jp", name="Japan", currency="JPY", languages=["ja", "en"])


@pytest.fixture
def shirt(germany):
    """A German merchant's shirt with approved English and Austrian German translations."""
    merchant = MerchantFactory(markets=[germany])
    product = ProductFactory(merchant=merchant, title="Hemd", description="Ein Hemd")
    VariantFactory(product=product, price=Decimal("25.00"))
    services.product_content_create(
        product=product, language="en", title="Shirt", description="A shirt", status="approved"
    )
    services.product_content_create(
        product=product, language="de-AT", title="Leiberl", status="approved"
    )
    return product


def _only_item(response) -> dict:
    assert response.status_code == 200, response.content
    (item,) = response.json()["results"]
    return item


@pytest.mark.parametrize(
    ("query", "headers", "resolved", "served", "title"),
    [
        ({"lang": "en"}, {}, "en", "en", "Shirt"),
        ({"lang": "de-AT"}, {}, "de-AT", "de-AT", "Leiberl"),
        ({"lang": "de-CH"}, {}, "de-CH", "de", "Hemd"),  # de-CH -> de (the source language)
        ({"lang": "en-GB"}, {}, "en-GB", "en", "Shirt"),  # en-GB -> en
        ({"lang": "fr"}, {}, "fr", "de", "Hemd"),  # no French: the source language
        ({}, {"Accept-Language": "en-US,en;q=0.9"}, "en-US", "en", "Shirt"),
        ({}, {"Accept-Language": "xx, fr;q=0.8"}, "fr", "de", "Hemd"),  # unsupported skipped
        ({"lang": "de-AT"}, {"Accept-Language": "en"}, "de-AT", "de-AT", "Leiberl"),
        ({}, {}, "en", "en", "Shirt"),  # no market, no preference: the store default
        ({"market": "de"}, {}, "de", "de", "Hemd"),  # the market's default language
    ],
)
def test_language_falls_back_and_headers_say_what_was_resolved_and_served(
    api_client, shirt, query, headers, resolved, served, title
):
    response = api_client.get(PRODUCTS, query, headers=headers)

    item = _only_item(response)
    assert response["Content-Language"] == resolved
    assert item["language"] == served
    assert item["title"] == title
    assert "Accept-Language" in response["Vary"]


def test_category_names_fall_back_like_products(api_client, shirt):
    shirt.category.source_language = "de"
    services.category_save(category=shirt.category)
    services.category_content_upsert(
        category=shirt.category, language="en", name="Tops", status="approved"
    )

    english = _only_item(api_client.get(PRODUCTS, {"lang": "en"}))["category"]
    japanese = _only_item(api_client.get(PRODUCTS, {"lang": "ja"}))["category"]

    assert (english["name"], english["language"]) == ("Tops", "en")
    assert (japanese["name"], japanese["language"]) == (shirt.category.name, "de")


def test_draft_translations_are_not_served(api_client, shirt):
    content = shirt.contents.get(language="en")
    services.product_content_update(content=content, status="draft")

    item = _only_item(api_client.get(PRODUCTS, {"lang": "en"}))

    assert (item["language"], item["title"]) == ("de", "Hemd")


def test_a_translation_goes_stale_when_the_source_changes_and_is_not_served(api_client, shirt):
    services.product_update(product=shirt, title="Neues Hemd")

    item = _only_item(api_client.get(PRODUCTS, {"lang": "en"}))

    assert shirt.contents.get(language="en").is_stale
    assert (item["language"], item["title"]) == ("de", "Neues Hemd")


def test_re_approving_a_stale_translation_serves_it_again(api_client, shirt):
    services.product_update(product=shirt, description="Ein besseres Hemd")
    content = shirt.contents.get(language="en")

    services.product_content_update(content=content, description="A better shirt")

    content.refresh_from_db()
    assert not content.is_stale
    assert _only_item(api_client.get(PRODUCTS, {"lang": "en"}))["description"] == "A better shirt"


def test_a_change_that_keeps_the_text_keeps_translations_fresh(api_client, shirt):
    services.product_update(product=shirt, brand="Other", title="Hemd")

    assert not shirt.contents.filter(is_stale=True).exists()


def test_detail_is_localized_and_lists_active_variants(api_client, shirt):
    VariantFactory(product=shirt, price=Decimal("30.00"), status=Variant.Status.ARCHIVED)

    response = api_client.get(f"{PRODUCTS}{shirt.pk}/", {"lang": "en"})

    body = response.json()
    assert response["Content-Language"] == "en"
    assert (body["title"], body["language"]) == ("Shirt", "en")
    assert [variant["price"] for variant in body["variants"]] == [
        {"amount": "25.00", "currency": "EUR", "tax_included": False}
    ]


def test_market_lists_only_what_is_sold_there(api_client, shirt, germany, japan):
    japanese_merchant = MerchantFactory(currency="JPY", default_language="ja", markets=[japan])
    teapot = ProductFactory(merchant=japanese_merchant, title="急須")
    VariantFactory(product=teapot, price=Decimal("4500"))

    in_germany = api_client.get(PRODUCTS, {"market": "de"}).json()["results"]
    in_japan = api_client.get(PRODUCTS, {"market": "jp"}).json()["results"]
    everywhere = api_client.get(PRODUCTS).json()["results"]

    assert [item["id"] for item in in_germany] == [shirt.pk]
    assert [item["id"] for item in in_japan] == [teapot.pk]
    assert in_japan[0]["price_from"] == {"amount": "4500", "currency": "JPY", "tax_included": False}
    assert {item["id"] for item in everywhere} == {shirt.pk, teapot.pk}


def test_market_codes_are_case_insensitive(api_client, shirt):
    assert api_client.get(PRODUCTS, {"market": "DE"}).json()["count"] == 1


def test_unknown_market_and_unsupported_language_are_400s(api_client, shirt):
    market = api_client.get(PRODUCTS, {"market": "atlantis"})
    language = api_client.get(PRODUCTS, {"lang": "klingon"})

    assert market.status_code == 400
    assert market.json()["code"] == "unknown_market"
    assert "market" in market.json()["details"]
    assert language.status_code == 400
    assert language.json()["code"] == "unsupported_language"


def test_hidden_products_are_not_listed_or_readable(api_client, shirt):
    draft = ProductFactory(status=Product.Status.DRAFT)
    VariantFactory(product=draft)
    archived = ProductFactory(status=Product.Status.ARCHIVED)
    VariantFactory(product=archived)
    without_variants = ProductFactory()

    listed = {item["id"] for item in api_client.get(PRODUCTS).json()["results"]}

    assert listed == {shirt.pk}
    for hidden in (draft, archived, without_variants):
        assert api_client.get(f"{PRODUCTS}{hidden.pk}/").status_code == 404


@pytest.fixture
def assortment(germany):
    merchant = MerchantFactory(markets=[germany])
    tops = CategoryFactory(name="Tops")
    shirts = CategoryFactory(name="Shirts", parent=tops)
    kitchen = CategoryFactory(name="Kitchen")
    products = {
        "cheap shirt": (shirts, "Acme", "9.50", 3),
        "dear shirt": (shirts, "Luxe", "120.00", 0),
        "top": (tops, "Acme", "40.00", 1),
        "pan": (kitchen, "Pfanne & Co", "60.00", 8),
    }
    created = {}
    for title, (category, brand, price, stock) in products.items():
        product = ProductFactory(merchant=merchant, category=category, brand=brand, title=title)
        VariantFactory(product=product, price=Decimal(price), stock_on_hand=stock)
        created[title] = product
    return {"tops": tops, "kitchen": kitchen, **created}


def _titles(api_client, query) -> set[str]:
    response = api_client.get(PRODUCTS, query)
    assert response.status_code == 200, response.content
    return {item["title"] for item in response.json()["results"]}


def test_filters_by_category_with_subcategories(api_client, assortment):
    assert _titles(api_client, {"category": assortment["tops"].pk}) == {
        "cheap shirt",
        "dear shirt",
        "top",
    }
    assert _titles(api_client, {"category": assortment["kitchen"].pk}) == {"pan"}


def test_filters_by_brand_price_and_availability(api_client, assortment):
    assert _titles(api_client, {"brand": "Acme,Pfanne & Co"}) == {"cheap shirt", "top", "pan"}
    assert _titles(api_client, {"min_price": "10", "max_price": "60"}) == {"top", "pan"}
    assert _titles(api_client, {"available": "true"}) == {"cheap shirt", "top", "pan"}
    assert _titles(api_client, {"available": "false"}) == {"dear shirt"}


def test_orders_by_price(api_client, assortment):
    results = api_client.get(PRODUCTS, {"ordering": "price_from"}).json()["results"]

    assert [item["title"] for item in results] == ["cheap shirt", "top", "pan", "dear shirt"]


def test_invalid_filter_values_are_400s(api_client, assortment):
    response = api_client.get(PRODUCTS, {"min_price": "cheap"})

    assert response.status_code == 400
    assert "min_price" in response.json()["details"]


def test_listing_costs_a_fixed_number_of_queries(
    api_client, assortment, django_assert_max_num_queries
):
    for product in Product.objects.all():
        services.product_content_create(
            product=product, language="en", title="x", status="approved"
        )

    with django_assert_max_num_queries(8):
        response = api_client.get(PRODUCTS, {"lang": "en"})

    assert len(response.json()["results"]) == 4


def test_categories_are_listed_flat_with_parents_in_the_shoppers_language(api_client):
    tops = CategoryFactory(name="Oberteile", source_language="de")
    shirts = CategoryFactory(name="Hemden", parent=tops, source_language="de")
    services.category_content_upsert(
        category=shirts, language="en", name="Shirts", status="approved"
    )

    response = api_client.get("/api/v1/catalog/categories/", {"lang": "en"})

    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    by_id = {category["id"]: category for category in response.json()}
    assert by_id[shirts.pk] | {} == {
        "id": shirts.pk,
        "slug": shirts.slug,
        "parent": tops.pk,
        "name": "Shirts",
        "description": "",
        "language": "en",
    }
    assert (by_id[tops.pk]["name"], by_id[tops.pk]["language"]) == ("Oberteile", "de")


def test_with_a_market_prices_are_converted_and_include_its_tax(api_client, shirt, germany):
    from django.utils import timezone

    from storefront.models import ExchangeRate, TaxRate

    germany.countries, germany.currency, germany.prices_include_tax = ["DE"], "GBP", True
    germany.save()
    ExchangeRate.objects.create(base="EUR", quote="GBP", rate="0.8", as_of=timezone.now())
    TaxRate.objects.create(country="DE", name="VAT", rate="0.19", valid_from="2000-01-01")

    price = _only_item(api_client.get(PRODUCTS, {"market": "de"}))["price_from"]

    # 25.00 EUR * 0.8 = 20.00 GBP net; with 19 % tax: 23.80
    assert price == {"amount": "23.80", "currency": "GBP", "tax_included": True}


def test_without_a_fresh_rate_prices_stay_in_the_merchants_currency(api_client, shirt, germany):
    germany.currency = "USD"
    germany.save()

    price = _only_item(api_client.get(PRODUCTS, {"market": "de"}))["price_from"]

    assert price == {"amount": "25.00", "currency": "EUR", "tax_included": False}

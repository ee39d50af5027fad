"""The serving path of for-you and similar: what is kept between requests (product cards,
eligibility, the precomputed lists) and what must still hold on every request."""

from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token

from catalog.models import Product, Variant
from ml_models.loader import loaders_reset
from recommendations import api
from recommendations.models import Recommendation, RecommendationFeedback
from recommendations.services import for_you_precompute
from recommendations.tests.shoppers import customers_with_history
from storefront.models import Customer, ShopperEvent

URL = "/api/v1/recommendations/"
# What a page of a customer's precomputed list costs once the cards are cached: the token with
# its user and customer, the market, what the customer must not be shown, the list's INSERT.
FOR_YOU_QUERIES = 4
# For a guest: the market, the product, the list's INSERT.
SIMILAR_QUERIES = 3


@pytest.fixture(autouse=True)
def recommendations_only(settings):
    settings.ML_CAPABILITIES = ["recommendations.capability.RecommendationsCapability"]
    settings.RECOMMENDATIONS_TUNING_GRID = [{"dim": 8, "epochs": 5, "dropout": 0.0, "decay": 0.9}]
    settings.ML_LOADER_POLL_SECONDS = 0
    settings.RECOMMENDATIONS_LIST_LENGTH = 5  # what the precomputed list alone fills
    loaders_reset()
    yield
    loaders_reset()


@pytest.fixture
def generation(monkeypatch):
    """The cards' generation, moved on by hand: `generation.next()` is a minute later."""

    class Clock:
        number = 1

        def next(self) -> None:
            self.number += 1

    clock = Clock()
    monkeypatch.setattr(api, "cards_generation", lambda **kwargs: clock.number)
    return clock


@pytest.fixture
def customer(store, api_client) -> Customer:
    """A signed-in German customer who viewed products 0..2 (their list precomputed by the
    batch job with the model trained on the store)."""
    [customer] = customers_with_history(store, 1)
    call_command("retrain", "recommendations", "--sync", "--force", stdout=StringIO())
    assert for_you_precompute(customer_ids=[customer.pk]) == 1
    token = Token.objects.create(user=customer.user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return customer


def for_you(api_client, **params) -> dict:
    response = api_client.get(f"{URL}for-you/", {"market": "de", **params})
    assert response.status_code == 200
    return response.json()


def ids(body) -> list[int]:
    return [item["product"]["id"] for item in body["results"]]


def sell_out(product: Product, store) -> None:
    """Out of stock, and the minute for which eligibility is kept is over."""
    Variant.objects.filter(product=product).update(stock_on_hand=0)
    cache.delete(f"rec:eligible:{store.market.pk}")


@pytest.mark.django_db(transaction=True)
def test_a_precomputed_for_you_page_costs_a_few_queries(
    api_client, customer, generation, django_assert_max_num_queries
):
    first = for_you(api_client)  # renders the cards

    with django_assert_max_num_queries(FOR_YOU_QUERIES):
        body = for_you(api_client)

    assert ids(body) == ids(first) and body["id"] != first["id"]  # a list of its own
    assert {item["provenance"]["source"] for item in body["results"]} == {"model"}
    assert body["results"][0]["recommendation_id"] == f"{body['id']}.0"


@pytest.mark.django_db(transaction=True)
def test_a_similar_page_costs_a_few_queries(
    api_client, store, customer, generation, django_assert_max_num_queries
):
    api_client.credentials()
    path = f"{URL}similar/{store.products[0].pk}/"
    api_client.get(path, {"market": "de", "client_id": "guest-0001"})

    with django_assert_max_num_queries(SIMILAR_QUERIES + 1):  # + the guest's suppressions
        response = api_client.get(path, {"market": "de", "client_id": "guest-0001"})
    with django_assert_max_num_queries(SIMILAR_QUERIES):
        anonymous = api_client.get(path, {"market": "de"})

    assert response.status_code == anonymous.status_code == 200
    assert store.products[0].pk not in ids(response.json())


@pytest.mark.django_db(transaction=True)
def test_cards_are_the_catalogs_own(api_client, customer, generation):
    body = for_you(api_client, lang="de")

    catalog = api_client.get("/api/v1/catalog/products/", {"market": "de", "lang": "de"}).json()

    listed = {product["id"]: product for product in catalog["results"]}
    assert body["results"] and all(
        item["product"] == listed[item["product"]["id"]] for item in body["results"]
    )


@pytest.mark.django_db(transaction=True)
def test_a_sold_out_product_leaves_the_next_list_when_eligibility_expires(
    api_client, store, customer, generation
):
    first = for_you(api_client)
    sold_out = Product.objects.get(pk=ids(first)[0])

    sell_out(sold_out, store)
    body = for_you(api_client)

    assert sold_out.pk not in ids(body)
    assert ids(body)[:4] == [product for product in ids(first) if product != sold_out.pk]


@pytest.mark.django_db(transaction=True)
def test_a_later_page_leaves_out_what_sold_out_and_keeps_its_slots(
    api_client, store, customer, generation
):
    first = for_you(api_client, limit=2)
    upcoming = list_items(first["id"])[2:4]

    sell_out(Product.objects.get(pk=upcoming[0]), store)
    second = for_you(api_client, limit=2, cursor=first["next"])

    assert ids(second) == [upcoming[1]]
    assert second["results"][0]["recommendation_id"] == f"{first['id']}.3"
    assert not set(ids(first)) & set(ids(second))


def list_items(public_id: str) -> list[int]:
    """The products of a stored list, in order."""
    return [item["product_id"] for item in Recommendation.objects.get(public_id=public_id).items]


@pytest.mark.django_db(transaction=True)
def test_not_interested_hides_a_product_from_the_next_list_at_once(
    api_client, customer, generation
):
    first = for_you(api_client)
    unwanted = first["results"][0]

    response = api_client.post(
        f"{URL}feedback/",
        {"recommendation_id": unwanted["recommendation_id"], "action": "not_interested"},
        format="json",
    )

    assert response.status_code == 201
    assert RecommendationFeedback.objects.get().product_id == unwanted["product"]["id"]
    assert unwanted["product"]["id"] not in ids(for_you(api_client))


@pytest.mark.django_db(transaction=True)
def test_what_the_customer_viewed_since_the_batch_run_is_not_listed(
    api_client, store, customer, generation
):
    first = for_you(api_client)
    seen = ids(first)[1]

    ShopperEvent.objects.create(
        type=ShopperEvent.Type.VIEW,
        customer=customer,
        market=store.market,
        product_id=seen,
        occurred_at=timezone.now(),
    )

    assert seen not in ids(for_you(api_client))


@pytest.mark.django_db(transaction=True)
def test_a_product_change_shows_on_cards_from_the_next_generation(api_client, customer, generation):
    first = for_you(api_client)
    product = first["results"][0]["product"]["id"]
    Product.objects.filter(pk=product).update(title="Neu")

    kept = for_you(api_client)
    generation.next()
    renewed = for_you(api_client)

    assert kept["results"][0]["product"]["title"] == first["results"][0]["product"]["title"]
    assert renewed["results"][0]["product"]["title"] == "Neu"

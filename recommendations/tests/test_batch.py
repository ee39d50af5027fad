"""The batch job that precomputes for-you lists, and the request path that serves them."""

from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from ml_models.loader import loaders_reset
from recommendations import selectors
from recommendations.selectors import precomputed_key
from recommendations.tasks import batch_for_you
from recommendations.tests.shoppers import customers_with_history
from storefront.models import Customer


@pytest.fixture(autouse=True)
def tiny(settings, in_process_tasks):
    settings.ML_CAPABILITIES = ["recommendations.capability.RecommendationsCapability"]
    settings.RECOMMENDATIONS_TUNING_GRID = [{"dim": 8, "epochs": 5, "dropout": 0.0}]
    settings.RECOMMENDATIONS_LIST_LENGTH = 5
    settings.RECOMMENDATIONS_BATCH_CHUNK = 2
    settings.ML_LOADER_POLL_SECONDS = 0
    loaders_reset()
    yield
    loaders_reset()


@pytest.mark.django_db(transaction=True)
def test_the_batch_fans_out_in_chunks_and_the_api_serves_the_precomputed_list(
    store, api_client, monkeypatch
):
    customers = customers_with_history(store, 3)
    call_command("retrain", "recommendations", "--sync", "--force", stdout=StringIO())

    assert batch_for_you() == 2  # 3 customers in chunks of 2

    for customer in customers:
        stored = cache.get(precomputed_key(customer.pk))
        assert stored["version"] == 1 and stored["items"]
        viewed = {product.pk for product in store.products[customers.index(customer) :][:3]}
        assert all(because in viewed for _, _, because in stored["items"])

    realtime_calls = []
    monkeypatch.setattr(
        selectors,
        "from_model_for_history",
        lambda *args, **kwargs: realtime_calls.append(1) or iter(()),
    )
    token = Token.objects.create(user=customers[0].user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    body = api_client.get("/api/v1/recommendations/for-you/", {"market": "de"}).json()

    stored = [
        product_id for product_id, _, _ in cache.get(precomputed_key(customers[0].pk))["items"]
    ]
    served = [item["product"]["id"] for item in body["results"]]
    assert served == [product_id for product_id in stored if product_id in served][: len(served)]
    assert {item["provenance"]["model_version"] for item in body["results"]} == {1}
    assert realtime_calls == []  # the precomputed list was enough


@pytest.mark.django_db
def test_without_an_active_model_the_batch_stores_nothing(store):
    customers_with_history(store, 2)

    assert batch_for_you() == 1
    assert cache.get(precomputed_key(1)) is None


@pytest.mark.django_db(transaction=True)
def test_the_refresh_command_recounts_neighbours_and_precomputes_lists(store):
    customers_with_history(store, 3)
    call_command("retrain", "recommendations", "--sync", "--force", stdout=StringIO())
    out = StringIO()

    call_command("recommendations_refresh", stdout=out)

    assert "for-you lists: 3 of 3 active customers" in out.getvalue()
    assert "neighbours: " in out.getvalue()
    assert cache.get(precomputed_key(Customer.objects.first().pk))["version"] == 1

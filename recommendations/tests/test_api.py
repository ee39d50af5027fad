"""The recommendations API as the storefront calls it."""

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from catalog.models import Product, Variant
from catalog.tests.factories import (
    MerchantFactory,
    ProductFactory,
    VariantFactory,
    merchant_staff,
)
from ml_models.loader import loaders_reset
from ml_models.models import ModelVersion
from recommendations.models import ItemNeighbour, Recommendation, RecommendationFeedback
from recommendations.services import item_neighbours_rebuild
from recommendations.tests.conftest import events_add
from storefront.models import Customer, ShopperEvent

URL = "/api/v1/recommendations/"
GUEST = "guest-0000"  # viewed products 0..4
TINY_GRID = [{"dim": 8, "epochs": 5, "dropout": 0.0, "decay": 0.9}]


@pytest.fixture(autouse=True)
def recommendations_only(settings):
    settings.ML_CAPABILITIES = ["recommendations.capability.RecommendationsCapability"]
    settings.RECOMMENDATIONS_TUNING_GRID = TINY_GRID
    settings.ML_LOADER_POLL_SECONDS = 0
    loaders_reset()
    yield
    loaders_reset()


def get(api_client, path: str, **params):
    response = api_client.get(f"{URL}{path}", {"market": "de", **params})
    return response, response.json()


def ids(body) -> list[int]:
    return [item["product"]["id"] for item in body["results"]]


def train_model() -> None:
    call_command("retrain", "recommendations", "--sync", "--force", stdout=StringIO())


@pytest.mark.django_db
def test_a_new_guest_gets_market_trending_with_a_reason_in_their_language(api_client, store):
    response, body = get(api_client, "for-you/", client_id="brand-new-guest", lang="de", limit=4)

    assert response.status_code == 200 and body["kind"] == "for_you"
    assert len(body["results"]) == 4 and body["next"]
    first = body["results"][0]
    assert first["provenance"] == {"source": "baseline:market_popularity", "model_version": None}
    assert first["reason"] == {
        "code": "trending",
        "product": None,
        "text": "Diese Woche beliebt in Deutschland und Österreich",
    }
    assert first["recommendation_id"] == f"{body['id']}.0"
    assert store.foreign.pk not in ids(body)


@pytest.mark.django_db
def test_without_a_model_a_guest_with_history_gets_co_occurrence(api_client, store):
    item_neighbours_rebuild()

    _, body = get(api_client, "for-you/", client_id=GUEST, lang="en")

    first = body["results"][0]
    assert first["provenance"] == {"source": "baseline:co_occurrence", "model_version": None}
    assert first["reason"]["code"] == "also_viewed"
    assert first["reason"]["product"] in {product.pk for product in store.products[:5]}
    assert first["reason"]["text"].startswith("Shoppers who viewed Produkt")


@pytest.mark.django_db(transaction=True)
def test_with_an_active_model_for_you_comes_from_the_model(api_client, store):
    train_model()

    _, body = get(api_client, "for-you/", client_id=GUEST)

    first = body["results"][0]
    assert first["provenance"] == {"source": "model", "model_version": 1}
    assert first["reason"]["code"] == "because_viewed"
    viewed = {product.pk for product in store.products[:5]}
    assert first["reason"]["product"] in viewed
    assert not viewed & set(ids(body))  # for you: what they have not seen yet
    _, similar = get(api_client, f"similar/{store.products[0].pk}/")
    assert similar["results"][0]["provenance"]["source"] == "model"
    assert store.products[0].pk not in ids(similar)


@pytest.mark.django_db(transaction=True)
def test_a_broken_model_or_a_cache_outage_falls_back_to_the_baselines(
    api_client, store, monkeypatch
):
    train_model()
    version = ModelVersion.objects.get(capability="recommendations")
    (Path(version.artifact_path) / "model.npz").write_bytes(b"broken")
    loaders_reset()

    response, body = get(api_client, "for-you/", client_id=GUEST)
    assert response.status_code == 200
    assert {item["provenance"]["source"] for item in body["results"]} == {
        "baseline:market_popularity"
    }

    def cache_down(*args, **kwargs):
        raise ConnectionError("redis is down")

    backend = type(caches["default"])
    monkeypatch.setattr(backend, "get", cache_down)
    monkeypatch.setattr(backend, "set", cache_down)
    loaders_reset()
    response, body = get(api_client, "trending/")
    assert response.status_code == 200 and len(body["results"]) == 10


@pytest.mark.django_db
def test_lists_hold_only_what_the_shopper_may_buy(api_client, store, settings):
    sold_out, withdrawn = store.products[1], store.products[2]
    Variant.objects.filter(product=sold_out).update(stock_on_hand=0)
    Product.objects.filter(pk=withdrawn.pk).update(status=Product.Status.ARCHIVED)
    events_add(client_id=GUEST, products=[store.foreign], market=store.market)

    _, body = get(api_client, "trending/", limit=50)

    shown = set(ids(body))
    assert shown and not shown & {sold_out.pk, withdrawn.pk, store.foreign.pk}
    assert len(shown) == len(ids(body))  # no repeats


@pytest.mark.django_db
def test_a_customer_is_not_shown_what_they_bought_or_returned_unless_consumable(
    api_client, store, settings
):
    user = get_user_model().objects.create_user("ada", password="pw")
    customer = Customer.objects.create(user=user, market=store.market)
    bought = store.products[0]
    ShopperEvent.objects.create(
        type=ShopperEvent.Type.PURCHASE,
        customer=customer,
        market=store.market,
        product=bought,
        occurred_at=bought.created_at,
    )
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")

    _, body = get(api_client, "trending/", limit=50)
    assert bought.pk not in ids(body)

    settings.RECOMMENDATIONS_REPEAT_PURCHASE_CATEGORIES = [bought.category.slug]
    _, body = get(api_client, "trending/", limit=50)
    assert bought.pk in ids(body)


@pytest.mark.django_db
def test_not_interested_hides_the_product_from_the_shoppers_next_lists(api_client, store):
    _, body = get(api_client, "trending/", client_id=GUEST)
    unwanted = body["results"][0]

    response = api_client.post(
        f"{URL}feedback/",
        {
            "recommendation_id": unwanted["recommendation_id"],
            "action": "not_interested",
            "client_id": GUEST,
        },
        format="json",
    )

    assert response.status_code == 201
    _, again = get(api_client, "trending/", client_id=GUEST, limit=50)
    assert unwanted["product"]["id"] not in ids(again)
    _, someone_else = get(api_client, "trending/", client_id="guest-0001", limit=50)
    assert unwanted["product"]["id"] in ids(someone_else)


@pytest.mark.django_db
def test_impressions_and_clicks_are_recorded_once_per_slot_with_the_merchant(api_client, store):
    _, body = get(api_client, "trending/", client_id=GUEST)
    slot = body["results"][3]["recommendation_id"]

    for action in ("impression", "impression", "click"):
        response = api_client.post(
            f"{URL}feedback/",
            {"recommendation_id": slot, "action": action, "client_id": GUEST},
            format="json",
        )
        assert response.status_code == 201

    feedback = RecommendationFeedback.objects.order_by("action")
    assert [(f.action, f.position) for f in feedback] == [("click", 3), ("impression", 3)]
    assert feedback[0].merchant == store.products[0].merchant


@pytest.mark.django_db
def test_feedback_refuses_bad_ids_other_shoppers_lists_and_unknown_guests(api_client, store):
    _, body = get(api_client, "trending/", client_id=GUEST)
    slot = body["results"][0]["recommendation_id"]

    def post(**data):
        return api_client.post(f"{URL}feedback/", {"action": "click", **data}, format="json")

    assert post(recommendation_id="nonsense", client_id=GUEST).status_code == 400
    assert post(recommendation_id=f"{body['id']}.999", client_id=GUEST).status_code == 400
    assert post(recommendation_id="not-a-uuid.1", client_id=GUEST).status_code == 404
    assert post(recommendation_id=slot, client_id="guest-0001").status_code == 404
    assert post(recommendation_id=slot).json()["code"] == "shopper_unknown"
    assert not RecommendationFeedback.objects.exists()


@pytest.mark.django_db
def test_cursor_pages_never_repeat_and_belong_to_their_shopper(api_client, store):
    _, first = get(api_client, "for-you/", client_id=GUEST, limit=4)
    _, second = get(api_client, "for-you/", client_id=GUEST, limit=4, cursor=first["next"])

    assert second["id"] == first["id"]
    assert not set(ids(first)) & set(ids(second))
    assert second["results"][0]["recommendation_id"] == f"{first['id']}.4"
    stored = [item["product_id"] for item in Recommendation.objects.get().items]
    assert ids(first) + ids(second) == stored[:8]

    response, _ = get(api_client, "for-you/", client_id="guest-0001", cursor=first["next"])
    assert response.status_code == 404
    response, body = get(api_client, "for-you/", client_id=GUEST, cursor="%%%")
    assert response.status_code == 400 and body["code"] == "invalid_cursor"


@pytest.mark.django_db
def test_a_limit_above_the_maximum_is_capped(api_client, store, settings):
    settings.RECOMMENDATIONS_MAX_PAGE_SIZE = 3

    _, body = get(api_client, "trending/", limit=500)

    assert len(body["results"]) == 3


@pytest.mark.django_db
def test_unknown_products_are_404_and_a_market_is_required(api_client, store):
    response, body = get(api_client, "similar/999999/")
    assert response.status_code == 404 and body["code"] == "product_not_found"
    response, _ = get(api_client, "bought-together/999999/")
    assert response.status_code == 404
    response = api_client.get(f"{URL}trending/")
    assert response.status_code == 400 and response.json()["code"] == "market_required"


@pytest.mark.django_db
def test_trending_by_category_includes_subcategories_only(api_client, store):
    category = store.products[3].category

    _, body = get(api_client, "trending/", category=category.pk)

    assert ids(body) == [store.products[3].pk]


@pytest.mark.django_db
def test_bought_together_comes_from_orders_then_co_views(api_client, store):
    ItemNeighbour.objects.create(
        product=store.products[0], neighbour=store.products[7], kind="co_purchase", score=0.9
    )
    ItemNeighbour.objects.create(
        product=store.products[0], neighbour=store.products[1], kind="co_view", score=0.5
    )

    _, body = get(api_client, f"bought-together/{store.products[0].pk}/")

    assert ids(body) == [store.products[7].pk, store.products[1].pk]
    assert [item["provenance"]["source"] for item in body["results"]] == [
        "baseline:co_purchase",
        "baseline:co_occurrence",
    ]
    assert body["results"][0]["reason"]["code"] == "bought_together"


@pytest.mark.django_db
def test_co_occurrence_counts_shoppers_views_and_orders(store):
    counts = item_neighbours_rebuild()

    assert counts["co_view"] > 0 and counts["co_purchase"] == 0
    neighbours = ItemNeighbour.objects.filter(product=store.products[0], kind="co_view")
    # Guests who viewed product 0 viewed runs starting at 0 (then 1..4) or ending at it.
    assert set(neighbours.values_list("neighbour_id", flat=True)) <= {
        product.pk for product in store.products
    }
    assert neighbours.order_by("-score").first().neighbour in store.products[1:5]


@pytest.mark.django_db
def test_a_product_created_just_now_appears_in_trending_after_it_is_viewed(api_client, store):
    newcomer = ProductFactory(merchant=store.products[0].merchant)
    VariantFactory(product=newcomer, stock_on_hand=3)
    events_add(client_id=GUEST, products=[newcomer] * 20, market=store.market, days_ago=0)

    _, body = get(api_client, "trending/")

    assert ids(body)[0] == newcomer.pk


@pytest.mark.django_db
def test_the_admin_shows_click_through_per_market_and_merchant_scoped_to_the_merchant(
    api_client, client, store
):
    _, body = get(api_client, "trending/", client_id=GUEST, limit=2)
    for item, actions in zip(
        body["results"], (["impression", "click"], ["impression"]), strict=True
    ):
        for action in actions:
            api_client.post(
                f"{URL}feedback/",
                {
                    "recommendation_id": item["recommendation_id"],
                    "action": action,
                    "client_id": GUEST,
                },
                format="json",
            )
    page = "/admin/recommendations/recommendationfeedback/"

    client.force_login(merchant_staff(store.products[0].merchant))
    own = client.get(page).content.decode()
    client.force_login(merchant_staff(MerchantFactory(), username="other-staff"))
    other = client.get(page).content.decode()

    assert "<td>2</td><td>1</td>" in own and "0.50" in own and "Germany" in own
    assert "No impressions or clicks recorded yet." in other
    assert "No model is active" in own


@pytest.mark.django_db
def test_an_anonymous_shopper_is_not_affected_by_a_customers_suppressions(api_client, store):
    user = get_user_model().objects.create_user("bea", password="pw")
    Customer.objects.create(user=user, market=store.market)
    token = Token.objects.create(user=user).key
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    _, body = get(api_client, "trending/")
    hidden = body["results"][0]
    api_client.post(
        f"{URL}feedback/",
        {"recommendation_id": hidden["recommendation_id"], "action": "not_interested"},
        format="json",
    )
    _, again = get(api_client, "trending/", limit=50)
    assert hidden["product"]["id"] not in ids(again)

    api_client.credentials()
    _, anonymous = get(api_client, "trending/", limit=50)

    assert hidden["product"]["id"] in ids(anonymous)

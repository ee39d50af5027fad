"""Shopper events through the API: who they belong to, what is refused, the rate limit, and how
long they are kept."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from catalog.models import Product
from catalog.tests.factories import ProductFactory
from storefront.models import Market, ShopperEvent
from storefront.services.events import events_prune

EVENTS = "/api/v1/events/"
PASSWORD = "a-Long-and-unusual-passphrase-42"
CLIENT_ID = "c1ient_ID-0042"

pytestmark = pytest.mark.django_db


def _customer_client(email: str) -> APIClient:
    response = APIClient().post("/api/v1/account/register/", {"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


@pytest.fixture
def product(us_merchant) -> Product:
    return us_merchant.product


def _batch(product: Product) -> list[dict]:
    return [
        {"type": "view", "product": product.pk},
        {"type": "add_to_cart", "product": product.pk, "quantity": 2},
        {"type": "search", "query": "linen shirt"},
    ]


# --- Recording --------------------------------------------------------------------------------


def test_a_guest_batch_is_stored_under_the_client_id(api_client, product):
    response = api_client.post(
        EVENTS,
        {"client_id": CLIENT_ID, "session_id": "s-1", "market": "us", "events": _batch(product)},
    )

    assert response.status_code == 201
    assert response.json() == {"recorded": 3}
    rows = ShopperEvent.objects.all()
    assert sorted(row.type for row in rows) == ["add_to_cart", "search", "view"]
    assert {(row.client_id, row.customer_id, row.session_id) for row in rows} == {
        (CLIENT_ID, None, "s-1")
    }
    assert {row.market.code for row in rows} == {"us"}
    assert rows.get(type="search").query == "linen shirt"
    assert rows.get(type="add_to_cart").quantity == 2
    assert rows.get(type="view").product == product


def test_a_customers_events_are_stored_under_the_customer_not_a_client_id(product):
    client = _customer_client("ada@example.com")

    response = client.post(EVENTS, {"client_id": CLIENT_ID, "events": _batch(product)})

    assert response.status_code == 201
    assert response.json() == {"recorded": 3}
    rows = ShopperEvent.objects.all()
    assert {row.customer.user.email for row in rows} == {"ada@example.com"}
    assert {row.client_id for row in rows} == {""}


def test_a_customer_needs_no_client_id(product):
    client = _customer_client("ada@example.com")

    response = client.post(EVENTS, {"events": [{"type": "view", "product": product.pk}]})

    assert response.status_code == 201
    assert ShopperEvent.objects.get().customer.user.email == "ada@example.com"


def test_without_a_market_the_event_has_none(api_client, product):
    response = api_client.post(
        EVENTS, {"client_id": CLIENT_ID, "events": [{"type": "view", "product": product.pk}]}
    )

    assert response.status_code == 201
    assert ShopperEvent.objects.get().market is None


def test_exactly_fifty_events_are_accepted(api_client, product):
    events = [{"type": "view", "product": product.pk}] * 50

    response = api_client.post(EVENTS, {"client_id": CLIENT_ID, "events": events})

    assert response.status_code == 201
    assert ShopperEvent.objects.count() == 50


# --- Validation -------------------------------------------------------------------------------


def _refused(api_client, body: dict, field: str | None = None) -> dict:
    response = api_client.post(EVENTS, body)
    assert response.status_code == 400, response.json()
    assert not ShopperEvent.objects.exists()
    payload = response.json()
    if field is not None:
        assert field in payload["details"], payload
    return payload


def test_an_unknown_type_is_refused(api_client, product):
    _refused(
        api_client,
        {"client_id": CLIENT_ID, "events": [{"type": "wishlist", "product": product.pk}]},
        "events",
    )


def test_one_bad_event_refuses_the_whole_batch(api_client, product):
    body = _refused(
        api_client,
        {"client_id": CLIENT_ID, "events": [*_batch(product), {"type": "teleport"}]},
        "events",
    )

    # The error names the bad event by its position in the batch.
    errors = body["details"]["events"]
    assert list(errors) == ["3"]
    assert "type" in errors["3"]


@pytest.mark.parametrize("query", [None, ""])
def test_a_search_needs_its_query(api_client, product, query):
    event = {"type": "search"} if query is None else {"type": "search", "query": query}

    body = _refused(api_client, {"client_id": CLIENT_ID, "events": [event]}, "events")

    assert "query" in str(body["details"]["events"])


@pytest.mark.parametrize("event_type", ["view", "add_to_cart", "remove_from_cart"])
def test_product_events_need_a_product(api_client, product, event_type):
    body = _refused(api_client, {"client_id": CLIENT_ID, "events": [{"type": event_type}]})

    assert "product" in str(body["details"]["events"])


def test_a_query_over_200_characters_is_refused(api_client, product):
    _refused(
        api_client,
        {"client_id": CLIENT_ID, "events": [{"type": "search", "query": "q" * 201}]},
        "events",
    )


def test_a_query_of_200_characters_is_accepted(api_client, product):
    response = api_client.post(
        EVENTS, {"client_id": CLIENT_ID, "events": [{"type": "search", "query": "q" * 200}]}
    )

    assert response.status_code == 201


def test_more_than_fifty_events_are_refused(api_client, product):
    events = [{"type": "view", "product": product.pk}] * 51

    _refused(api_client, {"client_id": CLIENT_ID, "events": events}, "events")


def test_an_empty_batch_is_refused(api_client, product):
    _refused(api_client, {"client_id": CLIENT_ID, "events": []}, "events")


def test_a_guest_needs_a_client_id(api_client, product):
    _refused(api_client, {"events": _batch(product)}, "client_id")


@pytest.mark.parametrize(
    "client_id",
    ["short", "x" * 65, "has space in it", "semi;colon-id", "ünïcode-id", "../../etc/passwd"],
)
def test_a_malformed_client_id_is_refused(api_client, product, client_id):
    _refused(api_client, {"client_id": client_id, "events": _batch(product)}, "client_id")


@pytest.mark.parametrize("client_id", ["a" * 8, "A-b_9" * 12 + "abcd"])
def test_client_ids_of_8_to_64_characters_are_accepted(api_client, product, client_id):
    response = api_client.post(
        EVENTS, {"client_id": client_id, "events": [{"type": "view", "product": product.pk}]}
    )

    assert response.status_code == 201
    assert ShopperEvent.objects.get().client_id == client_id


def test_an_unknown_product_is_refused(api_client, product):
    _refused(
        api_client,
        {"client_id": CLIENT_ID, "events": [{"type": "view", "product": product.pk + 1000}]},
        "events",
    )


@pytest.mark.parametrize("status", [Product.Status.DRAFT, Product.Status.ARCHIVED])
def test_an_inactive_product_is_refused(api_client, product, status):
    inactive = ProductFactory(merchant=product.merchant, status=status)

    _refused(
        api_client,
        {"client_id": CLIENT_ID, "events": [{"type": "view", "product": inactive.pk}]},
        "events",
    )


def test_an_unknown_market_is_refused(api_client, product):
    body = _refused(
        api_client, {"client_id": CLIENT_ID, "market": "atlantis", "events": _batch(product)}
    )

    assert body["code"] == "unknown_market"


def test_an_inactive_market_is_refused(api_client, product, markets):
    Market.objects.filter(code="cn").update(is_active=False)

    body = _refused(api_client, {"client_id": CLIENT_ID, "market": "cn", "events": _batch(product)})

    assert body["code"] == "unknown_market"


def test_events_that_are_not_objects_are_refused(api_client, product):
    _refused(api_client, {"client_id": CLIENT_ID, "events": ["view"]}, "events")


# --- Rate limit -------------------------------------------------------------------------------


def test_the_events_endpoint_has_its_own_rate_limit(api_client, product, monkeypatch):
    monkeypatch.setitem(api_settings.DEFAULT_THROTTLE_RATES, "events", "2/min")
    body = {"client_id": CLIENT_ID, "events": [{"type": "view", "product": product.pk}]}

    statuses = [api_client.post(EVENTS, body).status_code for _ in range(3)]

    assert statuses == [201, 201, 429]
    assert api_client.post(EVENTS, body).json()["code"] == "throttled"
    assert ShopperEvent.objects.count() == 2


# --- Retention --------------------------------------------------------------------------------


def _event_aged(days: float, **fields) -> ShopperEvent:
    return ShopperEvent.objects.create(
        type=ShopperEvent.Type.SEARCH,
        client_id=CLIENT_ID,
        query=f"{days} days old",
        occurred_at=timezone.now() - timedelta(days=days),
        **fields,
    )


def test_prune_deletes_events_older_than_the_retention(db):
    old = [_event_aged(31), _event_aged(400)]
    recent = [_event_aged(29), _event_aged(0)]

    deleted = events_prune(retention_days=30)

    assert deleted == len(old)
    assert set(ShopperEvent.objects.values_list("pk", flat=True)) == {e.pk for e in recent}


def test_prune_uses_the_retention_setting_by_default(db, settings):
    settings.SHOPPER_EVENT_RETENTION_DAYS = 10
    _event_aged(11)
    kept = _event_aged(9)

    assert events_prune() == 1
    assert list(ShopperEvent.objects.values_list("pk", flat=True)) == [kept.pk]


def test_prune_with_the_default_retention_keeps_recent_events(db, settings):
    days = settings.SHOPPER_EVENT_RETENTION_DAYS
    _event_aged(days + 1)
    kept = _event_aged(days - 1)

    assert events_prune() == 1
    assert list(ShopperEvent.objects.values_list("pk", flat=True)) == [kept.pk]


# --- Privacy ----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_events_cannot_be_read_or_changed_through_the_api(api_client, product, method):
    api_client.post(EVENTS, {"client_id": CLIENT_ID, "events": _batch(product)})

    response = getattr(api_client, method)(EVENTS, {"client_id": CLIENT_ID})

    assert response.status_code == 405
    assert "linen shirt" not in response.content.decode()
    assert ShopperEvent.objects.count() == 3


def test_a_customers_export_holds_only_their_own_events(product):
    ada = _customer_client("ada@example.com")
    eve = _customer_client("eve@example.com")
    ada.post(EVENTS, {"events": [{"type": "search", "query": "ada-searches-this"}]})
    eve.post(EVENTS, {"events": [{"type": "search", "query": "eve-searches-that"}]})
    APIClient().post(
        EVENTS,
        {"client_id": CLIENT_ID, "events": [{"type": "search", "query": "a-guest-searches"}]},
    )

    ada_export = ada.get("/api/v1/account/export/").json()
    eve_export = eve.get("/api/v1/account/export/").json()

    assert [e["query"] for e in ada_export["events"]] == ["ada-searches-this"]
    assert [e["query"] for e in eve_export["events"]] == ["eve-searches-that"]


def test_clients_cannot_post_purchase_events(api_client, product):
    _refused(
        api_client,
        {"client_id": CLIENT_ID, "events": [{"type": "purchase", "product": product.pk}]},
        "events",
    )


def test_an_events_variant_must_belong_to_its_product(api_client, product, us_merchant):
    other = ProductFactory(merchant=product.merchant)

    _refused(
        api_client,
        {
            "client_id": CLIENT_ID,
            "events": [{"type": "add_to_cart", "product": other.pk, "variant": us_merchant.pk}],
        },
        "events",
    )

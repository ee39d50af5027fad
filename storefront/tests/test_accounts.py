"""Shopper accounts through the REST API: registration, login, profile, addresses, and the two
privacy rights (export and erasure)."""

import re
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.test import APIClient

from catalog.tests.factories import MerchantFactory, merchant_staff
from storefront.models import (
    Address,
    Cart,
    Customer,
    IdempotencyRecord,
    Order,
    PaymentAttempt,
    ShopperEvent,
)
from storefront.services import accounts

PASSWORD = "a-Long-and-unusual-passphrase-42"
ACCOUNT = "/api/v1/account/"
REGISTER = "/api/v1/account/register/"
LOGIN = "/api/v1/account/login/"
ADDRESSES = "/api/v1/account/addresses/"
EXPORT = "/api/v1/account/export/"
ERASE = "/api/v1/account/erase/"
EVENTS = "/api/v1/events/"

ADDRESS = {
    "full_name": "Ada Lovelace",
    "line1": "12 Market Street",
    "city": "San Francisco",
    "postal_code": "94103",
    "region": "CA",
    "country": "US",
    "phone": "+1 415 555 0100",
}

pytestmark = pytest.mark.django_db


# --- Helpers ----------------------------------------------------------------------------------


def _client(token: str | None = None) -> APIClient:
    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _register(email: str, password: str = PASSWORD, **extra) -> str:
    response = APIClient().post(REGISTER, {"email": email, "password": password, **extra})
    assert response.status_code == 201, response.json()
    return response.json()["token"]


def _place_order(token: str, variant, *, email: str, key: str = "order-1") -> dict:
    """Places and pays an order for two of `variant` to the US as the customer of `token`."""
    client = _client(token)
    cart = client.post("/api/v1/carts/", {"market": "us"})
    assert cart.status_code == 201, cart.json()
    cart_token = cart.json()["token"]
    lines = client.put(f"/api/v1/carts/{cart_token}/lines/", {"variant": variant.pk, "quantity": 2})
    assert lines.status_code == 200, lines.json()
    response = client.post(
        f"/api/v1/carts/{cart_token}/checkout/",
        {
            "email": email,
            "shipping_address": {
                "full_name": ADDRESS["full_name"],
                "line1": ADDRESS["line1"],
                "city": ADDRESS["city"],
                "postal_code": ADDRESS["postal_code"],
                "country": "US",
            },
            "billing_country": "US",
            "payment_method": "pm_card_visa",
        },
        HTTP_IDEMPOTENCY_KEY=key,
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def _post_events(token: str, product, query: str) -> None:
    response = _client(token).post(
        EVENTS,
        {
            "market": "us",
            "events": [
                {"type": "view", "product": product.pk},
                {"type": "search", "query": query},
            ],
        },
    )
    assert response.status_code == 201, response.json()


def _customer(email: str) -> Customer:
    return Customer.objects.select_related("user").get(user__email=email)


@pytest.fixture
def cache_keys():
    """Registers a cache key builder for the test and takes it out of the registry after."""

    def keys_for(customer: Customer) -> list[str]:
        return [f"test-recs:{customer.public_id}"]

    accounts.customer_cache_keys_register(keys_for)
    yield keys_for
    accounts._CUSTOMER_CACHE_KEYS.remove(keys_for)


# --- Registration and login -------------------------------------------------------------------


def test_register_returns_a_token_that_opens_the_account(markets):
    token = _register("Ada@Example.com", market="de", language="de")

    response = _client(token).get(ACCOUNT)

    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "ada@example.com"
    assert (body["market"], body["language"]) == ("de", "de")


def test_email_is_case_insensitive_and_unique(db):
    _register("ada@example.com")

    response = APIClient().post(REGISTER, {"email": "ADA@example.COM", "password": PASSWORD})

    assert response.status_code == 400
    assert response.json()["code"] == "email_taken"
    assert get_user_model().objects.count() == 1


def test_weak_password_is_refused_with_reasons_and_creates_nobody(db):
    response = APIClient().post(REGISTER, {"email": "ada@example.com", "password": "123"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["details"]["password"]
    assert not get_user_model().objects.exists()
    assert not Customer.objects.exists()


def test_register_with_unknown_market_is_refused(db):
    response = APIClient().post(
        REGISTER, {"email": "ada@example.com", "password": PASSWORD, "market": "atlantis"}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_market"
    assert not get_user_model().objects.exists()


def test_login_with_any_case_of_the_email_returns_a_working_token(db):
    _register("ada@example.com")

    response = APIClient().post(LOGIN, {"email": "Ada@EXAMPLE.com", "password": PASSWORD})

    assert response.status_code == 200
    assert _client(response.json()["token"]).get(ACCOUNT).status_code == 200


def test_login_with_a_wrong_password_is_refused(db):
    _register("ada@example.com")

    response = APIClient().post(LOGIN, {"email": "ada@example.com", "password": "not-it-at-all"})

    assert response.status_code == 403
    assert response.json()["code"] == "invalid_credentials"


def test_login_of_an_unknown_email_reads_like_a_wrong_password(db):
    response = APIClient().post(LOGIN, {"email": "nobody@example.com", "password": PASSWORD})

    assert response.status_code == 403
    assert response.json()["code"] == "invalid_credentials"


def test_merchant_staff_cannot_log_in_as_a_shopper(us_merchant):
    staff = merchant_staff(us_merchant.merchant, username="staff@example.com")
    staff.email = "staff@example.com"
    staff.save()

    response = APIClient().post(
        LOGIN, {"email": "staff@example.com", "password": "correct horse battery"}
    )

    assert response.status_code == 403
    assert response.json()["code"] == "invalid_credentials"


# --- Profile ----------------------------------------------------------------------------------


def test_patch_changes_market_and_language(markets):
    token = _register("ada@example.com", market="us")

    response = _client(token).patch(ACCOUNT, {"market": "JP", "language": "ja"})

    assert response.status_code == 200
    assert (response.json()["market"], response.json()["language"]) == ("jp", "ja")
    customer = _customer("ada@example.com")
    assert (customer.market.code, customer.language) == ("jp", "ja")


def test_patch_to_an_unknown_market_is_refused_and_changes_nothing(markets):
    token = _register("ada@example.com", market="us")

    response = _client(token).patch(ACCOUNT, {"market": "atlantis"})

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_market"
    assert _customer("ada@example.com").market.code == "us"


def test_patch_to_a_malformed_language_is_refused(db):
    token = _register("ada@example.com")

    response = _client(token).patch(ACCOUNT, {"language": "not a language"})

    assert response.status_code == 400
    assert "language" in response.json()["details"]
    assert _customer("ada@example.com").language == ""


# --- Addresses --------------------------------------------------------------------------------


def test_address_create_list_read_update_delete(db):
    client = _client(_register("ada@example.com"))

    created = client.post(ADDRESSES, ADDRESS)
    assert created.status_code == 201, created.json()
    address_id = created.json()["id"]
    assert created.json()["country"] == "US"

    listed = client.get(ADDRESSES).json()
    assert [a["id"] for a in listed["results"]] == [address_id]
    assert client.get(f"{ADDRESSES}{address_id}/").json()["city"] == "San Francisco"

    updated = client.patch(f"{ADDRESSES}{address_id}/", {"city": "Oakland", "postal_code": ""})
    assert updated.status_code == 200, updated.json()
    assert Address.objects.get(pk=address_id).city == "Oakland"

    assert client.delete(f"{ADDRESSES}{address_id}/").status_code == 204
    assert not Address.objects.filter(pk=address_id).exists()
    assert client.get(f"{ADDRESSES}{address_id}/").status_code == 404


@pytest.mark.filterwarnings("error::django.core.paginator.UnorderedObjectListWarning")
def test_address_list_is_paginated_in_a_stable_order(db):
    client = _client(_register("ada@example.com"))
    ids = [client.post(ADDRESSES, {**ADDRESS, "line1": f"{n} Main St"}).json()["id"] for n in "12"]

    response = client.get(ADDRESSES, {"page_size": 1})

    assert response.status_code == 200
    assert [a["id"] for a in response.json()["results"]] == ids[:1]


def test_lower_case_country_is_stored_upper_case(db):
    client = _client(_register("ada@example.com"))

    response = client.post(ADDRESSES, {**ADDRESS, "country": "de"})

    assert response.status_code == 201
    assert Address.objects.get().country == "DE"


@pytest.mark.parametrize("country", ["XX", "Germany", ""])
def test_address_with_an_invalid_country_is_refused(db, country):
    client = _client(_register("ada@example.com"))

    response = client.post(ADDRESSES, {**ADDRESS, "country": country})

    assert response.status_code == 400
    assert "country" in response.json()["details"]
    assert not Address.objects.exists()


def test_patching_an_address_to_an_invalid_country_is_refused(db):
    client = _client(_register("ada@example.com"))
    address_id = client.post(ADDRESSES, ADDRESS).json()["id"]

    response = client.patch(f"{ADDRESSES}{address_id}/", {"country": "XX"})

    assert response.status_code == 400
    assert Address.objects.get(pk=address_id).country == "US"


@pytest.mark.parametrize("country", ["ZZ", "EU", "UN"])
def test_cldr_pseudo_regions_are_not_countries(db, country):
    client = _client(_register("ada@example.com"))

    response = client.post(ADDRESSES, {**ADDRESS, "country": country})

    assert response.status_code == 400
    assert not Address.objects.exists()


def test_another_customers_address_is_a_404_and_stays_unchanged(db):
    owner = _client(_register("ada@example.com"))
    address_id = owner.post(ADDRESSES, ADDRESS).json()["id"]
    intruder = _client(_register("eve@example.com"))
    url = f"{ADDRESSES}{address_id}/"

    assert intruder.get(url).status_code == 404
    assert intruder.patch(url, {"city": "Nowhere"}).status_code == 404
    assert intruder.delete(url).status_code == 404
    assert intruder.get(ADDRESSES).json()["results"] == []

    address = Address.objects.get(pk=address_id)
    assert address.city == "San Francisco"
    assert address.customer.user.email == "ada@example.com"


# --- Authentication and permissions -----------------------------------------------------------

ACCOUNT_ENDPOINTS = [
    ("get", ACCOUNT),
    ("patch", ACCOUNT),
    ("get", EXPORT),
    ("post", ERASE),
    ("get", ADDRESSES),
    ("post", ADDRESSES),
    ("get", f"{ADDRESSES}1/"),
    ("patch", f"{ADDRESSES}1/"),
    ("delete", f"{ADDRESSES}1/"),
]


@pytest.mark.parametrize(("method", "url"), ACCOUNT_ENDPOINTS)
def test_account_endpoints_need_a_signed_in_shopper(db, method, url):
    response = getattr(APIClient(), method)(url, {})

    assert response.status_code == 401


@pytest.mark.parametrize(("method", "url"), ACCOUNT_ENDPOINTS)
def test_an_unknown_token_is_a_401(db, method, url):
    response = getattr(_client("0" * 40), method)(url, {})

    assert response.status_code == 401


@pytest.mark.parametrize(("method", "url"), ACCOUNT_ENDPOINTS)
def test_merchant_staff_without_a_customer_is_forbidden(db, method, url):
    staff = merchant_staff(MerchantFactory())

    response = getattr(_client(staff.auth_token.key), method)(url, {"password": "x"})

    assert response.status_code == 403


# --- Export -----------------------------------------------------------------------------------


def test_export_holds_the_account_addresses_orders_and_events(us_merchant):
    token = _register("ada@example.com", market="us", language="en")
    _client(token).post(ADDRESSES, ADDRESS)
    order = _place_order(token, us_merchant, email="ada@example.com")
    _post_events(token, us_merchant.product, query="linen shirt")

    response = _client(token).get(EXPORT)

    assert response.status_code == 200
    export = response.json()
    assert export["account"]["email"] == "ada@example.com"
    assert export["account"]["market"] == "us"
    assert [a["line1"] for a in export["addresses"]] == [ADDRESS["line1"]]
    assert [o["number"] for o in export["orders"]] == [order["number"]]
    [line] = export["orders"][0]["lines"]
    assert (line["sku"], line["title"], line["quantity"]) == ("TEE-1", "T-shirt", 2)
    assert Decimal(line["unit_price"]) == Decimal("20.00")
    assert export["orders"][0]["shipping_address"]["line1"] == ADDRESS["line1"]
    types = sorted(event["type"] for event in export["events"])
    # The checkout records the purchase itself; the client sent a view and a search.
    assert types == ["purchase", "search", "view"]
    assert "linen shirt" in [event["query"] for event in export["events"]]


def test_export_contains_nothing_of_another_customer(us_merchant):
    ada = _register("ada@example.com")
    eve = _register("eve@example.com")
    _client(eve).post(ADDRESSES, {**ADDRESS, "line1": "1 Eve Lane", "full_name": "Eve"})
    _place_order(eve, us_merchant, email="eve@example.com")
    _post_events(eve, us_merchant.product, query="eve-only-query")
    _post_events(ada, us_merchant.product, query="ada-query")

    export = _client(ada).get(EXPORT).json()

    text = str(export)
    assert "eve@example.com" not in text
    assert "eve-only-query" not in text
    assert "Eve Lane" not in text
    assert export["orders"] == []
    assert export["addresses"] == []
    assert sorted(event["query"] for event in export["events"]) == ["", "ada-query"]


# --- Erasure ----------------------------------------------------------------------------------


@pytest.fixture
def shopper(us_merchant):
    """Ada, with an address, a paid order, events and an open cart; and Eve, with the same."""
    people = {}
    for name in ("ada", "eve"):
        email = f"{name}@example.com"
        token = _register(email, market="us", language="en")
        _client(token).post(ADDRESSES, {**ADDRESS, "full_name": name.title()})
        order = _place_order(token, us_merchant, email=email, key=f"order-{name}")
        _post_events(token, us_merchant.product, query=f"{name}-query")
        _client(token).post("/api/v1/carts/", {"market": "us"})
        people[name] = {"email": email, "token": token, "order": order["number"]}
    return people


def test_erasure_with_a_wrong_password_changes_nothing(shopper):
    ada = shopper["ada"]

    response = _client(ada["token"]).post(ERASE, {"password": "not-my-password"})

    assert response.status_code == 403
    assert response.json()["code"] == "invalid_credentials"
    customer = _customer(ada["email"])
    assert customer.user.is_active
    assert customer.erased_at is None
    assert customer.addresses.count() == 1
    assert customer.events.count() == 3
    assert Order.objects.get(number=ada["order"]).email == ada["email"]
    assert _client(ada["token"]).get(ACCOUNT).status_code == 200


def test_erasure_removes_personal_data_and_keeps_orders_anonymised(
    shopper, cache_keys, django_capture_on_commit_callbacks
):
    ada, eve = shopper["ada"], shopper["eve"]
    customer = _customer(ada["email"])
    user_id = customer.user_id
    order_before = Order.objects.get(number=ada["order"])
    lines_before = list(order_before.lines.values_list("sku", "quantity", "line_total"))
    cache.set(f"test-recs:{customer.public_id}", ["recommended"])
    eve_customer = _customer(eve["email"])
    cache.set(f"test-recs:{eve_customer.public_id}", ["kept"])

    with django_capture_on_commit_callbacks(execute=True):
        response = _client(ada["token"]).post(ERASE, {"password": PASSWORD})

    assert response.status_code == 200
    assert response.json() == {
        "orders_anonymized": 1,
        "events_deleted": 3,  # a view, a search, and the purchase the checkout recorded
        "addresses_deleted": 1,
        "carts_deleted": 2,  # the checked-out cart and the open one, not their lines
        "checkout_records_deleted": 1,
        "payment_attempts_anonymized": 1,
    }
    # The login is gone: old token, password, and the email itself.
    assert _client(ada["token"]).get(ACCOUNT).status_code == 401
    login = APIClient().post(LOGIN, {"email": ada["email"], "password": PASSWORD})
    assert login.status_code == 403
    user = get_user_model().objects.get(pk=user_id)
    assert not user.is_active
    assert not user.has_usable_password()
    assert ada["email"] not in (user.email, user.username)
    assert not get_user_model().objects.filter(email__iexact=ada["email"]).exists()
    customer.refresh_from_db()
    assert customer.erased_at is not None
    assert (customer.market, customer.language) == (None, "")
    # Addresses, carts and events (training data) are gone.
    assert not Address.objects.filter(customer=customer).exists()
    assert not Cart.objects.filter(customer=customer).exists()
    assert not ShopperEvent.objects.filter(customer=customer).exists()
    assert not ShopperEvent.objects.filter(query="ada-query").exists()
    # The order stays for the accounts, without who and where.
    order = Order.objects.get(number=ada["order"])
    assert order.customer is None
    # A random placeholder (which may spell "ada" by chance, so the pattern is what is checked).
    assert re.fullmatch(r"erased-[0-9a-f]{32}@invalid\.example", order.email)
    assert order.client_ip is None
    assert order.shipping_address == {"country": "US"}
    assert (order.subtotal, order.due_at_sale, order.tax_total) == (
        order_before.subtotal,
        order_before.due_at_sale,
        order_before.tax_total,
    )
    assert order.subtotal == Decimal("40.00")
    assert list(order.lines.values_list("sku", "quantity", "line_total")) == lines_before
    # The caches keyed by her are cleared; Eve's are not.
    assert cache.get(f"test-recs:{customer.public_id}") is None
    assert cache.get(f"test-recs:{eve_customer.public_id}") == ["kept"]


def test_erasure_leaves_another_customer_untouched(shopper, django_capture_on_commit_callbacks):
    ada, eve = shopper["ada"], shopper["eve"]

    with django_capture_on_commit_callbacks(execute=True):
        assert _client(ada["token"]).post(ERASE, {"password": PASSWORD}).status_code == 200

    eve_customer = _customer(eve["email"])
    assert eve_customer.user.is_active
    assert eve_customer.erased_at is None
    assert eve_customer.addresses.count() == 1
    assert eve_customer.events.count() == 3
    assert Cart.objects.filter(customer=eve_customer).count() == 2
    order = Order.objects.get(number=eve["order"])
    assert (order.email, order.customer_id) == (eve["email"], eve_customer.pk)
    assert order.shipping_address["line1"] == ADDRESS["line1"]
    assert order.client_ip == "203.0.113.7"
    assert _client(eve["token"]).get(ACCOUNT).status_code == 200
    assert APIClient().post(LOGIN, {"email": eve["email"], "password": PASSWORD}).status_code == 200


def test_an_erased_email_can_register_again_as_a_new_account(
    shopper, django_capture_on_commit_callbacks
):
    ada = shopper["ada"]
    with django_capture_on_commit_callbacks(execute=True):
        _client(ada["token"]).post(ERASE, {"password": PASSWORD})

    token = _register(ada["email"])

    export = _client(token).get(EXPORT).json()
    assert (export["orders"], export["events"], export["addresses"]) == ([], [], [])


def test_erasure_also_anonymises_payment_attempts(shopper, django_capture_on_commit_callbacks):
    ada = shopper["ada"]
    customer = _customer(ada["email"])
    assert PaymentAttempt.objects.filter(customer=customer).exists()

    with django_capture_on_commit_callbacks(execute=True):
        _client(ada["token"]).post(ERASE, {"password": PASSWORD})

    assert not PaymentAttempt.objects.filter(email=ada["email"]).exists()
    assert not PaymentAttempt.objects.filter(customer=customer).exists()
    assert not PaymentAttempt.objects.filter(
        order__number=ada["order"], client_ip__isnull=False
    ).exists()


def test_erasure_leaves_no_copy_of_the_email_in_stored_checkout_answers(
    shopper, django_capture_on_commit_callbacks
):
    ada = shopper["ada"]

    with django_capture_on_commit_callbacks(execute=True):
        _client(ada["token"]).post(ERASE, {"password": PASSWORD})

    stored = [str(record.response) for record in IdempotencyRecord.objects.all()]
    assert not [text for text in stored if ada["email"] in text]


def test_erasure_summary_counts_carts_not_cart_lines(shopper, django_capture_on_commit_callbacks):
    ada = shopper["ada"]
    customer = _customer(ada["email"])
    assert Cart.objects.filter(customer=customer).count() == 2  # checked out (1 line), open

    with django_capture_on_commit_callbacks(execute=True):
        response = _client(ada["token"]).post(ERASE, {"password": PASSWORD})

    assert response.json()["carts_deleted"] == 2


def test_erasure_of_a_customer_without_orders_or_events(db, django_capture_on_commit_callbacks):
    token = _register(f"{uuid.uuid4().hex[:8]}@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = _client(token).post(ERASE, {"password": PASSWORD})

    assert response.status_code == 200
    assert response.json() == {
        "orders_anonymized": 0,
        "events_deleted": 0,
        "addresses_deleted": 0,
        "carts_deleted": 0,
        "checkout_records_deleted": 0,
        "payment_attempts_anonymized": 0,
    }

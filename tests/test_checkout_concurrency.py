"""Checkouts racing each other: no oversell of the last unit, one order per Idempotency-Key,
one order per cart.

The threaded races need a database that runs transactions concurrently: they run on
PostgreSQL (as CI does) and are skipped on SQLite, whose writers queue behind one lock.
"""

import contextlib
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.models import Variant
from catalog.tests.factories import MerchantFactory, ProductFactory, VariantFactory
from storefront.errors import StorefrontError
from storefront.models import Cart, ExchangeRate, Market, Order, Payment
from storefront.services.carts import cart_create, cart_line_set
from storefront.services.checkout import CheckoutRequest, checkout_complete
from storefront.services.markets import markets_seed
from tests.concurrency import needs_postgresql, run_together

ROUNDS = 5


REQUEST = CheckoutRequest(
    email="racer@example.com",
    shipping_address={
        "full_name": "Racer",
        "line1": "1 Main Street",
        "city": "Berlin",
        "country": "DE",
    },
    billing_country="DE",
    payment_method="pm_card_visa",
)


@pytest.fixture
def market_de(db):
    markets_seed()
    ExchangeRate.objects.create(
        base="EUR", quote="USD", rate=Decimal("1.0850"), as_of=timezone.now(), source="test"
    )
    return Market.objects.get(code="de")


@pytest.fixture
def merchant(market_de):
    return MerchantFactory(country="US", currency="USD", default_language="en", markets=[market_de])


def _variant(merchant, stock: int) -> Variant:
    return VariantFactory(
        product=ProductFactory(merchant=merchant),
        price=Decimal("20.00"),
        stock_on_hand=stock,
        weight_grams=200,
    )


def _cart(market, variant: Variant, quantity: int = 1) -> Cart:
    cart = cart_create(market=market)
    cart_line_set(cart=cart, variant_id=variant.pk, quantity=quantity)
    return cart


def _checkout(cart_pk: int):
    def call():
        cart = Cart.objects.get(pk=cart_pk)
        return checkout_complete(cart=cart, customer=None, request=REQUEST)

    return call


def _api_checkout(cart_token, key: str):
    """A shopper's checkout request through the API, with its own client."""

    def call():
        response = APIClient().post(
            f"/api/v1/carts/{cart_token}/checkout/",
            {
                "email": REQUEST.email,
                "shipping_address": REQUEST.shipping_address,
                "billing_country": "DE",
                "payment_method": "pm_card_visa",
            },
            format="json",
            HTTP_IDEMPOTENCY_KEY=key,
        )
        return response.status_code, response.json(), response.get("Idempotent-Replayed")

    return call


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_checkouts_for_the_last_unit_never_both_win(market_de, merchant):
    for round_ in range(ROUNDS):
        variant = _variant(merchant, stock=1)
        first, second = _cart(market_de, variant), _cart(market_de, variant)

        results = run_together(_checkout(first.pk), _checkout(second.pk))

        orders = [r for r in results if isinstance(r, Order)]
        refusals = [r for r in results if not isinstance(r, Order)]
        assert len(orders) == 1, (round_, results)
        [refusal] = refusals
        assert isinstance(refusal, StorefrontError), (round_, refusal)
        assert (refusal.status_code, refusal.code) == (400, "out_of_stock"), round_
        assert Order.objects.get(pk=orders[0].pk).status == Order.Status.PAID
        assert Order.objects.filter(lines__variant=variant).count() == 1
        variant.refresh_from_db()
        assert variant.quantity_allocated == variant.stock_on_hand == 1, round_


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_shoppers_racing_through_the_api_never_oversell(market_de, merchant):
    for round_ in range(ROUNDS):
        variant = _variant(merchant, stock=1)
        carts = [_cart(market_de, variant), _cart(market_de, variant)]

        results = run_together(
            *(_api_checkout(cart.token, key=str(uuid.uuid4())) for cart in carts)
        )

        statuses = sorted(status for status, _, _ in results)
        assert statuses == [201, 400], (round_, results)
        [refused] = [body for status, body, _ in results if status == 400]
        assert refused["code"] == "out_of_stock"
        variant.refresh_from_db()
        assert variant.quantity_allocated == variant.stock_on_hand == 1, round_
        assert Order.objects.filter(lines__variant=variant).count() == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_same_idempotency_key_sent_twice_at_once_places_one_order(market_de, merchant):
    for round_ in range(ROUNDS):
        variant = _variant(merchant, stock=5)
        cart = _cart(market_de, variant)

        send = _api_checkout(cart.token, key=str(uuid.uuid4()))
        results = run_together(send, send)

        assert Order.objects.filter(lines__variant=variant).count() == 1, (round_, results)
        placed = [r for r in results if r[0] == 201 and r[2] is None]
        assert len(placed) == 1, (round_, results)
        [(_, other_body, other_replayed)] = [r for r in results if r is not placed[0]]
        # The repeat either waited for the answer (a replay) or was told to wait.
        if other_replayed == "true":
            assert other_body["number"] == placed[0][1]["number"]
        else:
            assert other_body["code"] == "request_in_progress", (round_, results)
        variant.refresh_from_db()
        assert variant.quantity_allocated == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_one_cart_checked_out_twice_at_once_with_two_keys_places_one_order(market_de, merchant):
    for round_ in range(ROUNDS):
        variant = _variant(merchant, stock=10)
        cart = _cart(market_de, variant, quantity=2)

        results = run_together(
            _api_checkout(cart.token, key=str(uuid.uuid4())),
            _api_checkout(cart.token, key=str(uuid.uuid4())),
        )

        assert sorted(status for status, _, _ in results) == [201, 409], (round_, results)
        [refused] = [body for status, body, _ in results if status == 409]
        assert refused["code"] == "cart_closed"
        assert Order.objects.filter(lines__variant=variant).count() == 1
        variant.refresh_from_db()
        assert variant.quantity_allocated == 2, round_


@pytest.mark.django_db
def test_one_cart_checked_out_by_two_overlapping_requests_places_one_order(market_de, merchant):
    """Runs everywhere: the second request holds a copy of the cart read before the first
    finished, as a concurrent request does; the database, not that copy, must refuse it."""
    variant = _variant(merchant, stock=10)
    cart = _cart(market_de, variant, quantity=2)
    # Both requests loaded the cart before either finished, as two concurrent requests do.
    first_request_cart = Cart.objects.get(pk=cart.pk)
    second_request_cart = Cart.objects.get(pk=cart.pk)

    checkout_complete(cart=first_request_cart, customer=None, request=REQUEST)
    with contextlib.suppress(StorefrontError):  # refused: what should happen
        checkout_complete(cart=second_request_cart, customer=None, request=REQUEST)

    assert Order.objects.count() == 1
    assert Payment.objects.filter(status=Payment.Status.CAPTURED).count() == 1
    variant.refresh_from_db()
    assert variant.quantity_allocated == 2

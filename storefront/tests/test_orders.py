"""An order's life after checkout: capture after review, cancel, refund, the logged status flow,
and the merchant's side (their orders, their lines, shipping with a tracking number)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from catalog.models import Variant
from catalog.tests.factories import (
    MerchantFactory,
    merchant_staff,
)
from storefront.errors import Conflict
from storefront.models import Order, OrderEvent, Payment, Shipment, ShopperEvent
from storefront.services.checkout import RiskDecision
from storefront.services.orders import (
    authorizations_expiring_warn,
    order_cancel,
    order_capture,
    order_deliver,
    order_refund,
    order_ship,
    order_transition,
)
from storefront.tests.checkout_helpers import place_order

Status = Order.Status


def risk_review(*, order):
    return RiskDecision("review", reasons=("manual review",))


def stock(variant: Variant) -> tuple[int, int]:
    """(stock_on_hand, quantity_allocated)"""
    variant.refresh_from_db()
    return variant.stock_on_hand, variant.quantity_allocated


def reloaded(order: Order) -> Order:
    return Order.objects.get(pk=order.pk)


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_user(username="reviewer", password="x" * 20)


@pytest.fixture
def paid_order(markets, us_merchant):
    order = place_order(markets["de"], (us_merchant, 2))
    assert order.status == Status.PAID
    return order


@pytest.fixture
def held_order(markets, us_merchant, settings):
    settings.CHECKOUT_RISK_HOOK = f"{__name__}.risk_review"
    order = place_order(markets["de"], (us_merchant, 2))
    assert order.status == Status.ON_HOLD
    return order


# --- Capture after review ---------------------------------------------------------------------


def test_capturing_a_held_order_makes_it_paid(held_order, staff_user):
    order = order_capture(order=held_order, actor=staff_user, reason="review approved")

    assert order.status == reloaded(held_order).status == Status.PAID
    payment = held_order.payments.get()
    assert payment.status == Payment.Status.CAPTURED
    assert payment.captured_amount == payment.amount == held_order.due_at_sale
    event = held_order.events.filter(kind="status_changed").last()
    assert (event.from_status, event.to_status) == (Status.ON_HOLD, Status.PAID)
    assert event.actor == staff_user
    assert event.reason == "review approved"


def test_capturing_twice_is_refused(held_order):
    order_capture(order=held_order)

    with pytest.raises(Conflict) as caught:
        order_capture(order=reloaded(held_order))

    assert caught.value.code == "nothing_to_capture"
    assert held_order.payments.get().captured_amount == held_order.due_at_sale


def test_capture_after_the_authorization_expired_cancels_the_order(held_order, us_merchant):
    now = timezone.now()
    Payment.objects.filter(order=held_order).update(
        authorized_at=now - timedelta(days=8), expires_at=now - timedelta(days=1)
    )
    assert stock(us_merchant) == (10, 2)

    with pytest.raises(Conflict) as caught:
        order_capture(order=held_order)

    assert caught.value.code == "authorization_expired"
    # Deliberately not one transaction: the cancellation stays although capture raised.
    assert reloaded(held_order).status == Status.CANCELLED
    payment = held_order.payments.get()
    assert payment.status == Payment.Status.VOIDED
    assert payment.captured_amount == 0
    assert stock(us_merchant) == (10, 0)


def test_an_order_paid_after_review_records_its_purchase_events(held_order):
    order_capture(order=held_order)

    assert ShopperEvent.objects.filter(type=ShopperEvent.Type.PURCHASE, order=held_order).count()


# --- Cancel -----------------------------------------------------------------------------------


def test_cancelling_a_held_order_voids_the_payment_and_releases_stock(held_order, us_merchant):
    order_cancel(order=held_order, reason="shopper asked")

    assert reloaded(held_order).status == Status.CANCELLED
    assert held_order.payments.get().status == Payment.Status.VOIDED
    assert stock(us_merchant) == (10, 0)


def test_cancelling_a_paid_order_refunds_it_and_releases_stock(paid_order, us_merchant):
    order_cancel(order=paid_order, reason="out of business")

    assert reloaded(paid_order).status == Status.CANCELLED
    payment = paid_order.payments.get()
    assert payment.status == Payment.Status.REFUNDED
    assert payment.refunded_amount == payment.captured_amount == paid_order.due_at_sale
    assert stock(us_merchant) == (10, 0)


def test_a_shipped_order_cannot_be_cancelled(paid_order, us_merchant):
    order_ship(order=paid_order, merchant=us_merchant.merchant, carrier="UPS", tracking_number="1Z")
    order = reloaded(paid_order)

    with pytest.raises(Conflict) as caught:
        order_cancel(order=order)

    assert caught.value.code == "invalid_transition"
    assert reloaded(paid_order).status == Status.SHIPPED
    assert paid_order.payments.get().status == Payment.Status.CAPTURED
    assert stock(us_merchant) == (8, 0)


def test_a_cancelled_order_cannot_be_cancelled_again(paid_order, us_merchant):
    order_cancel(order=paid_order)

    with pytest.raises(Conflict) as caught:
        order_cancel(order=reloaded(paid_order))

    assert caught.value.code == "invalid_transition"
    assert stock(us_merchant) == (10, 0)


# --- Refund -----------------------------------------------------------------------------------


def test_partial_refund_keeps_the_order_paid(paid_order, us_merchant, staff_user):
    order_refund(order=paid_order, amount=Decimal("5.00"), actor=staff_user, reason="stain")

    assert reloaded(paid_order).status == Status.PAID
    payment = paid_order.payments.get()
    assert payment.refunded_amount == Decimal("5.00")
    assert payment.status == Payment.Status.CAPTURED
    event = paid_order.events.get(kind="refunded")
    assert event.data == {"amount": "5.00", "currency": "EUR"}
    assert event.actor == staff_user
    assert stock(us_merchant) == (10, 2)


def test_full_refund_makes_the_order_refunded_and_releases_stock(paid_order, us_merchant):
    order_refund(order=paid_order, reason="lost")

    assert reloaded(paid_order).status == Status.REFUNDED
    payment = paid_order.payments.get()
    assert payment.status == Payment.Status.REFUNDED
    assert payment.refunded_amount == paid_order.due_at_sale
    assert stock(us_merchant) == (10, 0)


def test_partial_refunds_adding_up_to_the_whole_make_it_refunded(paid_order, us_merchant):
    order_refund(order=paid_order, amount=Decimal("10.00"))
    order_refund(order=reloaded(paid_order), amount=paid_order.due_at_sale - Decimal("10.00"))

    assert reloaded(paid_order).status == Status.REFUNDED
    assert stock(us_merchant) == (10, 0)
    with pytest.raises(Conflict) as caught:
        order_refund(order=reloaded(paid_order), amount=Decimal("0.01"))
    assert caught.value.code == "nothing_to_refund"


def test_refunding_more_than_captured_is_refused(paid_order, us_merchant):
    with pytest.raises(Conflict) as caught:
        order_refund(order=paid_order, amount=paid_order.due_at_sale + Decimal("0.01"))

    assert caught.value.code == "refund_exceeds_captured"
    assert reloaded(paid_order).status == Status.PAID
    assert paid_order.payments.get().refunded_amount == 0
    assert not paid_order.events.filter(kind="refunded").exists()
    assert stock(us_merchant) == (10, 2)


def test_a_held_order_has_nothing_to_refund(held_order):
    with pytest.raises(Conflict) as caught:
        order_refund(order=held_order)

    assert caught.value.code == "nothing_to_refund"


def test_full_refund_of_a_delivered_order_keeps_the_stock_figures(paid_order, us_merchant):
    order_ship(order=paid_order, merchant=us_merchant.merchant, carrier="UPS", tracking_number="1Z")
    order_deliver(order=reloaded(paid_order))

    order_refund(order=reloaded(paid_order))

    assert reloaded(paid_order).status == Status.REFUNDED
    assert stock(us_merchant) == (8, 0)


@pytest.mark.parametrize("undo", ["cancel", "full_refund"])
def test_undoing_a_partly_shipped_order_releases_only_what_did_not_ship(
    markets, us_merchant, de_merchant, undo
):
    order = place_order(markets["de"], (us_merchant, 2), (de_merchant, 2))
    other = place_order(markets["de"], (us_merchant, 3))
    order_ship(order=order, merchant=us_merchant.merchant, carrier="UPS", tracking_number="1Z")
    assert reloaded(order).status == Status.PAID  # the other merchant has not shipped
    assert stock(us_merchant) == (8, 3)  # what is held is the other order's 3

    try:
        if undo == "cancel":
            order_cancel(order=reloaded(order))
        else:
            order_refund(order=reloaded(order))
    except Conflict:
        pass  # refusing to undo a partly shipped order would be fine too

    # The other order's 3 units must still be held for it.
    assert stock(us_merchant) == (8, 3)
    assert reloaded(other).status == Status.PAID


# --- The status flow is checked and logged ----------------------------------------------------


def test_checkout_logs_each_step_of_a_paid_order(paid_order):
    events = list(paid_order.events.values_list("kind", "from_status", "to_status", "actor_label"))

    assert events == [
        ("placed", "", Status.PENDING, "shopper"),
        ("risk_assessed", "", "", "risk"),
        ("status_changed", Status.PENDING, Status.PAID, "system"),
    ]


def test_transitions_are_logged_with_who_and_why(paid_order, staff_user):
    order_transition(order=paid_order, to=Status.FULFILLED, actor=staff_user, reason="packed")

    event = paid_order.events.last()
    assert event.kind == "status_changed"
    assert (event.from_status, event.to_status) == (Status.PAID, Status.FULFILLED)
    assert event.actor == staff_user
    assert event.actor_label == str(staff_user)
    assert event.reason == "packed"
    assert reloaded(paid_order).status == Status.FULFILLED


@pytest.mark.parametrize(
    ("steps", "refused"),
    [
        ([], Status.PENDING),
        ([], Status.ON_HOLD),
        ([], Status.DELIVERED),
        ([Status.SHIPPED], Status.PAID),
        ([Status.SHIPPED, Status.DELIVERED], Status.CANCELLED),
        ([Status.REFUNDED], Status.PAID),
    ],
)
def test_an_invalid_transition_is_refused_and_not_logged(paid_order, steps, refused):
    for step in steps:
        order_transition(order=paid_order, to=step)
    events_before = OrderEvent.objects.count()
    status_before = reloaded(paid_order).status

    with pytest.raises(Conflict) as caught:
        order_transition(order=paid_order, to=refused)

    assert caught.value.code == "invalid_transition"
    assert reloaded(paid_order).status == status_before
    assert OrderEvent.objects.count() == events_before


def test_the_transition_reads_the_stored_status_not_a_stale_copy(paid_order):
    stale = reloaded(paid_order)
    order_transition(order=paid_order, to=Status.CANCELLED)

    with pytest.raises(Conflict):
        order_transition(order=stale, to=Status.SHIPPED)

    assert reloaded(paid_order).status == Status.CANCELLED


# --- The merchant API -------------------------------------------------------------------------


def merchant_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {user.auth_token.key}")
    return client


@pytest.fixture
def two_merchant_order(markets, us_merchant, de_merchant):
    return place_order(markets["de"], (us_merchant, 2), (de_merchant, 1))


def test_merchant_lists_orders_with_only_their_own_lines(
    markets, us_merchant, de_merchant, two_merchant_order
):
    de_only = place_order(markets["de"], (de_merchant, 3))
    client = merchant_client(merchant_staff(us_merchant.merchant))

    response = client.get("/api/v1/merchant/orders/")

    assert response.status_code == 200
    [listed] = response.json()["results"]
    assert listed["number"] == two_merchant_order.number != de_only.number
    assert listed["status"] == "paid"
    assert listed["ship_to_country"] == "DE"
    assert listed["shipped"] is False
    assert [(line["sku"], line["quantity"]) for line in listed["lines"]] == [("TEE-1", 2)]
    # In the merchant's own currency, not the shopper's.
    assert listed["lines"][0]["merchant_currency"] == "USD"
    assert Decimal(listed["lines"][0]["merchant_unit_price"]) == Decimal("20.00")

    detail = client.get(f"/api/v1/merchant/orders/{two_merchant_order.number}/").json()
    assert [line["sku"] for line in detail["lines"]] == ["TEE-1"]


def test_another_merchant_gets_404_on_an_order_without_their_lines(paid_order, markets):
    stranger = MerchantFactory(markets=[markets["de"]])
    client = merchant_client(merchant_staff(stranger))

    detail = client.get(f"/api/v1/merchant/orders/{paid_order.number}/")
    ship = client.post(
        f"/api/v1/merchant/orders/{paid_order.number}/ship/",
        {"carrier": "DHL", "tracking_number": "X"},
        format="json",
    )

    assert detail.status_code == 404
    assert ship.status_code == 404
    assert client.get("/api/v1/merchant/orders/").json()["results"] == []
    assert reloaded(paid_order).status == Status.PAID


def test_the_merchant_order_api_is_for_merchant_staff_only(paid_order):
    anonymous = APIClient().get("/api/v1/merchant/orders/")
    user = get_user_model().objects.create_user(username="not-staff", password="x" * 20)
    outsider = APIClient()
    outsider.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")

    assert anonymous.status_code == 401
    assert outsider.get("/api/v1/merchant/orders/").status_code == 403


def test_shipping_the_only_parcel_ships_the_order(paid_order, us_merchant):
    staff = merchant_staff(us_merchant.merchant)
    client = merchant_client(staff)

    response = client.post(
        f"/api/v1/merchant/orders/{paid_order.number}/ship/",
        {"carrier": "UPS", "tracking_number": "1Z999"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "shipped"
    assert response.json()["shipped"] is True
    assert reloaded(paid_order).status == Status.SHIPPED
    shipment = Shipment.objects.get()
    assert (shipment.carrier, shipment.tracking_number) == ("UPS", "1Z999")
    assert shipment.merchant == us_merchant.merchant
    # The held units left the warehouse.
    assert stock(us_merchant) == (8, 0)
    event = paid_order.events.get(kind="parcel_shipped")
    assert event.actor == staff
    assert event.data["tracking_number"] == "1Z999"
    # The shopper sees the tracking number.
    shopper_view = APIClient().get(
        f"/api/v1/orders/{paid_order.number}/", HTTP_X_ORDER_TOKEN=paid_order.access_token
    )
    assert shopper_view.json()["shipments"][0]["tracking_number"] == "1Z999"
    assert shopper_view.json()["status"] == "shipped"


def test_shipping_twice_is_refused(paid_order, us_merchant):
    client = merchant_client(merchant_staff(us_merchant.merchant))
    url = f"/api/v1/merchant/orders/{paid_order.number}/ship/"
    body = {"carrier": "UPS", "tracking_number": "1Z999"}

    assert client.post(url, body, format="json").status_code == 200
    again = client.post(url, body, format="json")

    assert again.status_code == 409
    assert Shipment.objects.count() == 1
    assert stock(us_merchant) == (8, 0)


def test_a_two_merchant_order_ships_when_both_parcels_have(
    two_merchant_order, us_merchant, de_merchant
):
    us_client = merchant_client(merchant_staff(us_merchant.merchant))
    de_client = merchant_client(merchant_staff(de_merchant.merchant))
    url = f"/api/v1/merchant/orders/{two_merchant_order.number}/ship/"

    first = us_client.post(url, {"carrier": "UPS", "tracking_number": "1Z"}, format="json")

    assert first.status_code == 200
    assert first.json()["status"] == "paid"
    assert reloaded(two_merchant_order).status == Status.PAID
    assert stock(us_merchant) == (8, 0)
    assert stock(de_merchant) == (10, 1)
    de_view = de_client.get(f"/api/v1/merchant/orders/{two_merchant_order.number}/").json()
    assert de_view["shipped"] is False

    second = de_client.post(url, {"carrier": "DHL", "tracking_number": "JJD"}, format="json")

    assert second.status_code == 200
    assert second.json()["status"] == "shipped"
    assert reloaded(two_merchant_order).status == Status.SHIPPED
    assert stock(de_merchant) == (9, 0)


def test_a_held_order_cannot_be_shipped(held_order, us_merchant):
    client = merchant_client(merchant_staff(us_merchant.merchant))

    response = client.post(
        f"/api/v1/merchant/orders/{held_order.number}/ship/",
        {"carrier": "UPS", "tracking_number": "1Z"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert stock(us_merchant) == (10, 2)


def test_shipping_needs_a_carrier_and_a_tracking_number(paid_order, us_merchant):
    client = merchant_client(merchant_staff(us_merchant.merchant))

    response = client.post(
        f"/api/v1/merchant/orders/{paid_order.number}/ship/", {"carrier": "UPS"}, format="json"
    )

    assert response.status_code == 400
    assert "tracking_number" in response.json()["details"]
    assert reloaded(paid_order).status == Status.PAID


# --- Authorizations about to expire -----------------------------------------------------------


def _expire_in(order: Order, delta: timedelta) -> None:
    Payment.objects.filter(order=order).update(expires_at=timezone.now() + delta)


def test_a_held_order_expiring_within_a_day_is_warned_once(held_order):
    _expire_in(held_order, timedelta(hours=12))

    first = authorizations_expiring_warn()
    second = authorizations_expiring_warn()

    assert [o.pk for o in first] == [held_order.pk]
    assert second == []
    [event] = held_order.events.filter(kind="authorization_expiring")
    assert "expires at" in event.reason
    assert reloaded(held_order).status == Status.ON_HOLD


def test_no_warning_when_the_authorization_has_time_left_or_was_captured(
    held_order, markets, us_merchant, settings
):
    settings.CHECKOUT_RISK_HOOK = "storefront.services.checkout.risk_allow_all"
    paid_order = place_order(markets["de"], (us_merchant, 1))
    assert paid_order.status == Status.PAID
    _expire_in(held_order, timedelta(days=3))
    _expire_in(paid_order, timedelta(hours=1))  # captured already: nothing to decide

    assert authorizations_expiring_warn() == []
    assert not OrderEvent.objects.filter(kind="authorization_expiring").exists()

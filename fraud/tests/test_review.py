"""Deciding held orders: approve captures, cancel releases, and the decision is recorded once,
with the order's status, or not at all."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fraud.models import FraudReport, ReviewDecision
from fraud.services import fraud_report_add, review_decide
from storefront.errors import Conflict, InvalidInput, PermissionDenied, ServiceUnavailable
from storefront.models import Order, OrderEvent, Payment
from storefront.payments.base import PaymentProviderError
from storefront.services import orders as order_services
from storefront.tests.checkout_helpers import place_order

pytestmark = pytest.mark.django_db

Outcome = ReviewDecision.Outcome
Status = Order.Status


def stock(variant) -> tuple[int, int]:
    """(stock_on_hand, quantity_allocated)"""
    variant.refresh_from_db()
    return variant.stock_on_hand, variant.quantity_allocated


def reloaded(order: Order) -> Order:
    return Order.objects.get(pk=order.pk)


def nothing_recorded(order: Order) -> bool:
    return not (
        ReviewDecision.objects.filter(order=order).exists()
        or order.events.filter(kind="review_decided").exists()
    )


def test_approving_captures_the_payment_and_records_the_decision(held_order, ops, us_merchant):
    decision = review_decide(
        order=held_order, outcome=Outcome.APPROVED, actor=ops, note="called the shopper"
    )

    assert reloaded(held_order).status == Status.PAID
    payment = held_order.payments.get()
    assert payment.status == Payment.Status.CAPTURED
    assert payment.captured_amount == held_order.due_at_sale
    assert stock(us_merchant) == (10, 2)  # still held, now for a paid order
    [stored] = ReviewDecision.objects.all()
    assert stored == decision
    assert (stored.order, stored.outcome, stored.actor) == (held_order, Outcome.APPROVED, ops)
    assert (stored.note, stored.score, stored.is_fraud) == ("called the shopper", 80, False)
    [event] = held_order.events.filter(kind="review_decided")
    assert (event.actor, event.reason) == (ops, "approved")
    assert event.data == {"note": "called the shopper", "score": 80}
    assert held_order.events.filter(to_status=Status.PAID, actor=ops).exists()


@pytest.mark.parametrize(
    ("outcome", "is_fraud"), [(Outcome.CANCELLED_FRAUD, True), (Outcome.CANCELLED_OTHER, False)]
)
def test_cancelling_voids_the_payment_and_releases_the_stock(
    held_order, ops, us_merchant, outcome, is_fraud
):
    assert stock(us_merchant) == (10, 2)

    decision = review_decide(order=held_order, outcome=outcome, actor=ops)

    assert reloaded(held_order).status == Status.CANCELLED
    assert held_order.payments.get().status == Payment.Status.VOIDED
    assert stock(us_merchant) == (10, 0)
    assert decision.is_fraud is is_fraud
    assert ReviewDecision.objects.get().outcome == outcome
    assert held_order.events.filter(kind="review_decided", reason=outcome).count() == 1


def test_an_order_not_on_hold_is_refused_and_nothing_is_written(markets, us_merchant, ops):
    paid = place_order(markets["de"], (us_merchant, 1))
    events = OrderEvent.objects.count()

    with pytest.raises(Conflict) as caught:
        review_decide(order=paid, outcome=Outcome.CANCELLED_FRAUD, actor=ops)

    assert caught.value.code == "not_on_hold"
    assert reloaded(paid).status == Status.PAID
    assert paid.payments.get().status == Payment.Status.CAPTURED
    assert OrderEvent.objects.count() == events
    assert nothing_recorded(paid)


def test_an_order_is_decided_once(held_order, ops):
    review_decide(order=held_order, outcome=Outcome.APPROVED, actor=ops)

    with pytest.raises(Conflict) as caught:
        review_decide(order=held_order, outcome=Outcome.CANCELLED_FRAUD, actor=ops)

    assert caught.value.code == "not_on_hold"
    assert ReviewDecision.objects.get().outcome == Outcome.APPROVED
    assert reloaded(held_order).status == Status.PAID


def test_an_expired_authorization_cancels_the_order_and_records_no_decision(
    held_order, ops, us_merchant
):
    now = timezone.now()
    Payment.objects.filter(order=held_order).update(
        authorized_at=now - timedelta(days=8), expires_at=now - timedelta(days=1)
    )

    with pytest.raises(Conflict) as caught:
        review_decide(order=held_order, outcome=Outcome.APPROVED, actor=ops)

    assert caught.value.code == "authorization_expired"
    # Storefront's cancellation stands; the review did not happen.
    assert reloaded(held_order).status == Status.CANCELLED
    assert held_order.payments.get().status == Payment.Status.VOIDED
    assert stock(us_merchant) == (10, 0)
    assert nothing_recorded(held_order)


def test_a_failing_payment_service_leaves_the_order_held_and_nothing_recorded(
    held_order, ops, monkeypatch
):
    def unavailable(**kwargs):
        raise PaymentProviderError()

    monkeypatch.setattr(order_services, "payment_capture", unavailable)

    with pytest.raises(ServiceUnavailable):
        review_decide(order=held_order, outcome=Outcome.APPROVED, actor=ops)

    assert reloaded(held_order).status == Status.ON_HOLD
    assert held_order.payments.get().status == Payment.Status.AUTHORIZED
    assert nothing_recorded(held_order)


# --- Merchants decide their own orders --------------------------------------------------------


def test_a_merchant_decides_an_order_of_their_products_alone(held_order, us_staff, us_merchant):
    decision = review_decide(
        order=held_order,
        outcome=Outcome.CANCELLED_FRAUD,
        actor=us_staff,
        merchant=us_merchant.merchant,
    )

    assert decision.actor == us_staff
    assert reloaded(held_order).status == Status.CANCELLED


def test_a_merchant_cannot_decide_an_order_shared_with_another_merchant(
    shared_held_order, us_staff, us_merchant
):
    with pytest.raises(PermissionDenied) as caught:
        review_decide(
            order=shared_held_order,
            outcome=Outcome.APPROVED,
            actor=us_staff,
            merchant=us_merchant.merchant,
        )

    assert caught.value.code == "not_merchants_order"
    assert caught.value.status_code == 403
    assert reloaded(shared_held_order).status == Status.ON_HOLD
    assert nothing_recorded(shared_held_order)


def test_a_merchant_cannot_decide_another_merchants_order(held_order, de_staff, de_merchant):
    with pytest.raises(PermissionDenied):
        review_decide(
            order=held_order,
            outcome=Outcome.CANCELLED_FRAUD,
            actor=de_staff,
            merchant=de_merchant.merchant,
        )

    assert reloaded(held_order).status == Status.ON_HOLD


def test_ops_decide_shared_orders(shared_held_order, ops):
    review_decide(order=shared_held_order, outcome=Outcome.APPROVED, actor=ops)

    assert reloaded(shared_held_order).status == Status.PAID


def test_bad_input_is_refused_before_anything_happens(held_order, ops):
    with pytest.raises(InvalidInput) as unknown:
        review_decide(order=held_order, outcome="maybe", actor=ops)
    with pytest.raises(InvalidInput) as too_long:
        review_decide(order=held_order, outcome=Outcome.APPROVED, actor=ops, note="x" * 501)

    assert "outcome" in unknown.value.details
    assert "note" in too_long.value.details
    assert reloaded(held_order).status == Status.ON_HOLD
    assert nothing_recorded(held_order)


# --- Labels after the fact --------------------------------------------------------------------


def test_a_fraud_report_labels_the_order_and_is_logged(markets, us_merchant, ops):
    order = place_order(markets["de"], (us_merchant, 1))

    report = fraud_report_add(
        order=order, is_fraud=True, source=" refund ", actor=ops, note="card holder called"
    )

    assert FraudReport.objects.get() == report
    assert (report.is_fraud, report.source, report.actor) == (True, "refund", ops)
    event = order.events.get(kind="fraud_reported")
    assert (event.actor, event.reason) == (ops, "refund")
    assert event.data == {"is_fraud": True, "note": "card holder called"}


def test_a_fraud_report_needs_a_source(markets, us_merchant, ops):
    order = place_order(markets["de"], (us_merchant, 1))

    with pytest.raises(InvalidInput) as caught:
        fraud_report_add(order=order, is_fraud=True, source="  ", actor=ops)

    assert "source" in caught.value.details
    assert not FraudReport.objects.exists()
    assert not order.events.filter(kind="fraud_reported").exists()

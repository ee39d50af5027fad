"""Checkout's risk assessment, each decision path: the model, rules beside it, market
thresholds, and the fail-safe when the model is missing, failing or slow."""

import time
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

import pytest

from fraud.models import Decision, MarketRiskSetting, PaymentSignal, RiskAssessment, RiskRule
from fraud.tests.test_model import synthetic_store
from ml_models.loader import Served
from storefront.models import Order, PaymentAttempt
from storefront.services.checkout import PaymentFailed
from storefront.tests.checkout_helpers import place_order


def checkout(market, *lines, card="pm_card_de", ip="91.0.0.1", email="ada@example.com"):
    """A German guest's order from a German connection and device."""
    return place_order(
        market,
        *lines,
        payment_method=card,
        client_ip=ip,
        ip_country="DE",
        device_id="device-1",
        email=email,
    )


@cache
def tiny_model():
    from fraud.ml.model import ModelConfig, model_train

    rows, labels, _ = synthetic_store(3_000, fraud_share=0.05)
    cut = int(0.8 * len(rows))
    return model_train(
        rows[:cut], labels[:cut], rows[cut:], labels[cut:], config=ModelConfig(max_epochs=5)
    )


@dataclass
class Thresholded:
    """The tiny model with thresholds of the test's choosing; `delay` makes it slow."""

    thresholds: dict
    delay: float = 0.0
    broken: bool = False

    def probability(self, features: dict) -> float:
        if self.broken:
            raise RuntimeError("the model fell over")
        time.sleep(self.delay)
        return tiny_model().probability(features)

    def reasons(self, features: dict, count: int = 3):
        return tiny_model().reasons(features, count)


@pytest.fixture
def serve(monkeypatch):
    """Serves a predictor as the active fraud model version 7."""

    def install(predictor):
        tiny_model()  # trained before the clock of the first checkout starts
        served = Served(predictor=predictor, source="model", model_version=7)
        monkeypatch.setattr("fraud.services.predictor_get", lambda capability: served)

    return install


def assessment(order: Order) -> RiskAssessment:
    return RiskAssessment.objects.get(order=order)


def test_without_a_model_the_rules_decide_and_an_ordinary_order_is_captured(markets, de_merchant):
    order = checkout(markets["de"], (de_merchant, 1))

    assessed = assessment(order)
    assert order.status == Order.Status.PAID
    assert (assessed.decision, assessed.decided_by, assessed.score) == ("allow", "failsafe", None)
    assert assessed.provenance == {"source": "baseline:rules_only", "model_version": None}
    assert PaymentSignal.objects.filter(order=order, failed=False).count() == 1


def test_without_a_model_an_order_above_the_value_limit_goes_to_review(
    markets, de_merchant, settings
):
    settings.FRAUD_FAILSAFE_REVIEW_USD = 50  # one 40 EUR shirt and shipping is above it

    order = checkout(markets["de"], (de_merchant, 1))

    assert order.status == Order.Status.ON_HOLD
    assert assessment(order).decision == Decision.REVIEW


def test_the_model_scores_explains_and_decides(markets, de_merchant, serve):
    serve(Thresholded({"review": 1.0, "block": 1.0}))

    order = checkout(markets["de"], (de_merchant, 1))

    assessed = assessment(order)
    assert order.status == Order.Status.PAID
    assert assessed.decided_by == "model" and assessed.decision == "allow"
    assert 0 <= assessed.score <= 100
    assert assessed.provenance == {"source": "model", "model_version": 7}
    assert all(reason["message"] for reason in assessed.reasons)


def test_a_score_past_the_block_threshold_refuses_without_saying_why(markets, de_merchant, serve):
    serve(Thresholded({"review": 0.0, "block": 0.0}))

    with pytest.raises(PaymentFailed) as refused:
        checkout(markets["de"], (de_merchant, 1))

    assert refused.value.code == "payment_refused"
    assert refused.value.message == "The payment was not accepted."
    order = Order.objects.get()
    assert order.status == Order.Status.CANCELLED
    assert order.payments.get().status == "voided"
    assert assessment(order).decision == Decision.BLOCK


def test_a_markets_own_thresholds_override_the_models(markets, de_merchant, serve):
    serve(Thresholded({"review": 1.0, "block": 1.0}))
    MarketRiskSetting.objects.create(market=markets["de"], review_score=0)

    order = checkout(markets["de"], (de_merchant, 1))

    assert order.status == Order.Status.ON_HOLD
    assert assessment(order).decided_by == "model"


def test_a_merchants_allow_rule_lets_through_what_the_model_would_block(
    markets, de_merchant, serve
):
    serve(Thresholded({"review": 0.0, "block": 0.0}))
    trusted = RiskRule.objects.create(
        merchant=de_merchant.merchant,
        name="Our regulars",
        conditions=[{"feature": "email_domain", "op": "==", "value": "example.com"}],
        action="allow",
    )

    order = checkout(markets["de"], (de_merchant, 1))

    assert order.status == Order.Status.PAID
    assert (assessment(order).decided_by, assessment(order).rule) == ("rule", trusted)


def test_a_block_rule_beats_the_models_allow(markets, de_merchant, serve):
    serve(Thresholded({"review": 1.0, "block": 1.0}))
    RiskRule.objects.create(
        name="No orders from this network",
        conditions=[{"feature": "ip_country", "op": "==", "value": "DE"}],
        action="block",
    )

    with pytest.raises(PaymentFailed):
        checkout(markets["de"], (de_merchant, 1))

    assert assessment(Order.objects.get()).reasons[0] == {
        "code": "rule",
        "message": "No orders from this network",
    }


@pytest.mark.parametrize("predictor", [Thresholded({}, delay=1.0), Thresholded({}, broken=True)])
def test_a_slow_or_broken_model_leaves_the_rules_to_decide(
    markets, de_merchant, serve, settings, predictor
):
    settings.FRAUD_MODEL_TIMEOUT_MS = 20
    settings.FRAUD_FAILSAFE_REVIEW_USD = 50
    serve(predictor)

    order = checkout(markets["de"], (de_merchant, 1))

    assessed = assessment(order)
    assert (assessed.decided_by, assessed.score) == ("failsafe", None)
    assert order.status == Order.Status.ON_HOLD  # above the value limit: reviewed, not allowed


def test_card_testing_before_an_order_blocks_it(markets, de_merchant):
    for card in ("pm_card_declined", "pm_card_incorrect_cvc", "pm_card_expired"):
        with pytest.raises(PaymentFailed):
            checkout(markets["de"], (de_merchant, 1), card=card, ip="95.1.2.3")
    assert PaymentSignal.objects.filter(failed=True).count() == 3

    with pytest.raises(PaymentFailed):
        checkout(markets["de"], (de_merchant, 1), ip="95.1.2.3")

    blocked = RiskAssessment.objects.get()
    assert blocked.decision == Decision.BLOCK
    assert blocked.features["failed_ip_1h"] == 3
    assert blocked.rule.is_default
    assert PaymentAttempt.objects.count() == 4


def test_velocity_counts_the_earlier_orders_of_the_same_device(markets, de_merchant):
    first = checkout(markets["de"], (de_merchant, 1))
    second = checkout(markets["de"], (de_merchant, 1), email="bea@example.com")

    assert assessment(first).features["orders_device_24h"] == 0
    assert assessment(second).features["orders_device_24h"] == 1
    assert assessment(second).features["amount_usd"] > float(Decimal("40"))


def test_a_failing_attempt_hook_never_touches_the_checkout(markets, de_merchant, settings):
    settings.CHECKOUT_ATTEMPT_HOOK = "storefront.no_such_module.hook"

    with pytest.raises(PaymentFailed):
        checkout(markets["de"], (de_merchant, 1), card="pm_card_declined")
    order = checkout(markets["de"], (de_merchant, 1))

    assert PaymentAttempt.objects.count() == 2  # both recorded by storefront all the same
    assert order.status == Order.Status.PAID
    assert not PaymentSignal.objects.filter(failed=True).exists()

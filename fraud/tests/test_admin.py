"""The risk screens as merchant staff and ops use them: the review queue, rules, the audit log,
and the store-wide settings only ops see."""

import json
import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.test import Client
from django.utils import timezone

from fraud.features import address_key
from fraud.models import (
    FraudReport,
    MarketRiskSetting,
    PaymentSignal,
    ReviewDecision,
    RiskListEntry,
    RiskRule,
)
from fraud.services import review_decide
from fraud.tests.conftest import REASONS
from storefront.models import Order, Payment
from storefront.money import money_quantize
from storefront.tests.admin_helpers import admin_as, page
from storefront.tests.checkout_helpers import place_order

pytestmark = pytest.mark.django_db

ADMIN = "/admin/fraud/"
QUEUE = f"{ADMIN}reviewqueueorder/"
RULES = f"{ADMIN}riskrule/"
ASSESSMENTS = f"{ADMIN}riskassessment/"
DECISIONS = f"{ADMIN}reviewdecision/"
OPS_ONLY = [f"{ADMIN}marketrisksetting/", f"{ADMIN}risklistentry/", f"{ADMIN}fraudreport/"]

Outcome = ReviewDecision.Outcome
Status = Order.Status


def row_of(html: str, number: str) -> str:
    [row] = [row for row in re.split(r"<tr\b", html) if number in row]
    return row


def decide(client: Client, action: str, *orders: Order):
    return client.post(
        QUEUE, {"action": action, "_selected_action": [o.pk for o in orders]}, follow=True
    )


def reloaded(order: Order) -> Order:
    return Order.objects.get(pk=order.pk)


# --- The queue --------------------------------------------------------------------------------


def test_the_queue_lists_held_orders_riskiest_first(place_held, markets, us_merchant, ops):
    low = place_held((us_merchant, 1), score=40)
    high = place_held((us_merchant, 1), score=90)
    paid = place_order(markets["de"], (us_merchant, 1))

    html = page(admin_as(ops), QUEUE)

    assert html.index(high.number) < html.index(low.number)
    assert paid.number not in html
    row = row_of(html, high.number)
    assert ">90<" in row
    assert REASONS[0]["message"] in row and REASONS[3]["message"] not in row  # the top three
    assert f"{money_quantize(high.due_at_sale, 'EUR')} EUR" in row


def test_the_queue_warns_of_authorizations_about_to_lapse(place_held, us_merchant, ops):
    fresh, soon, lapsed = (place_held((us_merchant, 1)) for _ in range(3))
    now = timezone.now()
    Payment.objects.filter(order=soon).update(expires_at=now + timedelta(hours=12))
    Payment.objects.filter(order=lapsed).update(expires_at=now - timedelta(hours=1))

    html = page(admin_as(ops), QUEUE)

    assert "expires soon" in row_of(html, soon.number)
    assert "expired" in row_of(html, lapsed.number)
    assert "expires soon" not in row_of(html, fresh.number)
    assert "expired" not in row_of(html, fresh.number)


def test_the_order_page_is_read_only_and_shows_the_assessment(place_held, us_merchant, ops):
    earlier = place_held((us_merchant, 1))
    review_decide(order=earlier, outcome=Outcome.CANCELLED_FRAUD, actor=ops, note="stolen card")
    held = place_held((us_merchant, 1), score=85)  # the same shopper again

    html = page(admin_as(ops), f"{QUEUE}{held.pk}/change/")

    assert held.number in html and ">85<" in html
    assert REASONS[3]["message"] in html  # every reason, not only the top ones
    assert "model_version" in html
    assert "TEE-1" in html
    assert f"{earlier.number} Cancelled as fraud (released) by ops. stolen card" in html
    assert 'name="_save"' not in html


def test_ops_cancel_held_orders_as_fraud_from_the_queue(place_held, us_merchant, ops):
    first, second = place_held((us_merchant, 1)), place_held((us_merchant, 1))

    decide(admin_as(ops), "cancel_fraud", first, second)

    assert {reloaded(first).status, reloaded(second).status} == {Status.CANCELLED}
    assert [d.is_fraud for d in ReviewDecision.objects.filter(actor=ops)] == [True, True]


def test_an_order_that_cannot_be_decided_is_reported_and_the_others_go_through(
    place_held, us_merchant, ops
):
    lapsed, fine = place_held((us_merchant, 1)), place_held((us_merchant, 1))
    Payment.objects.filter(order=lapsed).update(expires_at=timezone.now() - timedelta(hours=1))

    response = decide(admin_as(ops), "approve", lapsed, fine)

    notes = [str(message) for message in response.context["messages"]]
    assert any(note.startswith(f"{lapsed.number}: ") for note in notes)
    assert reloaded(lapsed).status == Status.CANCELLED
    assert reloaded(fine).status == Status.PAID
    assert ReviewDecision.objects.get().order_id == fine.pk


# --- Merchant staff ---------------------------------------------------------------------------


@pytest.fixture
def three_held(place_held, us_merchant, de_merchant, shared_held_order):
    return {
        "us": place_held((us_merchant, 1)),
        "de": place_held((de_merchant, 1)),
        "shared": shared_held_order,
    }


def test_merchant_staff_see_only_held_orders_holding_their_products(three_held, de_staff):
    client = admin_as(de_staff)

    html = page(client, QUEUE)
    theirs = client.get(f"{QUEUE}{three_held['us'].pk}/change/")

    assert three_held["de"].number in html and three_held["shared"].number in html
    assert three_held["us"].number not in html
    assert theirs.status_code == 302


def test_merchant_staff_see_no_money_of_an_order_shared_with_others(three_held, de_staff):
    shared = three_held["shared"]
    client = admin_as(de_staff)

    row = row_of(page(client, QUEUE), shared.number)
    order_page = page(client, f"{QUEUE}{shared.pk}/change/")

    assert "shared with other merchants" in row
    assert str(money_quantize(shared.due_at_sale, "EUR")) not in row
    assert "HEMD-1" in order_page and "TEE-1" not in order_page
    assert shared.email not in order_page
    assert "Authorization expires" not in order_page


def test_merchant_staff_see_only_assessments_and_decisions_of_their_orders(
    three_held, de_staff, ops
):
    review_decide(order=three_held["us"], outcome=Outcome.CANCELLED_FRAUD, actor=ops)
    review_decide(order=three_held["de"], outcome=Outcome.APPROVED, actor=ops)
    client = admin_as(de_staff)

    assessments = page(client, ASSESSMENTS)
    decisions = page(client, DECISIONS)
    us_assessment = three_held["us"].risk_assessment

    assert three_held["de"].number in assessments and three_held["shared"].number in assessments
    assert three_held["us"].number not in assessments
    assert three_held["de"].number in decisions
    assert three_held["us"].number not in decisions
    assert client.get(f"{ASSESSMENTS}{us_assessment.pk}/change/").status_code == 302


def test_merchant_staff_decide_their_own_held_orders(three_held, de_staff):
    decide(admin_as(de_staff), "approve", three_held["de"])

    assert reloaded(three_held["de"]).status == Status.PAID
    assert ReviewDecision.objects.get().actor == de_staff


def test_merchant_staff_cannot_decide_an_order_shared_with_others(three_held, de_staff):
    shared = three_held["shared"]

    response = decide(admin_as(de_staff), "cancel_fraud", shared)

    notes = [str(message) for message in response.context["messages"]]
    assert any(note.startswith(f"{shared.number}: ") for note in notes)
    assert reloaded(shared).status == Status.ON_HOLD
    assert not ReviewDecision.objects.exists()


def test_merchant_staff_cannot_decide_another_merchants_order(three_held, de_staff):
    decide(admin_as(de_staff), "cancel_fraud", three_held["us"])

    assert reloaded(three_held["us"]).status == Status.ON_HOLD


@pytest.mark.parametrize("url", OPS_ONLY)
def test_store_wide_screens_are_for_ops_only(url, de_staff, ops):
    staff = admin_as(de_staff)

    assert staff.get(url).status_code == 403
    assert staff.get(f"{url}add/").status_code == 403
    assert url not in page(staff, "/admin/")
    assert admin_as(ops).get(url).status_code == 200


def test_payment_signals_have_no_screen():
    assert PaymentSignal not in admin.site._registry


# --- Rules ------------------------------------------------------------------------------------


def rule_form(**overrides) -> dict:
    conditions = [{"feature": "amount_usd", "op": ">=", "value": 500}]
    return {
        "name": "Large orders",
        "conditions": json.dumps(conditions),
        "action": "review",
        "is_active": "on",
        **overrides,
    }


def test_the_rule_form_rejects_unknown_features_and_operators(ops):
    conditions = [
        {"feature": "shoe_size", "op": ">=", "value": 44},
        {"feature": "amount_usd", "op": "~", "value": 1},
    ]

    response = admin_as(ops).post(f"{RULES}add/", rule_form(conditions=json.dumps(conditions)))

    assert response.status_code == 200
    problems = response.context["adminform"].form.errors["conditions"]
    assert "Condition 1: unknown feature 'shoe_size'." in problems
    assert any(problem.startswith("Condition 2: op must be one of") for problem in problems)
    assert not RiskRule.objects.filter(name="Large orders").exists()


def test_ops_add_a_store_wide_rule(ops):
    response = admin_as(ops).post(f"{RULES}add/", rule_form())

    assert response.status_code == 302
    rule = RiskRule.objects.get(name="Large orders")
    assert (rule.merchant, rule.created_by, rule.action) == (None, ops, "review")
    assert rule.conditions == [{"feature": "amount_usd", "op": ">=", "value": 500}]


def test_a_merchants_new_rule_is_theirs(de_staff, de_merchant, us_merchant):
    response = admin_as(de_staff).post(
        f"{RULES}add/",
        rule_form(merchant=us_merchant.merchant.pk, is_default="on", action="allow"),
    )

    assert response.status_code == 302
    rule = RiskRule.objects.get(name="Large orders")
    assert (rule.merchant, rule.created_by) == (de_merchant.merchant, de_staff)
    assert rule.is_default is False


def test_merchant_staff_see_only_their_own_rules(de_staff, de_merchant, us_merchant):
    RiskRule.objects.create(
        merchant=de_merchant.merchant, name="Ours", conditions=[], action="review"
    )
    theirs = RiskRule.objects.create(
        merchant=us_merchant.merchant, name="Theirs", conditions=[], action="allow"
    )
    client = admin_as(de_staff)

    html = page(client, RULES)

    assert "Ours" in html and "Theirs" not in html
    assert "Disposable email address" not in html  # a store-wide default rule
    assert client.get(f"{RULES}{theirs.pk}/change/").status_code == 302


# --- Ops' screens -----------------------------------------------------------------------------


def test_ops_report_an_order_as_fraud(markets, us_merchant, ops):
    order = place_order(markets["de"], (us_merchant, 1))

    response = admin_as(ops).post(
        f"{ADMIN}fraudreport/add/",
        {"order": order.pk, "is_fraud": "on", "source": "refund", "note": "card holder"},
    )

    assert response.status_code == 302
    report = FraudReport.objects.get()
    assert (report.order, report.is_fraud, report.actor) == (order, True, ops)
    assert order.events.filter(kind="fraud_reported", actor=ops).exists()


def test_a_market_blocks_above_where_it_reviews(markets, ops):
    response = admin_as(ops).post(
        f"{ADMIN}marketrisksetting/add/",
        {"market": markets["de"].pk, "review_score": 80, "block_score": 60},
    )

    assert response.status_code == 200
    assert "block_score" in response.context["adminform"].form.errors
    assert not MarketRiskSetting.objects.exists()


def test_ops_list_a_reshipper_address_by_its_key(ops):
    client = admin_as(ops)

    added = client.post(
        f"{ADMIN}risklistentry/add/",
        {"kind": "reshipper_address", "value": "12 Forwarder Way | 97230 | US", "label": ""},
    )
    refused = client.post(
        f"{ADMIN}risklistentry/add/",
        {"kind": "disposable_domain", "value": "not a domain", "label": ""},
    )

    assert added.status_code == 302
    entry = RiskListEntry.objects.get(kind="reshipper_address")
    assert entry.value == address_key(
        {"line1": "12 forwarder way", "postal_code": "97230", "country": "US"}
    )
    assert "12 forwarder way" in entry.label
    assert refused.status_code == 200
    assert "value" in refused.context["adminform"].form.errors
    assert not RiskListEntry.objects.filter(value="not a domain").exists()

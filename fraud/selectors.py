"""Reads of the risk side: the rules in force and the fraud labels known at a moment."""

from datetime import datetime

from fraud.ml.rules import Rule
from fraud.models import FraudReport, ReviewDecision, RiskAssessment, RiskRule
from storefront.models import Chargeback

FRAUD_CHARGEBACK_REASON = "fraudulent"


def rules_active() -> list[Rule]:
    """The active rules, store-wide and every merchant's (the caller keeps those that apply)."""
    return [
        Rule(
            id=row["id"],
            name=row["name"],
            action=row["action"],
            conditions=tuple(row["conditions"]),
            market=row["market__code"],
            merchant_id=row["merchant_id"],
        )
        for row in RiskRule.objects.filter(is_active=True).values(
            "id", "name", "action", "conditions", "market__code", "merchant_id"
        )
    ]


def fraud_label_events(*, as_of: datetime | None = None) -> list[tuple[datetime, int, bool]]:
    """Every word on whether an order was fraud, (when, order id, fraud), oldest first:
    chargebacks for fraud, review outcomes and staff reports known at `as_of` (now: None)."""
    chargebacks = Chargeback.objects.filter(reason=FRAUD_CHARGEBACK_REASON)
    decisions = ReviewDecision.objects.exclude(outcome=ReviewDecision.Outcome.CANCELLED_OTHER)
    reports = FraudReport.objects.all()
    if as_of is not None:
        chargebacks = chargebacks.filter(received_at__lte=as_of)
        decisions = decisions.filter(created_at__lte=as_of)
        reports = reports.filter(created_at__lte=as_of)
    events = [(at, order, True) for order, at in chargebacks.values_list("order_id", "received_at")]
    events += [
        (at, order, outcome == ReviewDecision.Outcome.CANCELLED_FRAUD)
        for order, at, outcome in decisions.values_list("order_id", "created_at", "outcome")
    ]
    events += list(reports.values_list("created_at", "order_id", "is_fraud"))
    return sorted(events)


def fraud_labels_known(*, as_of: datetime | None = None) -> dict[int, bool]:
    """The fraud label of every labelled order as the store knew it at `as_of`, by order id:
    the latest word wins (a chargeback after an approval makes the order fraud). Unlabelled
    orders are absent."""
    return {order: is_fraud for _, order, is_fraud in fraud_label_events(as_of=as_of)}


def risk_assessment_get(*, order) -> RiskAssessment | None:
    return RiskAssessment.objects.filter(order=order).first()

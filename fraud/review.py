"""The review queue's writes: a held order is approved (captured) or cancelled (released), and
who decided what is recorded, as the audit log and as a training label; staff can also label an
order after the fact (a refund for fraud, a report from the card holder)."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction

from catalog.models import Merchant
from fraud.models import FraudReport, ReviewDecision, RiskAssessment
from storefront.errors import Conflict, InvalidInput, PermissionDenied
from storefront.models import Order
from storefront.services.orders import order_cancel, order_capture, order_event_add

Outcome = ReviewDecision.Outcome


def review_decide(
    *,
    order: Order,
    outcome: Outcome,
    actor: AbstractBaseUser | None,
    merchant: Merchant | None = None,
    note: str = "",
) -> ReviewDecision:
    """Approves (captures) or cancels (voids, releases the stock) an order on hold, and records
    the decision with the score it was held at.

    `merchant` is the deciding merchant for merchant staff (None for ops): a merchant decides
    only orders that hold their products alone (403 `not_merchants_order`). An order not on
    hold is refused (409 `not_on_hold`). When storefront refuses the capture (409; an expired
    authorization cancels the order), what storefront did stays and no decision is recorded."""
    outcome = _outcome_parse(outcome)
    _lengths_check(ReviewDecision, note=note)
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        _merchant_may_decide(order, merchant)
        if order.status != Order.Status.ON_HOLD:
            raise Conflict(
                f"Only orders on hold are reviewed; this one is {order.get_status_display()}.",
                code="not_on_hold",
            )
        reason = f"review: {outcome.label.lower()}"
        try:
            if outcome == Outcome.APPROVED:
                order = order_capture(order=order, actor=actor, reason=reason)
            else:
                order = order_cancel(order=order, actor=actor, reason=reason)
        except Conflict as error:
            refused = error
        else:
            score = (
                RiskAssessment.objects.filter(order=order).values_list("score", flat=True).first()
            )
            decision = ReviewDecision.objects.create(
                order=order, outcome=outcome, actor=actor, note=note, score=score
            )
            order_event_add(
                order=order,
                kind="review_decided",
                actor=actor,
                reason=outcome,
                data={"note": note, "score": score},
            )
            return decision
    # Raised once the transaction has committed: a capture is deliberately not all or nothing
    # (storefront cancels an order whose authorization expired, and that must stay).
    raise refused


@transaction.atomic
def fraud_report_add(
    *, order: Order, is_fraud: bool, source: str, actor: AbstractBaseUser | None, note: str = ""
) -> FraudReport:
    """Labels an order fraudulent (or legitimate) after the fact; logged on the order too."""
    source = source.strip()
    if not source:
        raise InvalidInput(
            code="invalid",
            details={"source": ["Say where this comes from: refund, card holder, manual, ..."]},
        )
    _lengths_check(FraudReport, source=source, note=note)
    report = FraudReport.objects.create(
        order=order, is_fraud=is_fraud, source=source, actor=actor, note=note
    )
    order_event_add(
        order=order,
        kind="fraud_reported",
        actor=actor,
        reason=source,
        data={"is_fraud": is_fraud, "note": note},
    )
    return report


def _outcome_parse(outcome: str) -> Outcome:
    try:
        return Outcome(outcome)
    except ValueError:
        raise InvalidInput(
            details={"outcome": [f"Choose one of {', '.join(Outcome.values)}."]}
        ) from None


def _lengths_check(model: type[models.Model], **values: str) -> None:
    too_long = {
        name: [f"At most {limit} characters."]
        for name, value in values.items()
        if len(value) > (limit := model._meta.get_field(name).max_length)
    }
    if too_long:
        raise InvalidInput(details=too_long)


def _merchant_may_decide(order: Order, merchant: Merchant | None) -> None:
    if merchant is None:
        return
    if set(order.lines.values_list("merchant_id", flat=True)) != {merchant.pk}:
        raise PermissionDenied(
            "A merchant decides only orders holding their products alone; the store's risk "
            "team decides orders shared with other merchants.",
            code="not_merchants_order",
        )

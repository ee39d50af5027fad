"""Risk scoring at checkout: features, rules and the model decide allow, review or block.

The store fails safe: when the model is missing, broken or slower than FRAUD_MODEL_TIMEOUT_MS,
the rules alone decide and an order above FRAUD_FAILSAFE_REVIEW_USD goes to review; nothing
here ever fails a checkout (storefront holds the order for review if this raises).
"""

import logging
import math
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction

from catalog.models import Merchant
from fraud.features import (
    RedisHistory,
    address_key,
    address_text,
    failed_attempt_record,
    history_get,
    order_record,
    risk_lists_get,
    signal_row,
    store_records,
)
from fraud.ml.features import LONGEST_WINDOW, PaymentRecord, features_compute
from fraud.ml.reasons import reason_message
from fraud.ml.rules import Rule, Verdict, decide, rules_matching
from fraud.models import (
    FraudReport,
    MarketRiskSetting,
    PaymentSignal,
    ReviewDecision,
    RiskAssessment,
    RiskListEntry,
    RiskRule,
)
from fraud.selectors import rules_active
from ml_models.capabilities import provenance
from ml_models.loader import predictor_get
from storefront.errors import Conflict, InvalidInput, PermissionDenied
from storefront.models import Order, PaymentAttempt
from storefront.services.checkout import CheckoutRequest, RiskDecision
from storefront.services.orders import order_cancel, order_capture, order_event_add

logger = logging.getLogger(__name__)

CAPABILITY = "fraud"
_scoring = ThreadPoolExecutor(max_workers=4, thread_name_prefix="risk-model")


@dataclass(frozen=True)
class Scored:
    score: int
    reasons: list[str]  # reason codes, strongest first
    thresholds: dict  # {"review": score, "block": score}


def score_of(probability: float) -> int:
    return round(100 * probability)


def threshold_scores(thresholds: dict) -> dict:
    """The model's probability thresholds as scores: the lowest score that crosses each."""
    return {
        name: min(101, math.ceil(100 * thresholds[name] - 1e-9)) for name in ("review", "block")
    }


def model_action(score: int, thresholds: dict) -> str:
    if score >= thresholds["block"]:
        return "block"
    if score >= thresholds["review"]:
        return "review"
    return "allow"


def model_score(predictor, features: dict) -> Scored:
    """The model's score, reason codes and thresholds for one order's features."""
    probability = predictor.probability(features)
    return Scored(
        score=score_of(probability),
        reasons=[code for code, _ in predictor.reasons(features)],
        thresholds=threshold_scores(predictor.thresholds),
    )


def _model_scored(predictor, features: dict) -> Scored | None:
    """The model's score within FRAUD_MODEL_TIMEOUT_MS, or None (slow or failing: the caller
    decides on rules alone)."""
    future = _scoring.submit(model_score, predictor, features)
    try:
        return future.result(timeout=settings.FRAUD_MODEL_TIMEOUT_MS / 1000)
    except FutureTimeout:
        logger.warning(
            "risk model slower than %s ms; rules alone decide", settings.FRAUD_MODEL_TIMEOUT_MS
        )
    except Exception:
        logger.exception("risk model failed; rules alone decide")
    return None


def _market_thresholds(market_id: int, thresholds: dict) -> dict:
    setting = MarketRiskSetting.objects.filter(market_id=market_id).first()
    if setting is None:
        return thresholds
    return {
        "review": thresholds["review"] if setting.review_score is None else setting.review_score,
        "block": thresholds["block"] if setting.block_score is None else setting.block_score,
    }


def _failsafe(verdict: Verdict, record: PaymentRecord) -> Verdict:
    """Without the model, an order the rules let through is reviewed above the value limit."""
    unruled_allow = verdict.action == "allow" and verdict.rule is None
    if unruled_allow and record.amount_usd >= settings.FRAUD_FAILSAFE_REVIEW_USD:
        return Verdict("review", None)
    return verdict


def _reasons(matched: list[Rule], scored: Scored | None, features: dict) -> list[dict]:
    reasons = [{"code": "rule", "message": rule.name} for rule in matched]
    if scored is not None:
        reasons += [
            {"code": code, "message": reason_message(code, features)} for code in scored.reasons
        ]
    return reasons


def order_assess(*, order: Order) -> RiskAssessment:
    """Scores an authorized order and stores the assessment; the caller acts on its decision."""
    started = time.perf_counter()
    record = order_record(order=order)
    history = history_get()
    features = features_compute(record, history.activity(record), risk_lists_get(record=record))
    merchants = frozenset(order.lines.values_list("merchant_id", flat=True))
    matched = rules_matching(rules_active(), features, market=record.market, merchant_ids=merchants)
    served = predictor_get(CAPABILITY)
    scored = _model_scored(served.predictor, features) if served.source == "model" else None
    if scored is None:
        verdict = _failsafe(decide(matched, None), record)
        decided_by = "failsafe"
        source = provenance(source="baseline:rules_only", model_version=None)
    else:
        thresholds = _market_thresholds(order.market_id, scored.thresholds)
        verdict = decide(matched, model_action(scored.score, thresholds))
        decided_by = "rule" if verdict.rule else "model"
        source = served.provenance
    with transaction.atomic():
        history.add(record)
        return RiskAssessment.objects.create(
            order=order,
            score=scored.score if scored else None,
            decision=verdict.action,
            decided_by=decided_by,
            rule_id=verdict.rule.id if verdict.rule else None,
            reasons=_reasons(matched, scored, features),
            features=features,
            provenance=source,
            milliseconds=round(1000 * (time.perf_counter() - started), 2),
        )


def risk_hook(*, order: Order) -> RiskDecision:
    """storefront's CHECKOUT_RISK_HOOK: the assessment as the checkout acts on it."""
    assessment = order_assess(order=order)
    return RiskDecision(
        assessment.decision,
        score=assessment.score,
        reasons=tuple(reason["message"] for reason in assessment.reasons),
        provenance=assessment.provenance,
    )


def payment_attempt_observe(*, attempt: PaymentAttempt, request: CheckoutRequest) -> None:
    """storefront's CHECKOUT_ATTEMPT_HOOK: a failed attempt counts toward card testing. An
    authorized one is counted when its order is assessed."""
    if attempt.outcome == "authorized":
        return
    record = failed_attempt_record(
        attempt=attempt, device=request.device_id, address=request.shipping_address
    )
    history_get().add(record)


def payment_signals_backfill() -> int:
    """Rebuilds the history of past attempts from the store's orders and payment attempts
    (after enabling risk scoring on a store with a past, or seeding the demo store): the
    signal table, and Redis's last week where Redis is configured. Idempotent."""
    records = store_records()
    history = history_get()
    with transaction.atomic():
        PaymentSignal.objects.all().delete()
        PaymentSignal.objects.bulk_create(map(signal_row, records), batch_size=5_000)
    if isinstance(history, RedisHistory):
        history.forget_all()
        if records:
            history.remember([r for r in records if r.at >= records[-1].at - LONGEST_WINDOW])
    return len(records)


def payment_history_export(*, path: Path) -> int:
    """The store's payment attempts in the CSV format `evaluate fraud --dataset csv:PATH` reads,
    labelled as the store knows them now (with when it learned each label)."""
    from fraud.capability import records_csv_write
    from fraud.selectors import fraud_label_events

    labels = {str(order): (fraud, at.timestamp()) for at, order, fraud in fraud_label_events()}
    return records_csv_write(path, store_records(), labels)


# --- Lists and rules -------------------------------------------------------------------------


def risk_list_add(*, kind: str, value: str, label: str = "") -> RiskListEntry:
    """Adds a disposable domain ("mailinator.com") or a reshipper address written as
    "line 1 | postal code | country" (or a dict with those keys)."""
    if kind == RiskListEntry.Kind.DISPOSABLE_DOMAIN:
        domain = value.strip().lower().lstrip("@")
        if "." not in domain or " " in domain:
            raise _invalid("value", "Give a domain such as mailinator.com.")
        entry, _ = RiskListEntry.objects.get_or_create(
            kind=kind, value=domain, defaults={"label": label}
        )
        return entry
    if kind == RiskListEntry.Kind.RESHIPPER_ADDRESS:
        address = value if isinstance(value, dict) else _address_parse(value)
        key = address_key(address)
        readable = label or address_text(
            line1=address["line1"], postal_code=address["postal_code"], country=address["country"]
        )
        entry, _ = RiskListEntry.objects.get_or_create(
            kind=kind, value=key, defaults={"label": readable}
        )
        return entry
    raise _invalid("kind", f"Unknown list {kind!r}.")


def _address_parse(value: str) -> dict:
    parts = [part.strip() for part in value.split("|")]
    if len(parts) != 3 or not parts[0] or len(parts[2]) != 2:
        raise _invalid("value", 'Write the address as "line 1 | postal code | country code".')
    return {"line1": parts[0], "postal_code": parts[1], "country": parts[2].upper()}


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, code="invalid_risk_list_entry", details={field: [message]})


def risk_rule_validate(*, rule: RiskRule) -> None:
    from fraud.ml.rules import condition_problems

    problems = condition_problems(rule.conditions)
    if problems:
        raise InvalidInput(problems[0], code="invalid_risk_rule", details={"conditions": problems})


# --- The review queue: a held order is approved (captured) or cancelled (released); who decided
# what is the audit log and a training label. Staff can also label an order after the fact.

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

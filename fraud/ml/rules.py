"""Rules: conditions on the features, and the precedence that turns matches into a decision.

Precedence, as in Stripe Radar: an allow rule wins, then block, then review. The model's
thresholds act as the built-in block and review rules, so a merchant's explicit allow rule can
let through an order the model would block, and any block rule stops one the model would allow.
A merchant's allow rule counts only for an order that holds that merchant's products alone: a
merchant cannot wave through another merchant's goods.
"""

import operator
from collections.abc import Iterable
from dataclasses import dataclass

from fraud.ml.features import CATEGORICAL, NUMERIC

ACTIONS = ("allow", "block", "review")  # in order of precedence
OPERATORS = {
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "in": lambda value, options: value in options,
    "not in": lambda value, options: value not in options,
}


@dataclass(frozen=True)
class Rule:
    id: int | None
    name: str
    action: str
    conditions: tuple[dict, ...]
    market: str | None = None  # market code; None: every market
    merchant_id: int | None = None  # None: a store-wide rule


@dataclass(frozen=True)
class Verdict:
    action: str
    rule: Rule | None  # None: the model (or nothing) decided


def condition_problems(conditions) -> list[str]:
    """What is wrong with a rule's conditions, for the admin form; empty when they are fine.
    A condition that could never hold (a number compared with text) is a problem too."""
    if not isinstance(conditions, list) or not conditions:
        return ["Give at least one condition: a list of {feature, op, value}."]
    problems = []
    for number, condition in enumerate(conditions, start=1):
        if not isinstance(condition, dict) or set(condition) != {"feature", "op", "value"}:
            problems.append(f"Condition {number}: give exactly feature, op and value.")
            continue
        problem = _condition_problem(condition["feature"], condition["op"], condition["value"])
        if problem:
            problems.append(f"Condition {number}: {problem}")
    return problems


def _condition_problem(feature: str, op: str, value) -> str | None:
    if feature not in NUMERIC and feature not in CATEGORICAL:
        return f"unknown feature {feature!r}."
    if op not in OPERATORS:
        return f"op must be one of {', '.join(OPERATORS)}."
    listed = op in ("in", "not in")
    if listed and not isinstance(value, list):
        return f"{op} needs a list of values."
    values = value if listed else [value]
    if feature in NUMERIC:
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            return f"{feature} is a number: compare it with numbers."
    elif op in ("<", "<=", ">", ">="):
        return f"{feature} is text: use ==, !=, in or not in."
    elif not all(isinstance(v, str) for v in values):
        return f"{feature} is text: compare it with text."
    return None


def rule_matches(rule: Rule, features: dict) -> bool:
    return all(_holds(condition, features) for condition in rule.conditions)


def _holds(condition: dict, features: dict) -> bool:
    value = features.get(condition["feature"])
    try:
        return bool(OPERATORS[condition["op"]](value, condition["value"]))
    except TypeError:  # a number compared with text: the condition does not hold
        return False


def rules_matching(
    rules: Iterable[Rule], features: dict, *, market: str, merchant_ids: frozenset[int]
) -> list[Rule]:
    """The rules that apply to this order (its market, its merchants) and hold."""
    return [
        rule
        for rule in rules
        if (rule.market is None or rule.market == market)
        and _applies_to_merchants(rule, merchant_ids)
        and rule_matches(rule, features)
    ]


def _applies_to_merchants(rule: Rule, merchant_ids: frozenset[int]) -> bool:
    if rule.merchant_id is None:
        return True
    if rule.action == "allow":
        return merchant_ids == {rule.merchant_id}
    return rule.merchant_id in merchant_ids


def decide(matched: Iterable[Rule], model_action: str | None) -> Verdict:
    """The decision from the matched rules and the model's thresholds: `model_action` is
    "block" or "review" when the score crossed one, anything else when it did not (or when no
    model is serving). The model's "allow" is no rule at all: it never overrides a block rule."""
    candidates = [(rule.action, rule) for rule in matched]
    if model_action in ("block", "review"):
        candidates.append((model_action, None))
    for action in ACTIONS:
        for candidate, rule in candidates:
            if candidate == action:
                return Verdict(action, rule)
    return Verdict("allow", None)


# The store's default rules: seeded into the database, edited by ops; `rules_only` scores them.
DEFAULT_RULES = (
    Rule(
        None,
        "Card testing: 3 or more failed payments from this IP address in the last hour",
        "block",
        ({"feature": "failed_ip_1h", "op": ">=", "value": 3},),
    ),
    Rule(
        None,
        "Card testing: 3 or more failed payments with this card in the last hour",
        "block",
        ({"feature": "failed_card_1h", "op": ">=", "value": 3},),
    ),
    Rule(
        None,
        "Card and connection both from other countries than the destination",
        "review",
        (
            {"feature": "card_shipping_mismatch", "op": "==", "value": 1},
            {"feature": "ip_shipping_mismatch", "op": "==", "value": 1},
        ),
    ),
    Rule(
        None,
        "Ships to a known reshipper (freight forwarder)",
        "review",
        ({"feature": "reshipper_address", "op": "==", "value": 1},),
    ),
    Rule(
        None,
        "Account less than a day old buying mostly electronics or gift cards",
        "review",
        (
            {"feature": "is_guest", "op": "==", "value": 0},
            {"feature": "account_age_days", "op": "<", "value": 1},
            {"feature": "risky_share", "op": ">=", "value": 0.5},
        ),
    ),
    Rule(
        None,
        "Two or more orders from this device in the last 24 hours",
        "review",
        ({"feature": "orders_device_24h", "op": ">=", "value": 2},),
    ),
    Rule(
        None,
        "Disposable email address",
        "review",
        ({"feature": "disposable_email", "op": "==", "value": 1},),
    ),
    Rule(
        None,
        "Order above 3,000 US dollars",
        "review",
        ({"feature": "amount_usd", "op": ">=", "value": 3000},),
    ),
)

"""Rules: conditions, who they apply to, and the precedence beside the model's thresholds."""

import pytest

from fraud.ml.rules import DEFAULT_RULES, Rule, condition_problems, decide, rules_matching

FEATURES = {"amount_usd": 1200.0, "market": "de", "ip_country": "NG", "failed_ip_1h": 0.0}


def rule(action: str, *conditions, market=None, merchant_id=None, name=None) -> Rule:
    return Rule(None, name or action, action, tuple(conditions), market, merchant_id)


BIG = {"feature": "amount_usd", "op": ">=", "value": 1000}
FROM_NIGERIA = {"feature": "ip_country", "op": "in", "value": ["NG", "GH"]}
SMALL = {"feature": "amount_usd", "op": "<", "value": 10}


def test_every_condition_must_hold():
    both = rule("review", BIG, FROM_NIGERIA)
    one_fails = rule("review", BIG, SMALL)

    matched = rules_matching([both, one_fails], FEATURES, market="de", merchant_ids=frozenset())

    assert matched == [both]


def test_a_rule_of_another_market_or_merchant_does_not_apply():
    french = rule("block", BIG, market="fr")
    other_merchant = rule("block", BIG, merchant_id=2)
    own_merchant = rule("block", BIG, merchant_id=1)

    matched = rules_matching(
        [french, other_merchant, own_merchant], FEATURES, market="de", merchant_ids=frozenset({1})
    )

    assert matched == [own_merchant]


def test_a_merchants_allow_rule_counts_only_for_orders_of_that_merchant_alone():
    allow = rule("allow", BIG, merchant_id=1)

    alone = rules_matching([allow], FEATURES, market="de", merchant_ids=frozenset({1}))
    shared = rules_matching([allow], FEATURES, market="de", merchant_ids=frozenset({1, 2}))

    assert (alone, shared) == ([allow], [])


@pytest.mark.parametrize(
    ("actions", "model", "decided"),
    [
        (["review", "block", "allow"], "block", "allow"),  # an allow rule wins over all
        (["review"], "block", "block"),  # the model's block beats a review rule
        (["block"], "allow", "block"),  # the model's allow never overrides a block rule
        (["review"], "allow", "review"),
        ([], "review", "review"),
        ([], "allow", "allow"),
        ([], None, "allow"),  # no model, no rule: allowed (the failsafe is the caller's)
    ],
)
def test_precedence_allow_then_block_then_review(actions, model, decided):
    matched = [rule(action) for action in actions]

    verdict = decide(matched, model)

    assert verdict.action == decided
    # A rule that decided is named; the model (or nothing) decided otherwise.
    assert verdict.rule == (rule(decided) if decided in actions else None)


def test_a_text_compared_with_a_number_does_not_hold():
    odd = rule("block", {"feature": "ip_country", "op": ">", "value": 3})

    assert rules_matching([odd], FEATURES, market="de", merchant_ids=frozenset()) == []


@pytest.mark.parametrize(
    ("condition", "problem"),
    [
        ({"feature": "shoe_size", "op": ">", "value": 1}, "unknown feature"),
        ({"feature": "amount_usd", "op": "~", "value": 1}, "op must be"),
        ({"feature": "ip_country", "op": "in", "value": "NG"}, "needs a list"),
        ({"feature": "amount_usd", "op": ">=", "value": "1000"}, "is a number"),
        ({"feature": "failed_ip_1h", "op": "==", "value": True}, "is a number"),
        ({"feature": "ip_country", "op": ">", "value": "NG"}, "is text"),
        ({"feature": "ip_country", "op": "in", "value": ["NG", 3]}, "is text"),
        ({"feature": "amount_usd"}, "exactly feature, op and value"),
    ],
)
def test_condition_problems_name_what_is_wrong(condition, problem):
    (found,) = condition_problems([BIG, condition])

    assert found.startswith("Condition 2:") and problem in found


def test_well_formed_conditions_have_no_problem():
    assert condition_problems([BIG, FROM_NIGERIA, SMALL]) == []
    assert condition_problems([])


def test_the_default_rules_are_well_formed():
    for default in DEFAULT_RULES:
        assert condition_problems(list(default.conditions)) == [], default.name

"""The risk metrics and thresholds on tiny examples worked out by hand."""

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from fraud.ml.metrics import (
    BLOCK_NOTHING,
    average_precision_interval,
    risk_metrics,
    thresholds_choose,
)
from ml_models.ml.metrics import average_precision


def _orders(n: int = 150):
    """n orders (150: the top 1% is ceil(1.5) = 2 orders). Three fraud orders worth 100, 300 and
    600 score 0.9 (tied with a legitimate order listed after it), 0.5 and 0.1."""
    probabilities = np.linspace(0.4, 0.0, n)
    labels = np.zeros(n, dtype=int)
    amounts = np.full(n, 50.0)
    for index, (score, amount) in enumerate(((0.9, 100.0), (0.5, 300.0), (0.1, 600.0))):
        probabilities[index * 2], labels[index * 2], amounts[index * 2] = score, 1, amount
    probabilities[1] = 0.9  # a legitimate order tied with the first fraud, after it
    return probabilities, labels, amounts


def test_recall_and_value_caught_in_the_top_one_percent():
    probabilities, labels, amounts = _orders()
    metrics = risk_metrics(
        probabilities=probabilities,
        labels=labels,
        amounts_usd=amounts,
        blocked=np.zeros(150, dtype=bool),
    )
    # Top 2: the fraud at 0.9 (first of the tie) and the legitimate one tied with it.
    assert metrics["recall@1pct_review"] == pytest.approx(round(1 / 3, 4))
    assert metrics["fraud_value_caught@1pct_review"] == pytest.approx(100 / 1000)
    assert metrics["fraud_value_blocked"] == 0
    assert metrics["false_decline_rate"] == 0


def test_ties_are_broken_by_order():
    # 100 orders: the top 1% is one order, the first of the two tied at 0.9.
    probabilities, labels, amounts = _orders(100)
    unblocked = np.zeros(100, dtype=bool)
    fraud_first = risk_metrics(
        probabilities=probabilities, labels=labels, amounts_usd=amounts, blocked=unblocked
    )
    swapped = [1, 0, *range(2, 100)]
    legitimate_first = risk_metrics(
        probabilities=probabilities[swapped],
        labels=labels[swapped],
        amounts_usd=amounts[swapped],
        blocked=unblocked,
    )
    assert fraud_first["recall@1pct_review"] == pytest.approx(round(1 / 3, 4))
    assert fraud_first["fraud_value_caught@1pct_review"] == pytest.approx(0.1)
    assert legitimate_first["recall@1pct_review"] == 0
    assert legitimate_first["fraud_value_caught@1pct_review"] == 0


def test_blocking_counts_fraud_value_and_legitimate_orders_declined():
    probabilities, labels, amounts = _orders()
    blocked = probabilities >= 0.5  # the frauds at 0.9 and 0.5, the legitimate one at 0.9
    metrics = risk_metrics(
        probabilities=probabilities, labels=labels, amounts_usd=amounts, blocked=blocked
    )
    assert metrics["fraud_value_blocked"] == pytest.approx(400 / 1000)
    assert metrics["false_decline_rate"] == pytest.approx(round(1 / 147, 4))


def test_ranking_metrics_agree_with_scikit_learn_and_are_rounded():
    rng = np.random.default_rng(0)
    labels = (rng.random(2_000) < 0.05).astype(int)
    probabilities = np.round(rng.random(2_000) * 0.5 + labels * 0.3, 2)  # with many ties
    metrics = risk_metrics(
        probabilities=probabilities,
        labels=labels,
        amounts_usd=np.ones(2_000),
        blocked=probabilities > 0.7,
    )
    assert metrics["pr_auc"] == round(average_precision_score(labels, probabilities), 4)
    assert metrics["roc_auc"] == round(roc_auc_score(labels, probabilities), 4)
    for name, value in metrics.items():
        for number in value if isinstance(value, list) else [value]:
            assert number == round(number, 4), name
    assert set(metrics) == {
        "pr_auc",
        "pr_auc_ci95",
        "roc_auc",
        "recall@1pct_review",
        "fraud_value_caught@1pct_review",
        "fraud_value_blocked",
        "false_decline_rate",
    }


def test_the_bootstrap_interval_contains_the_estimate_and_is_seeded():
    rng = np.random.default_rng(1)
    labels = (rng.random(3_000) < 0.02).astype(int)
    probabilities = rng.random(3_000) * 0.6 + labels * 0.3
    metrics = risk_metrics(
        probabilities=probabilities,
        labels=labels,
        amounts_usd=np.ones(3_000),
        blocked=np.zeros(3_000, dtype=bool),
    )
    low, high = metrics["pr_auc_ci95"]
    assert low < metrics["pr_auc"] < high
    assert high - low < 0.5
    again = average_precision_interval(labels, probabilities, resamples=500, seed=0)
    assert [round(value, 4) for value in again] == metrics["pr_auc_ci95"]


def test_a_weighted_resample_is_the_average_precision_of_the_resampled_orders():
    """The interval weights sorted orders by how often each was drawn instead of sorting each
    resample: the same number as average precision on the drawn orders themselves."""
    rng = np.random.default_rng(2)
    labels = (rng.random(300) < 0.1).astype(int)
    probabilities = np.round(rng.random(300) + labels * 0.3, 1)  # ties within and across copies
    drawn = np.random.default_rng(5).integers(0, 300, 300)
    direct = average_precision(labels[drawn], probabilities[drawn])

    # One resample, seed 5, done the interval's way: its interval is that single value.
    low, high = average_precision_interval(labels, probabilities, resamples=1, seed=5)
    assert low == pytest.approx(direct) and high == pytest.approx(direct)


def test_the_block_threshold_is_the_lowest_score_reaching_the_precision():
    # Cumulative precision by threshold: 1, 1, 2/3, 3/4, 3/5, 3/6.
    probabilities = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    labels = np.array([1, 1, 0, 1, 0, 0])

    assert thresholds_choose(probabilities, labels, precision=0.75)["block"] == 0.6
    assert thresholds_choose(probabilities, labels, precision=0.8)["block"] == 0.8
    chosen = thresholds_choose(probabilities, labels, precision=0.6)
    assert chosen["block"] == 0.5
    assert chosen["validation"]["block_precision"] == 0.6
    assert chosen["validation"]["block_recall"] == 1.0


def test_tied_scores_enter_the_precision_together():
    # At 0.8 the tie holds a fraud and a legitimate order: precision 2/3 there, not 1 then 2/3.
    probabilities = np.array([0.9, 0.8, 0.8, 0.1])
    labels = np.array([1, 1, 0, 0])
    assert thresholds_choose(probabilities, labels, precision=0.7)["block"] == 0.9


def test_nothing_is_blocked_when_no_score_reaches_the_precision():
    probabilities = np.array([0.9, 0.8, 0.7, 0.6])
    labels = np.array([0, 1, 0, 0])
    chosen = thresholds_choose(probabilities, labels, precision=0.8)
    assert chosen["block"] == BLOCK_NOTHING > 1
    assert chosen["validation"]["blocked_share"] == 0
    assert chosen["validation"]["block_precision"] is None
    assert chosen["review"] == 0.9  # the top 1% of 4 orders: one


def test_the_review_threshold_is_the_score_of_the_top_share_but_never_above_block():
    probabilities = np.linspace(1.0, 0.01, 100)
    labels = np.zeros(100, dtype=int)
    labels[:3] = 1  # the top 3 are fraud, so block is at the third
    chosen = thresholds_choose(probabilities, labels, precision=0.8, review_rate=0.05)
    assert chosen["block"] == probabilities[2]
    assert chosen["review"] == probabilities[4]  # 5 of 100
    assert chosen["validation"]["reviewed_share"] == 0.02
    capped = thresholds_choose(probabilities, labels, precision=0.8, review_rate=0.02)
    assert capped["review"] == capped["block"] == probabilities[2]


@pytest.mark.parametrize(("precision", "review_rate"), [(0, 0.01), (1.2, 0.01), (0.8, 0)])
def test_thresholds_refuse_impossible_targets(precision, review_rate):
    with pytest.raises(ValueError):
        thresholds_choose([0.5, 0.2], [1, 0], precision=precision, review_rate=review_rate)

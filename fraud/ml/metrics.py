"""How well a risk score serves the store, as EVALUATION.md defines it, and the thresholds that
turn a score into decisions.

The ranking metrics come from the platform (`ml_models.ml.metrics`), so every capability counts
them the same way; this module adds what is particular to fraud: value caught, value blocked, the
bootstrap interval of pr_auc, and the choice of the block and review thresholds, which the model
and its peers make with the same function so that they are compared at equal footing.
"""

import math
from fractions import Fraction

import numpy as np
from numpy.typing import ArrayLike

from ml_models.ml.metrics import (
    average_precision,
    false_decline_rate,
    recall_at_review_fraction,
    roc_auc,
)

REVIEW_FRACTION = 0.01  # the "1pct" of recall@1pct_review: the share of orders a team can review
# The block threshold when no score reaches the precision asked for: above every probability.
BLOCK_NOTHING = 1.01


def risk_metrics(
    *,
    probabilities: ArrayLike,
    labels: ArrayLike,
    amounts_usd: ArrayLike,
    blocked: ArrayLike,
    resamples: int = 500,
    seed: int = 0,
) -> dict:
    """The metrics of one system on the test orders, rounded to 4 decimals. `blocked` holds each
    order's decision under the thresholds the store would use (true: block)."""
    scores = np.asarray(probabilities, dtype=float)
    fraud = np.asarray(labels).astype(bool)
    amounts = np.asarray(amounts_usd, dtype=float)
    blocked = np.asarray(blocked).astype(bool)
    if not scores.shape == fraud.shape == amounts.shape == blocked.shape:
        raise ValueError("probabilities, labels, amounts_usd and blocked must have one length")
    fraud_value = float(amounts[fraud].sum())
    if fraud_value <= 0:
        raise ValueError("the fraud orders have no value: the value metrics are undefined")
    low, high = average_precision_interval(fraud, scores, resamples=resamples, seed=seed)
    metrics = {
        "pr_auc": average_precision(fraud, scores),
        "pr_auc_ci95": [low, high],
        "roc_auc": roc_auc(fraud, scores),
        "recall@1pct_review": recall_at_review_fraction(fraud, scores, fraction=REVIEW_FRACTION),
        "fraud_value_caught@1pct_review": recall_at_review_fraction(
            fraud, scores, fraction=REVIEW_FRACTION, weights=amounts
        ),
        "fraud_value_blocked": float(amounts[fraud & blocked].sum()) / fraud_value,
        "false_decline_rate": false_decline_rate(fraud, blocked),
    }
    return {
        name: [round(v, 4) for v in value] if isinstance(value, list) else round(value, 4)
        for name, value in metrics.items()
    }


def average_precision_interval(
    labels: ArrayLike, scores: ArrayLike, *, resamples: int = 500, seed: int = 0
) -> tuple[float, float]:
    """The 95% percentile bootstrap interval of average precision, resampling orders.

    The orders are sorted once; a resample is a count per order (how often it was drawn), and
    average precision over the sorted orders weighted by those counts is exactly that of the
    resampled orders (copies of an order tie, and ties enter together). Resamples without a
    fraud order, or with nothing else, have no average precision and are skipped."""
    fraud = np.asarray(labels).astype(bool)
    scores = np.asarray(scores, dtype=float)
    order = np.argsort(-scores, kind="stable")
    fraud_sorted = fraud[order]
    last_of_score = np.r_[scores[order][1:] != scores[order][:-1], True]
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(resamples):
        counts = np.bincount(rng.integers(0, len(scores), len(scores)), minlength=len(scores))
        counts = counts[order]
        caught = np.cumsum(counts * fraud_sorted)[last_of_score]
        flagged = np.cumsum(counts)[last_of_score]
        if caught[-1] == 0 or caught[-1] == flagged[-1]:
            continue
        precision = np.divide(caught, flagged, out=np.zeros(len(caught)), where=flagged > 0)
        recall = caught / caught[-1]
        values.append(float(np.sum(np.diff(recall, prepend=0.0) * precision)))
    if not values:
        raise ValueError("no resample holds both fraud and legitimate orders")
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def thresholds_choose(
    probabilities: ArrayLike,
    labels: ArrayLike,
    *,
    precision: float = 0.8,
    review_rate: float = REVIEW_FRACTION,
) -> dict:
    """The block and review thresholds, chosen on validation orders (never on the test ones).

    `block`: the lowest probability such that the orders scoring at least that much are fraud
    with at least `precision` (BLOCK_NOTHING when no threshold gets there). `review`: the score of
    the top `review_rate` of the orders (ceil(review_rate * n) orders), but never above `block`.
    An order is blocked when its probability >= block, reviewed when >= review. Thresholds are
    not rounded: rounding one moves decisions. `validation` tells what they did there."""
    if not 0 < precision <= 1:
        raise ValueError(f"precision must be in (0, 1], got {precision}")
    if not 0 < review_rate <= 1:
        raise ValueError(f"review_rate must be in (0, 1], got {review_rate}")
    scores = np.asarray(probabilities, dtype=float)
    fraud = np.asarray(labels).astype(bool)
    if scores.shape != fraud.shape or scores.ndim != 1 or len(scores) == 0:
        raise ValueError("probabilities and labels must be one-dimensional, of one length")
    order = np.argsort(-scores, kind="stable")
    ordered, fraud_sorted = scores[order], fraud[order]
    last_of_score = np.r_[ordered[1:] != ordered[:-1], True]
    caught = np.cumsum(fraud_sorted)[last_of_score]
    flagged = np.arange(1, len(scores) + 1)[last_of_score]
    reaching = np.flatnonzero(caught / flagged >= precision)
    block = float(ordered[last_of_score][reaching[-1]]) if reaching.size else BLOCK_NOTHING
    n_review = math.ceil(Fraction(str(review_rate)) * len(scores))
    review = min(float(ordered[n_review - 1]), block)

    blocked = scores >= block
    total_fraud = int(fraud.sum())
    return {
        "block": block,
        "review": review,
        "precision_target": precision,
        "review_rate": review_rate,
        "validation": {
            "orders": len(scores),
            "fraud_orders": total_fraud,
            "blocked_share": round(float(blocked.mean()), 4),
            "block_precision": round(float(fraud[blocked].mean()), 4) if blocked.any() else None,
            "block_recall": round(float(fraud[blocked].sum()) / total_fraud, 4)
            if total_fraud
            else None,
            "reviewed_share": round(float(((scores >= review) & ~blocked).mean()), 4),
        },
    }

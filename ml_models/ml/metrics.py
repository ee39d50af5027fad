"""Evaluation metrics shared by every capability, as the evaluation protocol defines them.

Pure numpy and the standard library: no Django, so benchmarks and notebooks can import it too.
Every metric returns a plain Python ``float`` (or ``None`` where the definition says so), never a
numpy scalar, so reports serialise to JSON as they are.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from fractions import Fraction

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "average_precision",
    "coverage_at_k",
    "false_decline_rate",
    "forecast_metrics",
    "interval_coverage",
    "latency_measure",
    "latency_percentiles",
    "mase",
    "ndcg_at_k",
    "ranking_metrics",
    "recall_at_k",
    "recall_at_review_fraction",
    "roc_auc",
    "smape",
]

SeriesTuple = tuple[ArrayLike, ArrayLike, ArrayLike, ArrayLike | None, ArrayLike | None]


# --- Ranking -------------------------------------------------------------------------------------


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")


def _users_with_relevant(
    recommended: Sequence[Sequence[Hashable]], relevant: Sequence[Collection[Hashable]]
) -> list[tuple[Sequence[Hashable], set[Hashable]]]:
    if len(recommended) != len(relevant):
        raise ValueError(
            f"recommended has {len(recommended)} users but relevant has {len(relevant)}"
        )
    pairs = [(top, set(rel)) for top, rel in zip(recommended, relevant, strict=True)]
    pairs = [(top, rel) for top, rel in pairs if rel]
    if not pairs:
        raise ValueError("no user has any relevant item: the metric is undefined")
    return pairs


def recall_at_k(
    recommended: Sequence[Sequence[Hashable]], relevant: Sequence[Collection[Hashable]], k: int
) -> float:
    """Mean over users of |top-k ∩ relevant| / min(|relevant|, k).

    Users whose relevant set is empty are skipped (not counted as 0). Relevant items that no model
    could rank (never seen in train) still count in the denominator: the function only counts what
    it is given. Duplicates in a top list count once.
    """
    _check_k(k)
    pairs = _users_with_relevant(recommended, relevant)
    values = [len(set(top[:k]) & rel) / min(len(rel), k) for top, rel in pairs]
    return math.fsum(values) / len(values)


def ndcg_at_k(
    recommended: Sequence[Sequence[Hashable]], relevant: Sequence[Collection[Hashable]], k: int
) -> float:
    """Mean over users of DCG@k / ideal DCG, binary relevance, DCG = sum 1/log2(rank + 1).

    The ideal DCG fills min(|relevant|, k) positions. Users whose relevant set is empty are
    skipped. A relevant item repeated in a top list gains only at its first position.
    """
    _check_k(k)
    pairs = _users_with_relevant(recommended, relevant)
    values = []
    for top, rel in pairs:
        hit: set[Hashable] = set()
        dcg = 0.0
        for rank, item in enumerate(top[:k], start=1):
            if item in rel and item not in hit:
                hit.add(item)
                dcg += 1.0 / math.log2(rank + 1)
        ideal = math.fsum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(rel), k) + 1))
        values.append(dcg / ideal)
    return math.fsum(values) / len(values)


def coverage_at_k(recommended: Sequence[Sequence[Hashable]], n_items: int, k: int) -> float:
    """Distinct items in all top-k lists / n_items (the items in train)."""
    _check_k(k)
    if n_items < 1:
        raise ValueError(f"n_items must be at least 1, got {n_items}")
    distinct = {item for top in recommended for item in top[:k]}
    return len(distinct) / n_items


def ranking_metrics(
    recommended: Sequence[Sequence[Hashable]],
    relevant: Sequence[Collection[Hashable]],
    *,
    n_items: int,
    ks: Sequence[int] = (10, 20),
) -> dict[str, float]:
    """recall@k and ndcg@k for each k in ks, and coverage@k at the largest k."""
    if not ks:
        raise ValueError("ks must name at least one cut-off")
    result: dict[str, float] = {}
    for k in ks:
        result[f"recall@{k}"] = recall_at_k(recommended, relevant, k)
        result[f"ndcg@{k}"] = ndcg_at_k(recommended, relevant, k)
    k_max = max(ks)
    result[f"coverage@{k_max}"] = coverage_at_k(recommended, n_items, k_max)
    return result


# --- Classification ------------------------------------------------------------------------------


def _labels_and_scores(y_true: ArrayLike, scores: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true)
    s = np.asarray(scores, dtype=float)
    if y.ndim != 1 or s.ndim != 1:
        raise ValueError("y_true and scores must be one-dimensional")
    if len(y) != len(s):
        raise ValueError(f"y_true has {len(y)} items but scores has {len(s)}")
    if len(y) == 0:
        raise ValueError("y_true and scores are empty")
    if not np.isin(y, (0, 1)).all():
        raise ValueError("y_true must hold only 0/1 labels")
    if np.isnan(s).any():
        raise ValueError("scores contain NaN")
    return y.astype(bool), s


def _require_both_classes(y: np.ndarray, metric: str) -> None:
    n_pos = int(y.sum())
    if n_pos == 0 or n_pos == len(y):
        only = "positive" if n_pos else "negative"
        raise ValueError(
            f"{metric} is undefined when only one class is present (all {len(y)} labels are {only})"
        )


def average_precision(y_true: ArrayLike, scores: ArrayLike) -> float:
    """Average precision (pr_auc): sum over thresholds of (R_n - R_{n-1}) * P_n.

    As in scikit-learn, the thresholds are the distinct score values, so items with tied scores
    enter together (no tie-breaking order can inflate or deflate the value).
    """
    y, s = _labels_and_scores(y_true, scores)
    _require_both_classes(y, "average_precision")
    order = np.argsort(s, kind="stable")[::-1]
    s, y = s[order], y[order]
    last_of_threshold = np.r_[s[1:] != s[:-1], True]
    tps = np.cumsum(y)[last_of_threshold]
    predicted = np.arange(1, len(y) + 1)[last_of_threshold]
    precision = tps / predicted
    recall = tps / tps[-1]
    return float(np.sum(np.diff(recall, prepend=0.0) * precision))


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks in ascending order; tied values all get the mean of their ranks."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts_group = np.r_[True, ordered[1:] != ordered[:-1]]
    group = np.cumsum(starts_group) - 1
    starts = np.flatnonzero(starts_group)
    ends = np.r_[starts[1:], len(values)]
    ranks = np.empty(len(values), dtype=float)
    ranks[order] = ((starts + 1 + ends) / 2.0)[group]
    return ranks


def roc_auc(y_true: ArrayLike, scores: ArrayLike) -> float:
    """Area under the ROC curve as the Mann-Whitney U / (P * N), average ranks for ties."""
    y, s = _labels_and_scores(y_true, scores)
    _require_both_classes(y, "roc_auc")
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    rank_sum = float(_average_ranks(s)[y].sum())
    u = rank_sum - n_pos * (n_pos + 1) / 2.0
    return u / (n_pos * n_neg)


def recall_at_review_fraction(
    y_true: ArrayLike,
    scores: ArrayLike,
    *,
    fraction: float = 0.01,
    weights: ArrayLike | None = None,
) -> float:
    """Share of positives (or of positive weight) among the top ceil(fraction * n) by score.

    Ties in score are broken by original order: the earlier item is reviewed first. The cut-off
    is computed on the decimal value of ``fraction`` (0.07 of 100 is 7, not 8 from float
    round-off). With ``weights`` (e.g. order value) the result is the positive weight reviewed /
    all positive weight.
    """
    y, s = _labels_and_scores(y_true, scores)
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    if weights is None:
        w = np.ones(len(y), dtype=float)
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != y.shape:
            raise ValueError(f"weights has shape {w.shape} but y_true has {y.shape}")
        if np.isnan(w).any() or (w < 0).any():
            raise ValueError("weights must be non-negative numbers")
    total = float(w[y].sum())
    if total == 0:
        raise ValueError("there is no positive (or no positive weight): recall is undefined")
    n_review = math.ceil(Fraction(str(fraction)) * len(y))
    reviewed = np.argsort(-s, kind="stable")[:n_review]
    caught = float(w[reviewed][y[reviewed]].sum())
    return caught / total


def false_decline_rate(y_true: ArrayLike, blocked: ArrayLike) -> float:
    """Legitimate items (y = 0) that are blocked / all legitimate items."""
    y = np.asarray(y_true)
    b = np.asarray(blocked)
    if y.shape != b.shape or y.ndim != 1:
        raise ValueError("y_true and blocked must be one-dimensional and of the same length")
    if not np.isin(y, (0, 1)).all():
        raise ValueError("y_true must hold only 0/1 labels")
    legit = y == 0
    n_legit = int(legit.sum())
    if n_legit == 0:
        raise ValueError("there is no legitimate item: false_decline_rate is undefined")
    return int((b.astype(bool) & legit).sum()) / n_legit


# --- Forecasting ---------------------------------------------------------------------------------


def _pair(actual: ArrayLike, forecast: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(actual, dtype=float)
    f = np.asarray(forecast, dtype=float)
    if a.ndim != 1 or a.shape != f.shape:
        raise ValueError(f"actual {a.shape} and forecast {f.shape} must be 1-d of equal length")
    if len(a) == 0:
        raise ValueError("actual and forecast are empty")
    return a, f


def mase(
    *, history: ArrayLike, actual: ArrayLike, forecast: ArrayLike, season: int
) -> float | None:
    """MAE(actual, forecast) / in-sample MAE of the seasonal naive forecast on history.

    The naive period is ``season``, or 1 if the history is shorter than 2 * season. Returns None
    when that scale is 0 (constant history), so that the caller reports such series apart.
    """
    if season < 1:
        raise ValueError(f"season must be at least 1, got {season}")
    a, f = _pair(actual, forecast)
    h = np.asarray(history, dtype=float)
    if h.ndim != 1 or len(h) < 2:
        raise ValueError("history must be 1-d with at least 2 points")
    period = season if len(h) >= 2 * season else 1
    scale = float(np.mean(np.abs(h[period:] - h[:-period])))
    if scale == 0:
        return None
    return float(np.mean(np.abs(a - f))) / scale


def smape(actual: ArrayLike, forecast: ArrayLike) -> float:
    """Mean over points of 200 * |y - f| / (|y| + |f|); a point where both are 0 counts 0."""
    a, f = _pair(actual, forecast)
    denominator = np.abs(a) + np.abs(f)
    terms = np.divide(
        200.0 * np.abs(a - f), denominator, out=np.zeros_like(a), where=denominator != 0
    )
    return float(np.mean(terms))


def interval_coverage(actual: ArrayLike, lower: ArrayLike, upper: ArrayLike) -> float:
    """Share of points with lower <= y <= upper (both bounds inclusive)."""
    a = np.asarray(actual, dtype=float)
    lo = np.asarray(lower, dtype=float)
    hi = np.asarray(upper, dtype=float)
    if a.ndim != 1 or a.shape != lo.shape or a.shape != hi.shape:
        raise ValueError("actual, lower and upper must be 1-d of equal length")
    if len(a) == 0:
        raise ValueError("actual is empty")
    return float(np.mean((lo <= a) & (a <= hi)))


def forecast_metrics(
    series: Iterable[SeriesTuple], *, season: int
) -> dict[str, float | int | None]:
    """Means over series of mase (nonzero scale only), smape and coverage@80, plus counts.

    Each item is (history, actual, forecast, lower, upper). ``mase`` is None when every series has
    a constant history. lower/upper are None for a system without intervals; coverage@80 is then
    left out, and mixing series with and without intervals is an error.
    """
    mases: list[float] = []
    smapes: list[float] = []
    coverages: list[float] = []
    n_series = 0
    n_constant = 0
    n_without_interval = 0
    for history, actual, forecast, lower, upper in series:
        n_series += 1
        value = mase(history=history, actual=actual, forecast=forecast, season=season)
        if value is None:
            n_constant += 1
        else:
            mases.append(value)
        smapes.append(smape(actual, forecast))
        if lower is None and upper is None:
            n_without_interval += 1
        elif lower is None or upper is None:
            raise ValueError(f"series {n_series - 1} has only one interval bound")
        else:
            coverages.append(interval_coverage(actual, lower, upper))
    if n_series == 0:
        raise ValueError("no series to evaluate")
    if 0 < n_without_interval < n_series:
        raise ValueError(
            f"{n_without_interval} of {n_series} series have no interval: give all or none"
        )
    result: dict[str, float | int | None] = {
        "mase": math.fsum(mases) / len(mases) if mases else None,
        "smape": math.fsum(smapes) / len(smapes),
    }
    if coverages:
        result["coverage@80"] = math.fsum(coverages) / len(coverages)
    result["series"] = n_series
    result["series_constant_history"] = n_constant
    return result


# --- Latency -------------------------------------------------------------------------------------


def latency_percentiles(seconds: Sequence[float]) -> dict[str, float]:
    """p50, p95 and p99 of durations in seconds, in milliseconds (linear interpolation, 3 dp)."""
    values = np.asarray(seconds, dtype=float)
    if values.size == 0:
        raise ValueError("no latency to summarise")
    p50, p95, p99 = np.percentile(values * 1000.0, [50, 95, 99], method="linear")
    return {
        "p50_ms": round(float(p50), 3),
        "p95_ms": round(float(p95), 3),
        "p99_ms": round(float(p99), 3),
    }


def latency_measure(
    call: Callable[[object], object],
    inputs: Sequence[object],
    *,
    warmup: int = 50,
    calls: int = 1000,
) -> dict[str, float]:
    """Time ``calls`` calls one by one after ``warmup`` untimed ones; percentiles plus "calls".

    Both phases cycle through ``inputs`` from its first element: warm-up call i gets
    inputs[i % len(inputs)], and so does timed call i. Return values are discarded.
    """
    if not inputs:
        raise ValueError("inputs is empty")
    if warmup < 0:
        raise ValueError(f"warmup must be at least 0, got {warmup}")
    if calls < 1:
        raise ValueError(f"calls must be at least 1, got {calls}")
    n_inputs = len(inputs)
    for i in range(warmup):
        call(inputs[i % n_inputs])
    durations = []
    for i in range(calls):
        item = inputs[i % n_inputs]
        start = time.perf_counter()
        call(item)
        durations.append(time.perf_counter() - start)
    return {**latency_percentiles(durations), "calls": calls}

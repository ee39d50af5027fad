"""Ranking, evaluation, tuning and benchmarking of recommenders under the evaluation protocol.

Every system is scored the same way: full ranking over the items seen in train, the user's own
train items removed, ties broken by item index, metrics from ml_models.ml.metrics. No Django here,
so the management command, the training jobs and notebooks share it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np

from ml_models.ml.metrics import ranking_metrics
from recommendations.ml.interactions import Interactions, Split, validation_split

Params = dict[str, Any]

DEFAULT_BATCH_SIZE = 256


class Recommender(Protocol):
    """What the harness needs of a system: fit on train, then score every train item."""

    name: str

    def fit(self, train: Interactions) -> None: ...

    def scores(self, users: np.ndarray) -> np.ndarray:
        """float32 (len(users), train.n_items), higher is better, from each user's training
        history as seen in fit."""
        ...


Factory = Callable[[Params], Recommender]


def top_k(
    recommender: Recommender,
    train: Interactions,
    users: np.ndarray,
    k: int,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> np.ndarray:
    """The k best items per user (int64, shape (len(users), k)), best first.

    Users are scored ``batch_size`` at a time so memory stays at batch x items whatever the
    number of users. A user's train items are never recommended; when fewer than k other items
    exist, the list is padded with -1.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    users = np.asarray(users, dtype=np.int64)
    history = train.matrix(binary=True)
    result = np.full((len(users), k), -1, dtype=np.int64)
    for start in range(0, len(users), batch_size):
        batch = users[start : start + batch_size]
        scores = np.array(recommender.scores(batch), dtype=np.float32)
        if scores.shape != (len(batch), train.n_items):
            raise ValueError(
                f"{recommender.name} returned scores of shape {scores.shape}, "
                f"expected {(len(batch), train.n_items)}"
            )
        if np.isnan(scores).any():
            raise ValueError(f"{recommender.name} returned NaN scores")
        rows, items = history[batch].nonzero()
        scores[rows, items] = -np.inf
        best = _best_items(scores, min(k, train.n_items))
        result[start : start + len(batch), : best.shape[1]] = best
    return result


def _best_items(scores: np.ndarray, k: int) -> np.ndarray:
    """Row-wise top k in O(items) per row (partition, not a full sort), ties broken by the lower
    item index so that results never depend on the sort algorithm or the batch. Masked (-inf)
    items come back as -1."""
    n_rows, n_items = scores.shape
    threshold = np.partition(scores, n_items - k, axis=1)[:, n_items - k, None]
    above = scores > threshold
    tied = scores == threshold
    free_slots = k - above.sum(axis=1, keepdims=True)
    chosen = above | (tied & (np.cumsum(tied, axis=1) <= free_slots))
    items = np.nonzero(chosen)[1].reshape(n_rows, k)
    values = np.take_along_axis(scores, items, axis=1)
    order = np.argsort(-values, axis=1, kind="stable")
    best = np.take_along_axis(items, order, axis=1)
    best[np.take_along_axis(values, order, axis=1) == -np.inf] = -1
    return best


def evaluate_recommender(
    recommender: Recommender,
    split: Split,
    *,
    ks: Sequence[int] = (10, 20),
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> dict[str, float | int]:
    """recall@k and ndcg@k for each k, coverage@max(ks), and the number of test users, for a
    recommender already fitted on ``split.train``."""
    if not len(split.test_users):
        raise ValueError(
            f"no test users: a user needs {split.min_interactions} interactions to be held out"
        )
    recommended = top_k(recommender, split.train, split.test_users, max(ks), batch_size=batch_size)
    lists = [row[row >= 0].tolist() for row in recommended]
    relevant = [items.tolist() for items in split.test]
    metrics: dict[str, float | int] = dict(
        ranking_metrics(lists, relevant, n_items=split.train.n_items, ks=ks)
    )
    metrics["test_users"] = len(split.test_users)
    return metrics


def tune(
    factory: Factory,
    grid: Sequence[Params],
    split: Split,
    *,
    metric: str = "recall@20",
    ks: Sequence[int] = (10, 20),
) -> tuple[Params, int, list[tuple[Params, dict[str, float | int]]]]:
    """Grid search on the validation split carved from ``split.train``: never on the test split.

    Returns the best configuration by ``metric`` (the first one on ties), the number of
    configurations tried, and every configuration with its validation metrics. The caller refits
    the chosen configuration on all of train.
    """
    if not grid:
        raise ValueError("the grid is empty")
    validation = validation_split(split)
    if not len(validation.test_users):  # too little history to validate on: nothing to tune
        return grid[0], 1, []
    scored: list[tuple[Params, dict[str, float | int]]] = []
    for params in grid:
        recommender = factory(params)
        recommender.fit(validation.train)
        metrics = evaluate_recommender(recommender, validation, ks=ks)
        if metric not in metrics:
            raise ValueError(f"{metric!r} is not among the metrics {sorted(metrics)}")
        scored.append((params, metrics))
    best_params, _ = max(scored, key=lambda trial: trial[1][metric])
    return best_params, len(scored), scored


def benchmark(
    split: Split,
    systems: Mapping[str, tuple[Factory, Sequence[Params]]],
    *,
    metric: str = "recall@20",
    ks: Sequence[int] = (10, 20),
) -> dict[str, dict[str, Any]]:
    """Every system on the same split: tuned on validation when its grid has more than one
    configuration, refitted on all of train, evaluated on test. Per system: its metrics, the
    number of configurations tried, the chosen configuration, and the seconds spent tuning and
    fitting (not evaluating)."""
    results: dict[str, dict[str, Any]] = {}
    for name, (factory, grid) in systems.items():
        started = time.perf_counter()
        if len(grid) > 1:
            params, trials, _ = tune(factory, grid, split, metric=metric, ks=ks)
        elif grid:
            params, trials = grid[0], 1
        else:
            raise ValueError(f"system {name!r} has an empty grid")
        recommender = factory(params)
        recommender.fit(split.train)
        seconds = time.perf_counter() - started
        metrics = evaluate_recommender(recommender, split, ks=ks)
        results[name] = {
            **metrics,
            "trials": trials,
            "params": params,
            "seconds": round(seconds, 3),
        }
    return results

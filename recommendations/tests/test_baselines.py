"""The three baselines of the protocol on data small enough to know the right answer."""

from __future__ import annotations

import numpy as np
import pytest

from recommendations.ml.baselines import (
    ALS_GRID,
    ImplicitALS,
    ItemKNN,
    Popularity,
    baseline_systems,
)
from recommendations.ml.interactions import Interactions
from recommendations.ml.protocol import top_k


def matrix_log(history: np.ndarray, repeats: np.ndarray | None = None) -> Interactions:
    """A log with one row per nonzero cell, repeated ``repeats[u, i]`` times if given."""
    counts = history.astype(np.int64) if repeats is None else repeats
    users, items = np.nonzero(counts)
    times = np.arange(counts.sum())
    return Interactions(
        users=np.repeat(users, counts[users, items]).astype(np.int64),
        items=np.repeat(items, counts[users, items]).astype(np.int64),
        times=times,
        weights=np.ones(len(times), dtype=np.float32),
        user_ids=np.arange(history.shape[0]),
        item_ids=np.arange(history.shape[1]),
    )


def test_popularity_counts_rows_and_ties_go_to_the_lower_index():
    repeats = np.array([[2, 1, 0, 0, 1], [0, 1, 1, 0, 0], [0, 1, 2, 1, 0]])
    train = matrix_log(repeats > 0, repeats)
    popularity = Popularity()
    popularity.fit(train)
    assert popularity.scores(np.array([0, 2])).tolist() == [[2, 3, 3, 1, 1]] * 2
    assert top_k(popularity, train, np.array([0, 1]), 2).tolist() == [[2, 3], [0, 3]]


def test_item_knn_recommends_the_most_co_consumed_item():
    # Items A, B, C. A is in everyone's history, B with A twice, C with A once.
    history = np.array([[1, 1, 0], [1, 1, 0], [1, 0, 1], [1, 0, 0]])
    knn = ItemKNN()
    knn.fit(matrix_log(history))
    # cos(A, B) = 2 / (2 * sqrt 2), cos(A, C) = 1 / (2 * 1), cos(B, C) = 0, diagonal zeroed.
    ab, ac = 2 / (2 * np.sqrt(2)), 0.5
    assert knn.scores(np.array([3])) == pytest.approx(np.array([[0, ab, ac]]))
    assert knn.scores(np.array([0])) == pytest.approx(np.array([[ab, ab, ac]]))
    assert top_k(knn, matrix_log(history), np.array([3]), 2).tolist() == [[1, 2]]


def test_item_knn_equals_history_times_the_dense_cosine_matrix():
    rng = np.random.default_rng(1)
    history = (rng.random((30, 12)) < 0.35).astype(np.float64)
    history[0] = 1  # every item seen at least once
    norms = np.sqrt(history.sum(axis=0))
    similarity = history.T @ history / np.outer(norms, norms)
    np.fill_diagonal(similarity, 0)
    knn = ItemKNN()
    knn.fit(matrix_log(history > 0))
    users = np.array([3, 0, 17])
    scores = knn.scores(users)
    assert scores.dtype == np.float32
    assert scores == pytest.approx(history[users] @ similarity, abs=1e-5)


def test_implicit_als_recommends_the_item_of_the_users_block():
    # Users 0-9 consume items 0-4, users 10-19 items 5-9; user 0 has not yet seen item 4.
    history = np.zeros((20, 10), dtype=bool)
    history[:10, :5] = True
    history[10:, 5:] = True
    history[0, 4] = False
    train = matrix_log(history)
    als = ImplicitALS(factors=4, regularization=0.1, alpha=10.0, threads=1)
    als.fit(train)
    scores = als.scores(np.array([0, 1]))
    assert scores.shape == (2, 10)
    assert scores.dtype == np.float32
    assert top_k(als, train, np.array([0]), 1).tolist() == [[4]]
    again = ImplicitALS(factors=4, regularization=0.1, alpha=10.0, threads=1)
    again.fit(train)
    assert np.array_equal(again.scores(np.array([0, 1])), scores)


def test_scores_before_fit_is_an_error():
    for recommender in (Popularity(), ItemKNN(), ImplicitALS(8, 0.1, 1.0)):
        with pytest.raises(RuntimeError, match="call fit"):
            recommender.scores(np.array([0]))


def test_the_als_grid_is_the_protocols():
    assert len(ALS_GRID) == 18
    assert {p["factors"] for p in ALS_GRID} == {32, 64, 128}
    assert {p["regularization"] for p in ALS_GRID} == {0.01, 0.1, 1.0}
    assert {p["alpha"] for p in ALS_GRID} == {1.0, 10.0}
    assert len({tuple(sorted(p.items())) for p in ALS_GRID}) == 18


def test_baseline_systems_build_each_baseline_with_its_grid():
    systems = baseline_systems(threads=2)
    assert list(systems) == ["popularity", "item_knn", "implicit_als"]
    for name, (factory, grid) in systems.items():
        recommender = factory(grid[0])
        assert recommender.name == name
    _, als_grid = systems["implicit_als"]
    assert als_grid == ALS_GRID
    als = systems["implicit_als"][0](ALS_GRID[0])
    assert als.params["num_threads"] == 2
    assert als.params["iterations"] == 20


def test_market_popularity_ranks_by_the_users_own_market():
    from recommendations.ml.baselines import MarketPopularity

    # users 0 and 1 shop in market 0, where item a is popular; user 2 in market 1, item b.
    train = Interactions.from_columns(
        ["u0", "u1", "u1", "u2", "u2"], ["a", "a", "b", "b", "c"], [0, 0, 1, 0, 1]
    )
    recommender = MarketPopularity(np.array([0, 0, 1]))
    recommender.fit(train)

    scores = recommender.scores(np.array([0, 2]))

    np.testing.assert_array_equal(scores, [[2, 1, 0], [0, 1, 1]])

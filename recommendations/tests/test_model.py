"""The recommender model learns what comes next, and serves it with numpy."""

import numpy as np
import pytest

from recommendations.ml.interactions import Interactions
from recommendations.ml.model import (
    HistoryRecommender,
    ModelConfig,
    history_rows,
    model_train,
    training_pairs,
    user_sequences,
)
from recommendations.ml.predictor import PredictorOnSplit, RecommenderPredictor

TINY = ModelConfig(dim=16, epochs=40, dropout=0.0, learning_rate=0.02, batch_size=16)


def chains(users: int = 60) -> Interactions:
    """Every user walks a chain: a -> b -> c -> d (two chains, users alternate); the next item is
    always determined by the last one."""
    walks = [["a", "b", "c", "d"], ["w", "x", "y", "z"]]
    rows = [
        (f"u{user}", item, step)
        for user in range(users)
        for step, item in enumerate(walks[user % 2][: 2 + user % 3])
    ]
    user_ids, item_ids, times = zip(*rows, strict=True)
    return Interactions.from_columns(user_ids, item_ids, times)


def index(interactions: Interactions, item: str) -> int:
    return int(np.flatnonzero(interactions.item_ids == item)[0])


def test_history_rows_weight_recent_and_heavier_events_more_and_are_normalized():
    rows = history_rows(
        [(np.array([0, 1, 0]), np.array([1.0, 1.0, 5.0], np.float32))], n_items=3, decay=0.5
    )

    # item 0: 1 x 0.25 (two steps back) + 5 x 1 (the last) = 5.25; item 1: 1 x 0.5 = 0.5
    expected = np.array([5.25, 0.5, 0.0]) / np.hypot(5.25, 0.5)
    np.testing.assert_allclose(rows.toarray()[0], expected, rtol=1e-6)


def test_training_pairs_cut_each_history_and_take_what_follows():
    sequence = (np.arange(10), np.ones(10, np.float32))

    too_short = (np.arange(1), np.ones(1, np.float32))
    config = ModelConfig(cut_fractions=(0.5,), horizon=0.2)

    histories, futures, owners = training_pairs([too_short, sequence], config)

    assert histories[0][0].tolist() == [0, 1, 2, 3, 4]
    assert futures[0][0].tolist() == [5, 6]  # ceil(0.2 x 10) = 2 items after the cut
    assert owners.tolist() == [1]


def test_the_model_learns_what_comes_next_and_scores_without_keras(tmp_path):
    interactions = chains()

    model = model_train(interactions, TINY)
    predictor = RecommenderPredictor(
        model, interactions.item_ids, np.array([0]), {"trials": 1, "params": {}}
    )
    predictor.save(tmp_path)
    served = RecommenderPredictor.load(tmp_path)

    for last, following in (("a", "b"), ("b", "c"), ("w", "x"), ("x", "y")):
        history = history_rows(
            [(np.array([index(interactions, last)]), np.ones(1, np.float32))],
            n_items=interactions.n_items,
            decay=TINY.decay,
        )
        scores = served.model.scores(history)[0]
        scores[index(interactions, last)] = -np.inf
        assert interactions.item_ids[int(np.argmax(scores))] == following
    assert served.model.item_vectors().shape == (8, TINY.dim + 1)
    assert isinstance(served.model, HistoryRecommender) and served.training["trials"] == 1


def test_a_model_is_scored_on_another_window_by_item_id():
    trained_on = chains()
    predictor = RecommenderPredictor(
        model_train(trained_on, TINY), trained_on.item_ids, np.array([0]), {"trials": 1}
    )
    # A later window: a new item "n" the model never saw, and items in another index order.
    later = Interactions.from_columns(["v1", "v1", "v2"], ["a", "n", "w"], [0, 1, 0])

    on_split = PredictorOnSplit(predictor)
    on_split.fit(later)
    scores = on_split.scores(np.array([0, 1]))

    assert scores.shape == (2, 3)
    new_item = index(later, "n")
    assert (scores[:, new_item] == np.finfo(np.float32).min).all()  # unknown: ranked last
    assert scores[1, index(later, "a")] != scores[0, index(later, "a")]  # from each history


def test_the_same_history_leads_elsewhere_in_another_market():
    # Shoppers in market 7 go from "a" to "b", those in market 9 from "a" to "c".
    rows = [(f"u{user}", item, step) for user in range(40) for step, item in enumerate("ab")]
    rows += [(f"v{user}", item, step) for user in range(40) for step, item in enumerate("ac")]
    interactions = Interactions.from_columns(*zip(*rows, strict=True))
    markets = np.array([0 if user.startswith("u") else 1 for user in interactions.user_ids])

    predictor = RecommenderPredictor(
        model_train(interactions, TINY, markets=markets), interactions.item_ids, np.array([7, 9])
    )

    def best(market_id):
        [(item, _score)] = predictor.recommend(["a"], [1.0], market_id=market_id, count=1)
        return item

    assert (best(7), best(9)) == ("b", "c")
    # A market the model never saw gets the markets' average, and still a recommendation.
    assert best(8) in {"b", "c"}
    assert predictor.market_positions([9, 8, 7]).tolist() == [1, -1, 0]


def test_training_refuses_a_log_where_nobody_has_two_interactions():
    with pytest.raises(ValueError, match="no user has two interactions"):
        model_train(Interactions.from_columns(["u1", "u2"], ["a", "b"], [0, 0]), TINY)


def test_user_sequences_follow_time_then_item_order():
    interactions = Interactions.from_columns(["u", "u", "u"], ["c", "a", "b"], [5, 1, 1])

    [(items, _weights)] = user_sequences(interactions)

    assert interactions.item_ids[items].tolist() == ["a", "b", "c"]


def test_training_stops_after_the_step_budget_whatever_the_epochs():
    reports = []

    model_train(
        chains(),
        ModelConfig(dim=8, epochs=50, batch_size=16, max_steps=30),
        report=lambda fraction, message: reports.append(message),
    )

    # 60 users make 108 (history, next) pairs: 7 batches an epoch, so 30 steps allow 4 epochs.
    assert len(reports) == 4 and reports[-1].startswith("epoch 4/4")


def test_a_version_trained_before_markets_were_an_input_still_loads_and_serves(tmp_path):
    interactions = chains()
    model = model_train(interactions, TINY)
    RecommenderPredictor(model, interactions.item_ids, np.array([0])).save(tmp_path)
    # What such a version's directory held: no market weights, no market ids.
    (tmp_path / "markets.npy").unlink()
    with np.load(tmp_path / "model.npz") as arrays:
        weights = {name: array for name, array in arrays.items() if name != "market_kernel"}
    np.savez(tmp_path / "model.npz", **weights)

    served = RecommenderPredictor.load(tmp_path)

    [(item, _score)] = served.recommend(["a"], [1.0], market_id=3, count=1)
    assert item == "b"

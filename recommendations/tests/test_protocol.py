"""The interaction log, the temporal split, ranking and tuning, on logs small enough to check by
hand. The MovieLens figures of EVALUATION.md are a benchmark run, not a unit test."""

from __future__ import annotations

import numpy as np
import pytest

from recommendations.ml.baselines import Popularity
from recommendations.ml.interactions import (
    Interactions,
    Split,
    csv_load,
    temporal_split,
    validation_split,
)
from recommendations.ml.protocol import benchmark, evaluate_recommender, top_k, tune


class FixedScores:
    """Scores every user with the same vector over the train items."""

    name = "fixed"

    def __init__(self, item_scores: list[float]) -> None:
        self.item_scores = np.asarray(item_scores, dtype=np.float32)

    def fit(self, train: Interactions) -> None:
        assert train.n_items == len(self.item_scores)

    def scores(self, users: np.ndarray) -> np.ndarray:
        return np.tile(self.item_scores, (len(users), 1))


class Favourite:
    """Puts one item (by original id) first for everybody; 0 for the rest."""

    name = "favourite"

    def __init__(self, item_id: str) -> None:
        self.item_id = item_id
        self._scores = np.zeros(0, dtype=np.float32)

    def fit(self, train: Interactions) -> None:
        self._scores = (train.item_ids == self.item_id).astype(np.float32)

    def scores(self, users: np.ndarray) -> np.ndarray:
        return np.tile(self._scores, (len(users), 1))


def log_from_rows(rows: list[tuple[str, str, int]]) -> Interactions:
    users, items, times = zip(*rows, strict=True)
    return Interactions.from_columns(users, items, times)


def ids(split: Split, log: Interactions, user: str) -> list[str]:
    """Original ids of a user's test items; those unseen in train are numbered from
    train.n_items on, in the order of their ids."""
    user_index = np.flatnonzero(split.train.user_ids == user)[0]
    position = np.flatnonzero(split.test_users == user_index)[0]
    unseen = np.setdiff1d(log.item_ids, split.train.item_ids)
    known = np.concatenate([split.train.item_ids, unseen])
    return known[split.test[position]].tolist()


# a: 5 rows, the last two tied in time and listed out of item order -> 1 test item, i5.
# b: 6 rows -> ceil(1.2) = 2 test items: i6 (seen in c's train) and i9 (in nobody's train).
# c: 4 rows -> train only.
ROWS = [
    ("a", "i1", 1),
    ("a", "i2", 2),
    ("a", "i3", 3),
    ("a", "i5", 4),
    ("a", "i4", 4),
    ("b", "i1", 1),
    ("b", "i2", 2),
    ("b", "i3", 3),
    ("b", "i4", 4),
    ("b", "i6", 5),
    ("b", "i9", 6),
    ("c", "i5", 1),
    ("c", "i6", 2),
    ("c", "i1", 3),
    ("c", "i2", 4),
]


# --- Interactions and loaders --------------------------------------------------------------------


def test_from_columns_indexes_sorted_ids_and_matrix_binarises_or_sums():
    log = Interactions.from_columns(["u2", "u1", "u1"], [7, 3, 3], [1, 2, 3], [2.0, 1.0, 0.5])
    assert log.user_ids.tolist() == ["u1", "u2"]
    assert log.item_ids.tolist() == [3, 7]
    assert (log.n_users, log.n_items, len(log)) == (2, 2, 3)
    assert log.users.tolist() == [1, 0, 0]
    assert log.matrix(binary=True).toarray().tolist() == [[1, 0], [0, 1]]
    assert log.matrix(binary=False).toarray().tolist() == [[1.5, 0], [0, 2]]


def test_parallel_arrays_must_have_one_length():
    with pytest.raises(ValueError, match="same length"):
        Interactions(
            users=np.array([0, 0]),
            items=np.array([0]),
            times=np.array([1, 2]),
            weights=np.ones(2, dtype=np.float32),
            user_ids=np.array(["u"]),
            item_ids=np.array(["i"]),
        )


def test_csv_load_reads_columns_in_any_order_with_weights(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(
        "timestamp,item_id,note,user_id,weight\n10,sku-2,x,alice,2.5\n5,sku-1,y,bob,1\n"
    )
    log = csv_load(path)
    assert log.user_ids.tolist() == ["alice", "bob"]
    assert log.item_ids.tolist() == ["sku-1", "sku-2"]
    assert log.times.dtype == np.int64
    assert log.times.tolist() == [10, 5]
    assert log.weights.tolist() == [2.5, 1.0]


def test_csv_load_converts_iso_8601_to_epoch_seconds_naive_as_utc(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(
        "user_id,item_id,timestamp\n"
        "u,a,2024-01-01T00:00:00Z\n"
        "u,b,2024-01-01 00:00:01\n"
        "u,c,2024-01-01T02:00:02+02:00\n"
        "u,d,1704067203\n"
    )
    log = csv_load(path)
    assert log.times.dtype == np.int64
    assert log.times.tolist() == [1704067200, 1704067201, 1704067202, 1704067203]
    assert log.weights.tolist() == [1.0] * 4


def test_csv_load_names_a_missing_column(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("user_id,timestamp\nu,1\n")
    with pytest.raises(ValueError, match=r"line 1: missing column\(s\) item_id"):
        csv_load(path)


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        ("u,b,yesterday", "line 3: timestamp 'yesterday'"),
        ("u,b", "line 3: expected 3 fields, found 2"),
        (",b,2", "line 3: user_id is empty"),
    ],
)
def test_csv_load_names_the_line_of_a_bad_row(tmp_path, bad_row, message):
    path = tmp_path / "log.csv"
    path.write_text(f"user_id,item_id,timestamp\nu,a,1\n{bad_row}\n")
    with pytest.raises(ValueError, match=message):
        csv_load(path)


def test_csv_load_rejects_a_bad_weight_and_an_empty_log(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("user_id,item_id,timestamp,weight\nu,a,1,heavy\n")
    with pytest.raises(ValueError, match="line 2: weight 'heavy'"):
        csv_load(path)
    path.write_text("user_id,item_id,timestamp\n")
    with pytest.raises(ValueError, match="no interaction"):
        csv_load(path)


# --- Split ---------------------------------------------------------------------------------------


def test_temporal_split_follows_the_protocol():
    log = log_from_rows(ROWS)
    split = temporal_split(log)
    assert split.train.item_ids.tolist() == ["i1", "i2", "i3", "i4", "i5", "i6"]
    assert split.train.user_ids.tolist() == ["a", "b", "c"]
    assert split.test_users.tolist() == [0, 1]
    assert ids(split, log, "a") == ["i5"]  # the tie at t=4 is ordered by item id: i4, then i5
    assert ids(split, log, "b") == ["i6", "i9"]
    assert split.test[1].tolist() == [5, 6]  # i9 indexed past the train items
    train_rows = sorted(
        (str(split.train.user_ids[u]), str(split.train.item_ids[i]))
        for u, i in zip(split.train.users, split.train.items, strict=True)
    )
    assert train_rows == sorted(
        [("a", f"i{n}") for n in (1, 2, 3, 4)]
        + [("b", f"i{n}") for n in (1, 2, 3, 4)]
        + [("c", f"i{n}") for n in (5, 6, 1, 2)]
    )
    assert "the last ceil(0.2 n) to test" in split.protocol
    assert "full ranking over the 6 items seen in train" in split.protocol
    assert "1 test items never seen in train" in split.protocol


def test_the_test_share_is_exact_and_counts_duplicate_rows():
    rows = [("dup", "x", 1), ("dup", "x", 2), ("dup", "y", 3), ("dup", "z", 4), ("dup", "z", 5)]
    rows += [("dup", "z", 6)]
    log = log_from_rows(rows)
    split = temporal_split(log)
    # 6 rows -> 2 test rows, both z: one test item after collapsing duplicates.
    assert ids(split, log, "dup") == ["z"]
    assert len(split.train) == 4  # duplicates kept in train: x, x, y, z
    hundred = log_from_rows([("u", f"i{n:03d}", n) for n in range(100)])
    # 0.07 * 100 is 7.000000000000001 in floating point; the protocol means 7.
    assert len(temporal_split(hundred, test_fraction=0.07).test[0]) == 7


def test_unseen_test_items_lower_recall():
    split = temporal_split(log_from_rows(ROWS))
    # a's only candidates are i5 and i6 (i1-i4 are in its train): recall@2 = 1/1.
    # b's are the same two: it gets i6 but can never get i9, so recall@2 = 1/2.
    metrics = evaluate_recommender(FixedScores([0] * 6), split, ks=(2,))
    assert metrics["recall@2"] == pytest.approx(0.75)
    assert metrics["coverage@2"] == pytest.approx(2 / 6)
    assert metrics["test_users"] == 2


def test_validation_split_is_carved_from_train_the_same_way():
    rows = [("u", f"i{n:02d}", n) for n in range(12)] + [("v", f"i{n:02d}", n) for n in range(7)]
    log = log_from_rows(rows)
    split = temporal_split(log)
    assert ids(split, log, "u") == ["i09", "i10", "i11"]  # ceil(2.4) = 3
    assert ids(split, log, "v") == ["i05", "i06"]  # ceil(1.4) = 2
    validation = validation_split(split)
    # u keeps 9 rows in train: ceil(1.8) = 2 to validation; v keeps 5: ceil(1.0) = 1.
    assert ids(validation, split.train, "u") == ["i07", "i08"]
    assert ids(validation, split.train, "v") == ["i04"]
    assert validation.train.n_items == 7  # i00-i06, all seen in the validation train
    assert validation.protocol.startswith("validation carved from train: per-user temporal")
    assert np.array_equal(validation_split(split.train).train.items, validation.train.items)


def test_validation_split_reuses_the_split_settings():
    rows = [("u", f"i{n}", n) for n in range(8)]
    log = log_from_rows(rows)
    split = temporal_split(log, test_fraction=0.5, min_interactions=2)
    assert ids(split, log, "u") == ["i4", "i5", "i6", "i7"]
    assert ids(validation_split(split), split.train, "u") == ["i2", "i3"]


# --- Ranking -------------------------------------------------------------------------------------


def matrix_log(history: np.ndarray) -> Interactions:
    users, items = np.nonzero(history)
    return Interactions(
        users=users.astype(np.int64),
        items=items.astype(np.int64),
        times=np.zeros(len(users), dtype=np.int64),
        weights=np.ones(len(users), dtype=np.float32),
        user_ids=np.arange(history.shape[0]),
        item_ids=np.arange(history.shape[1]),
    )


def test_top_k_excludes_train_items_and_breaks_ties_by_item_index():
    train = matrix_log(np.array([[1, 0, 0, 0, 0, 0], [0, 0, 0, 1, 0, 1]]))
    recommender = FixedScores([3, 1, 2, 2, 2, 2])
    assert top_k(recommender, train, np.array([0, 1]), 3).tolist() == [[2, 3, 4], [0, 2, 4]]


def test_top_k_pads_with_minus_one_when_too_few_items_remain():
    train = matrix_log(np.array([[1, 1, 0], [1, 0, 0]]))
    ranked = top_k(FixedScores([0, 0, 0]), train, np.array([0, 1]), 4)
    assert ranked.tolist() == [[2, -1, -1, -1], [1, 2, -1, -1]]


def test_top_k_batches_agree_with_a_full_stable_sort():
    rng = np.random.default_rng(0)
    history = rng.random((40, 25)) < 0.3
    history[:, 0] = True
    scores = rng.integers(0, 4, size=(40, 25)).astype(np.float32)

    class PerUser:
        name = "per_user"

        def fit(self, train: Interactions) -> None: ...

        def scores(self, users: np.ndarray) -> np.ndarray:
            return scores[users]

    train = matrix_log(history)
    users = np.arange(40)
    one_batch = top_k(PerUser(), train, users, 7, batch_size=1000)
    assert np.array_equal(top_k(PerUser(), train, users, 7, batch_size=3), one_batch)
    masked = np.where(history, -np.inf, scores)
    assert np.array_equal(one_batch, np.argsort(-masked, axis=1, kind="stable")[:, :7])


def test_top_k_rejects_scores_of_the_wrong_shape_or_nan():
    train = matrix_log(np.array([[1, 0, 0]]))
    with pytest.raises(ValueError, match="shape"):
        top_k(FixedScores([1, 2]), train, np.array([0]), 1)
    with pytest.raises(ValueError, match="NaN"):
        top_k(FixedScores([1, np.nan, 0]), train, np.array([0]), 1)


# --- Tuning and benchmark ------------------------------------------------------------------------

# Four users with ten rows each: seven own fillers, then y, x, z. Test: x and z. Validation
# (carved from the eight train rows): the last filler and y, so only Favourite("y") scores.
# User w (two rows, train only) puts y and x in every train, so both can be recommended.
TUNING_ROWS = [
    (f"u{u}", item, t)
    for u in range(4)
    for t, item in enumerate([f"f{u}{n}" for n in range(7)] + ["y", "x", "z"])
] + [("w", "y", 0), ("w", "x", 1)]


def test_tune_picks_the_best_configuration_on_validation_and_counts_trials():
    split = temporal_split(log_from_rows(TUNING_ROWS))
    grid = [{"item": "x"}, {"item": "y"}, {"item": "f00"}]
    best, trials, scored = tune(
        lambda params: Favourite(params["item"]), grid, split, metric="recall@1", ks=(1,)
    )
    assert best == {"item": "y"}
    assert trials == 3
    assert [params for params, _ in scored] == grid
    assert [metrics["recall@1"] for _, metrics in scored] == [0.0, 1.0, 0.0]


def test_tune_keeps_the_first_of_tied_configurations_and_rejects_bad_input():
    split = temporal_split(log_from_rows(TUNING_ROWS))
    grid = [{"item": "x"}, {"item": "z"}]
    best, _, _ = tune(lambda p: Favourite(p["item"]), grid, split, metric="recall@1", ks=(1,))
    assert best == {"item": "x"}
    with pytest.raises(ValueError, match="empty"):
        tune(lambda p: Favourite(p["item"]), [], split)
    with pytest.raises(ValueError, match="'recall@5' is not among"):
        tune(lambda p: Favourite(p["item"]), grid, split, metric="recall@5", ks=(1,))


def test_benchmark_tunes_refits_on_all_of_train_and_reports():
    split = temporal_split(log_from_rows(TUNING_ROWS))
    systems = {
        "tuned": (lambda p: Favourite(p["item"]), [{"item": "x"}, {"item": "y"}]),
        "single": (lambda p: Favourite(p["item"]), [{"item": "f00"}]),
    }
    results = benchmark(split, systems, metric="recall@1", ks=(1, 2))
    assert results["tuned"]["params"] == {"item": "y"}
    assert results["tuned"]["trials"] == 2
    assert results["single"]["params"] == {"item": "f00"}
    assert results["single"]["trials"] == 1
    refit = Favourite("y")
    refit.fit(split.train)
    expected = evaluate_recommender(refit, split, ks=(1, 2))
    assert {key: results["tuned"][key] for key in expected} == expected
    assert set(results["tuned"]) == {*expected, "trials", "params", "seconds"}
    assert results["tuned"]["seconds"] >= 0


def test_too_little_history_to_validate_leaves_the_first_configuration_untuned():
    # Five interactions each: a test split, but only four left in train, too few to validate.
    log = Interactions.from_columns(
        ["u1"] * 5 + ["u2"] * 5, list("abcde") + list("abcde"), list(range(5)) * 2
    )
    split = temporal_split(log)

    params, trials, scored = tune(lambda config: Popularity(), [{"x": 1}, {"x": 2}], split)

    assert (params, trials, scored) == ({"x": 1}, 1, [])
    with pytest.raises(ValueError, match="no test users"):
        evaluate_recommender(Popularity(), validation_split(split))

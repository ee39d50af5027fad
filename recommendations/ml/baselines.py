"""The protocol's baselines: popularity, item-kNN and implicit ALS (EVALUATION.md).

Each implements ``recommendations.ml.protocol.Recommender``. They are the bar every learned model
of the project must clear on the same split, so they follow the protocol's definitions literally.
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
import scipy.sparse as sp

from recommendations.ml.interactions import Interactions
from recommendations.ml.protocol import Factory, Params

T = TypeVar("T")

ALS_GRID: list[Params] = [
    {"factors": factors, "regularization": regularization, "alpha": alpha}
    for factors in (32, 64, 128)
    for regularization in (0.01, 0.1, 1.0)
    for alpha in (1.0, 10.0)
]


class Popularity:
    """Every user gets the items with the most train interactions (rows, duplicates counted)."""

    name = "popularity"

    def __init__(self) -> None:
        self._counts: np.ndarray | None = None

    def fit(self, train: Interactions) -> None:
        self._counts = np.bincount(train.items, minlength=train.n_items).astype(np.float32)

    def scores(self, users: np.ndarray) -> np.ndarray:
        counts = _fitted(self._counts, self.name)
        return np.tile(counts, (len(users), 1))


class MarketPopularity:
    """Popularity within the user's market (what the store serves a shopper with no history):
    train interaction counts of the market the user shops in. `user_markets[u]` is a market
    index per dense user index."""

    name = "market_popularity"

    def __init__(self, user_markets: np.ndarray) -> None:
        self.user_markets = np.asarray(user_markets)
        self._counts: np.ndarray | None = None

    def fit(self, train: Interactions) -> None:
        markets = self.user_markets[train.users]
        counts = np.zeros((int(self.user_markets.max()) + 1, train.n_items), np.float32)
        np.add.at(counts, (markets, train.items), 1.0)
        self._counts = counts

    def scores(self, users: np.ndarray) -> np.ndarray:
        counts = _fitted(self._counts, self.name)
        return counts[self.user_markets[users]]


class ItemKNN:
    """Item-item cosine similarity on the binary user x item matrix, diagonal zeroed; a user's
    score for item j is the sum of j's similarities to the items in the user's train history.
    No neighbourhood truncation: the protocol defines the baseline as plain cosine.

    With X the binary matrix and N = X scaled to unit-norm columns, S = N^T N - I on the items seen,
    so a history batch H scores H S = (H N^T) N - H. Computing it in that order never builds the
    items x items matrix (22M nonzeros, 4.6 s on MovieLens latest-small; this takes 0.2 s for
    all users) and keeps memory at batch x (users + items).
    """

    name = "item_knn"

    def __init__(self) -> None:
        self._history: sp.csr_matrix | None = None
        self._normalised: sp.csr_matrix | None = None

    def fit(self, train: Interactions) -> None:
        history = train.matrix(binary=True)
        norms = np.sqrt(np.asarray(history.sum(axis=0)).ravel())
        inverse = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
        self._history = history
        self._normalised = (history @ sp.diags(inverse.astype(np.float32))).tocsr()

    def scores(self, users: np.ndarray) -> np.ndarray:
        history = _fitted(self._history, self.name)[users]
        normalised = _fitted(self._normalised, self.name)
        overlaps = (history @ normalised.T).toarray()
        return np.asarray(normalised.T @ overlaps.T).T - history.toarray()


class ImplicitALS:
    """implicit 0.7.3's conjugate-gradient ALS (Hu, Koren & Volinsky) on the binary matrix.

    In implicit 0.7 the confidence of a positive cell is ``alpha * value`` (1 elsewhere), not
    1 + alpha * value as in the paper: on binary data alpha=1 weighs seen and unseen cells alike
    and alpha=10 gives seen cells ten times the weight. Regularisation is not scaled by counts.
    BLAS is held to one thread while fitting, as implicit asks (its own threads do the work).
    """

    name = "implicit_als"

    def __init__(
        self,
        factors: int,
        regularization: float,
        alpha: float,
        iterations: int = 20,
        random_state: int = 0,
        threads: int = 0,
    ) -> None:
        self.params: dict[str, Any] = {
            "factors": factors,
            "regularization": regularization,
            "alpha": alpha,
            "iterations": iterations,
            "random_state": random_state,
            "num_threads": threads,
        }
        self._user_factors: np.ndarray | None = None
        self._item_factors: np.ndarray | None = None

    def fit(self, train: Interactions) -> None:
        from implicit.cpu.als import AlternatingLeastSquares
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            model = AlternatingLeastSquares(dtype=np.float32, **self.params)
            model.fit(train.matrix(binary=True), show_progress=False)
        self._user_factors = model.user_factors
        self._item_factors = model.item_factors

    def scores(self, users: np.ndarray) -> np.ndarray:
        user_factors = _fitted(self._user_factors, self.name)
        item_factors = _fitted(self._item_factors, self.name)
        return user_factors[users] @ item_factors.T


def baseline_systems(*, threads: int = 0) -> dict[str, tuple[Factory, list[Params]]]:
    """The protocol's three baselines with their grids, ready for ``protocol.benchmark``."""
    return {
        Popularity.name: (lambda _params: Popularity(), [{}]),
        ItemKNN.name: (lambda _params: ItemKNN(), [{}]),
        ImplicitALS.name: (lambda params: ImplicitALS(**params, threads=threads), ALS_GRID),
    }


def _fitted(value: T | None, name: str) -> T:
    if value is None:
        raise RuntimeError(f"{name}: call fit before scores")
    return value

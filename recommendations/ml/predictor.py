"""The recommender as served: the exported model and the catalog ids of its items."""

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from recommendations.ml.interactions import Interactions
from recommendations.ml.model import HistoryRecommender, history_rows, user_sequences

MODEL_FILE = "model.npz"
ITEMS_FILE = "items.npy"
MARKETS_FILE = "markets.npy"
TRAINING_FILE = "training.json"


@dataclass(frozen=True)
class RecommenderPredictor:
    model: HistoryRecommender
    item_ids: np.ndarray  # item index -> catalog id
    market_ids: np.ndarray  # market index -> market id (0 where the data has no markets)
    training: dict = field(default_factory=dict)  # {"trials": n, "params": {...}}

    @cached_property
    def _item_order(self) -> tuple[np.ndarray, np.ndarray]:
        """The item ids sorted, and where each sorted id sits: computed once per predictor."""
        return _id_order(self.item_ids)

    def positions(self, item_ids: np.ndarray) -> np.ndarray:
        """The model's index of each id, -1 for ids the model never saw."""
        return _positions(self._item_order, item_ids)

    def market_positions(self, market_ids) -> np.ndarray:
        """The model's index of each market id, -1 for markets the model never saw."""
        return _positions(_id_order(self.market_ids), np.asarray(market_ids, np.int64))

    @cached_property
    def unit_item_vectors(self) -> np.ndarray:
        """Items as the model reads them (input-side vectors), unit length: cosine neighbours."""
        vectors = self.model.input_kernel
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    def recommend(
        self, history_ids, weights, *, market_id: int, count: int
    ) -> list[tuple[int, float]]:
        """The `count` best (catalog id, score) for a history given oldest first, in a market."""
        return self.recommend_many([(history_ids, weights)], market_ids=[market_id], count=count)[0]

    def recommend_many(
        self, histories, *, market_ids: list[int], count: int
    ) -> list[list[tuple[int, float]]]:
        """`recommend` for many (ids, weights) histories, each in its market, in one matrix
        product (batch jobs)."""
        rows, known = self.history_rows_of(histories)
        scores = self.model.scores(rows, self.market_positions(market_ids))
        return [
            self._best(row_scores, count) if has_history else []
            for row_scores, has_history in zip(scores, known, strict=True)
        ]

    def user_vector(self, history_ids, weights, *, market_id: int) -> np.ndarray | None:
        """The user tower's vector of one history in a market (None when the model knows none
        of the history)."""
        rows, [has_history] = self.history_rows_of([(history_ids, weights)])
        markets = self.market_positions([market_id])
        return self.model.user_vectors(rows, markets)[0] if has_history else None

    def history_rows_of(self, histories) -> tuple[sp.csr_matrix, list[bool]]:
        """History rows in the model's item space (unknown items dropped), and whether each
        history had any item the model knows."""
        sequences = []
        for history_ids, weights in histories:
            positions = self.positions(np.asarray(history_ids))
            known = positions >= 0
            sequences.append((positions[known], np.asarray(weights, np.float32)[known]))
        rows = history_rows(sequences, n_items=self.model.n_items, decay=self.model.decay)
        return rows, [bool(len(items)) for items, _ in sequences]

    def similar(self, item_id, *, count: int) -> list[tuple[int, float]]:
        """The `count` items closest to `item_id` (cosine), itself excluded; none if unknown."""
        [position] = self.positions(np.asarray([item_id]))
        if position < 0:
            return []
        similarity = self.unit_item_vectors @ self.unit_item_vectors[position]
        similarity[position] = -np.inf
        return self._best(similarity, count)

    def closest(self, item_id, among_ids) -> int | None:
        """Which of `among_ids` is most like `item_id`: the "because you viewed" of a reason."""
        positions = self.positions(np.asarray([item_id, *among_ids]))
        target, candidates = positions[0], positions[1:]
        if target < 0 or not (candidates >= 0).any():
            return None
        similarity = (
            self.unit_item_vectors[np.maximum(candidates, 0)] @ self.unit_item_vectors[target]
        )
        similarity[candidates < 0] = -np.inf
        return among_ids[int(np.argmax(similarity))]

    def _best(self, scores: np.ndarray, count: int) -> list[tuple[int, float]]:
        count = min(count, len(scores))
        best = np.argpartition(-scores, count - 1)[:count]
        best = best[np.lexsort((best, -scores[best]))]
        return [(self.item_ids[i].item(), float(scores[i])) for i in best if np.isfinite(scores[i])]

    def save(self, directory: Path) -> None:
        self.model.save(directory / MODEL_FILE)
        np.save(directory / ITEMS_FILE, self.item_ids, allow_pickle=False)
        np.save(directory / MARKETS_FILE, self.market_ids, allow_pickle=False)
        (directory / TRAINING_FILE).write_text(json.dumps(self.training, sort_keys=True))

    @classmethod
    def load(cls, directory: Path) -> "RecommenderPredictor":
        return cls(
            model=HistoryRecommender.load(directory / MODEL_FILE),
            item_ids=np.load(directory / ITEMS_FILE, allow_pickle=False),
            market_ids=np.load(directory / MARKETS_FILE, allow_pickle=False)
            if (directory / MARKETS_FILE).exists()
            else np.zeros(1, np.int64),  # trained before markets were an input
            training=json.loads((directory / TRAINING_FILE).read_text()),
        )


def _id_order(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(ids)
    return order, ids[order]


def _positions(id_order: tuple[np.ndarray, np.ndarray], ids: np.ndarray) -> np.ndarray:
    """Where each of `ids` sits in the array `id_order` was computed from; -1 where it is not."""
    order, sorted_ids = id_order
    if not len(sorted_ids):
        return np.full(len(ids), -1, np.int64)
    found = np.clip(np.searchsorted(sorted_ids, ids), 0, len(sorted_ids) - 1)
    return np.where(sorted_ids[found] == ids, order[found], -1)


class PredictorOnSplit:
    """A served predictor behind the evaluation protocol's `Recommender` interface, on any split:
    histories and scores are translated between the split's item index and the model's by id,
    so a version trained on an older window is scored on a newer one (the quality gate).
    `user_markets` holds each user's market id by user index, where the data has markets."""

    name = "model"

    def __init__(
        self, predictor: RecommenderPredictor, *, user_markets: np.ndarray | None = None
    ) -> None:
        self.predictor = predictor
        self.user_markets = user_markets

    def fit(self, train: Interactions) -> None:
        positions = self.predictor.positions(train.item_ids)
        sequences = [
            (positions[items][positions[items] >= 0], weights[positions[items] >= 0])
            for items, weights in user_sequences(train)
        ]
        self.histories = history_rows(
            sequences, n_items=self.predictor.model.n_items, decay=self.predictor.model.decay
        )
        self.known = np.flatnonzero(positions >= 0)
        self.known_positions = positions[self.known]
        self.n_items = train.n_items
        markets = np.zeros(train.n_users) if self.user_markets is None else self.user_markets
        self.markets = self.predictor.market_positions(markets)

    def user_vectors(self, users: np.ndarray) -> np.ndarray:
        return self.predictor.model.user_vectors(self.histories[users], self.markets[users])

    def scores(self, users: np.ndarray) -> np.ndarray:
        model_scores = self.predictor.model.scores(self.histories[users], self.markets[users])
        scores = np.full((len(users), self.n_items), np.finfo(np.float32).min, np.float32)
        scores[:, self.known] = model_scores[:, self.known_positions]
        return scores


class IndexOnSplit(PredictorOnSplit):
    """The nearest-neighbour index behind the `Recommender` interface: the model computes each
    user's vector, the index retrieves the best items approximately, as the request path does."""

    name = "index"

    def __init__(
        self,
        index,
        predictor: RecommenderPredictor,
        *,
        user_markets: np.ndarray | None = None,
        count: int = 200,
    ) -> None:
        super().__init__(predictor, user_markets=user_markets)
        self.index = index
        self.count = count

    def fit(self, train: Interactions) -> None:
        super().fit(train)
        self.split_positions = {item_id.item(): i for i, item_id in enumerate(train.item_ids)}

    def scores(self, users: np.ndarray) -> np.ndarray:
        vectors = self.user_vectors(users)
        scores = np.full((len(users), self.n_items), np.finfo(np.float32).min, np.float32)
        for row, vector in enumerate(vectors):
            retrieved = self.index.recommend(vector, count=self.count)
            for rank, (item_id, _score) in enumerate(retrieved):
                position = self.split_positions.get(item_id)
                if position is not None:
                    scores[row, position] = self.count - rank  # the index's order
        return scores

"""Recommendations on the ML platform: datasets, training, evaluation, baselines, fallback.

Every dataset goes through the same protocol (EVALUATION.md): a per-user temporal split, the model
tuned on a validation split carved from train exactly as the implicit ALS baseline is, full
ranking over the items seen in train.
"""

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from django.conf import settings

from ml_models.capabilities import LIVE, Capability, Dataset, ProgressReport
from recommendations.ml.baselines import (
    ALS_GRID,
    ImplicitALS,
    ItemKNN,
    MarketPopularity,
    Popularity,
)
from recommendations.ml.interactions import (
    Interactions,
    Split,
    csv_load,
    movielens_load,
    temporal_split,
)
from recommendations.ml.model import HistoryModelRecommender, ModelConfig, model_train
from recommendations.ml.predictor import PredictorOnSplit, RecommenderPredictor
from recommendations.ml.protocol import evaluate_recommender, tune

CSV_PREFIX = "csv:"


class RecommendationsCapability(Capability):
    name = "recommendations"
    primary_metric = "recall@20"
    baseline_name = "popularity"
    external_datasets = ("movielens",)
    demo_size = "medium"

    def dataset_accepts(self, name: str) -> bool:
        return super().dataset_accepts(name) or name.startswith(CSV_PREFIX)

    def dataset_build(self, name: str = LIVE) -> Dataset:
        interactions, user_markets = _interactions_load(name)
        split = temporal_split(interactions)
        context = {}
        if user_markets is not None:
            context["user_markets"] = np.array(
                [user_markets[user] for user in split.train.user_ids], dtype=np.int64
            )
        return Dataset(
            train=split,
            holdout=split,
            protocol=split.protocol,
            window=_window(split),
            context=context,
        )

    def train(
        self, dataset: Dataset, *, workdir: Path, report: ProgressReport
    ) -> RecommenderPredictor:
        split: Split = dataset.train
        grid = settings.RECOMMENDATIONS_TUNING_GRID
        params, trials = grid[0], 1
        if len(grid) > 1:
            report(0.0, f"tuning over {len(grid)} configurations on the validation split")
            params, trials, scores = tune(HistoryModelRecommender.from_params, grid, split)
            for tried, metrics in scores:
                report(
                    0.5 * len(scores) / len(grid), f"{tried}: recall@20 {metrics['recall@20']:.4f}"
                )
        model = model_train(
            split.train,
            ModelConfig(**params),
            report=lambda fraction, message: report(0.5 + 0.5 * fraction, message),
        )
        return RecommenderPredictor(
            model=model,
            item_ids=split.train.item_ids,
            training={"trials": trials, "params": params},
        )

    def save(self, model: RecommenderPredictor, directory: Path) -> None:
        model.save(directory)

    def load(self, directory: Path) -> RecommenderPredictor:
        return RecommenderPredictor.load(directory)

    def evaluate(self, predictor, dataset: Dataset) -> dict:
        split: Split = dataset.holdout
        if isinstance(predictor, RecommenderPredictor):
            recommender, extra = PredictorOnSplit(predictor), predictor.training
            recommender.fit(split.train)
        else:  # a baseline or peer, fitted by `peers`
            recommender, extra = predictor, {"trials": predictor.trials, "params": predictor.params}
        return evaluate_recommender(recommender, split) | extra

    def baseline(self, dataset: Dataset) -> Popularity:
        return _fitted(Popularity(), dataset.train, trials=1, params={})

    def peers(self, dataset: Dataset) -> dict:
        split: Split = dataset.train
        params, trials, _ = tune(lambda config: ImplicitALS(**config), ALS_GRID, split)
        peers = {
            "popularity": self.baseline(dataset),
            "item_knn": _fitted(ItemKNN(), split, trials=1, params={}),
            "implicit_als": _fitted(ImplicitALS(**params), split, trials=trials, params=params),
        }
        if "user_markets" in dataset.context:  # the store's own data: shoppers have markets
            market_popularity = MarketPopularity(dataset.context["user_markets"])
            peers["market_popularity"] = _fitted(market_popularity, split, trials=1, params={})
        return peers

    def fallback(self) -> "NoModel":
        return NoModel()


class NoModel:
    """What the loader holds while no version is active: nothing to predict with. The list
    builders (recommendations.services) then serve their baselines, co-occurrence and market
    popularity, and label each item with that provenance."""


def _fitted(recommender, split: Split, *, trials: int, params: dict):
    recommender.fit(split.train)
    recommender.trials, recommender.params = trials, params
    return recommender


def _interactions_load(name: str) -> tuple[Interactions, dict | None]:
    """The interactions, and each user's market where the data has markets (the store's)."""
    if name == "movielens":
        return movielens_load(), None
    if name.startswith(CSV_PREFIX):
        return csv_load(name.removeprefix(CSV_PREFIX)), None
    from recommendations.features import interactions_from_events

    return interactions_from_events()


def _window(split: Split) -> dict:
    times = split.train.times

    def moment(value) -> str:
        return datetime.fromtimestamp(int(value), tz=UTC).isoformat()

    return {
        "start": moment(times.min()),
        "end": moment(times.max()),
        "train_interactions": len(split.train),
        "users": split.train.n_users,
        "items": split.train.n_items,
        "test_users": len(split.test_users),
    }

"""Recommendations on the ML platform: datasets, training, evaluation, baselines, fallback.

Every dataset goes through the same protocol (EVALUATION.md): a per-user temporal split, the model
tuned on a validation split carved from train exactly as the implicit ALS baseline is, full
ranking over the items seen in train.
"""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from django.conf import settings
from django.utils import timezone

from ml_models.capabilities import LIVE, Capability, Dataset, Learned, ProgressReport, dataset_get
from ml_models.loader import predictor_get
from recommendations.ml.baselines import (
    ALS_GRID,
    ImplicitALS,
    ItemKNN,
    MarketPopularity,
    Popularity,
)
from recommendations.ml.index import ItemIndex, cold_start_vectors
from recommendations.ml.interactions import (
    Interactions,
    Split,
    csv_load,
    movielens_load,
    temporal_split,
)
from recommendations.ml.model import HistoryModelRecommender, ModelConfig, model_train
from recommendations.ml.predictor import IndexOnSplit, PredictorOnSplit, RecommenderPredictor
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
        market_ids, markets = np.unique(_user_markets(dataset), return_inverse=True)
        grid = settings.RECOMMENDATIONS_TUNING_GRID
        training = {"params": grid[0], "trials": 1}
        reused = _tuning_reusable(dataset.learned, grid)
        if reused is not None:
            training = reused
            report(
                0.0,
                f"reusing {reused['params']}, tuned in v{reused['tuned_in_version']} at "
                f"{reused['tuned_at']} (tuning is due every "
                f"{settings.RECOMMENDATIONS_TUNE_EVERY_DAYS} days)",
            )
        elif len(grid) > 1:
            report(0.0, f"tuning over {len(grid)} configurations on the validation split")
            params, trials, scores = tune(
                lambda tried: HistoryModelRecommender(ModelConfig(**tried), user_markets=markets),
                grid,
                split,
            )
            for tried, metrics in scores:
                report(
                    0.5 * len(scores) / len(grid), f"{tried}: recall@20 {metrics['recall@20']:.4f}"
                )
            training = {
                "params": params,
                "trials": trials,
                "grid": grid,
                "tuned_at": timezone.now().isoformat(),
            }
        model = model_train(
            split.train,
            ModelConfig(**training["params"]),
            markets=markets,
            report=lambda fraction, message: report(0.5 + 0.5 * fraction, message),
        )
        return RecommenderPredictor(
            model=model,
            item_ids=split.train.item_ids,
            market_ids=market_ids,
            training=training,
        )

    def save(self, model: RecommenderPredictor, directory: Path) -> None:
        model.save(directory)

    def load(self, directory: Path) -> RecommenderPredictor:
        return RecommenderPredictor.load(directory)

    def evaluate(self, predictor, dataset: Dataset) -> dict:
        split: Split = dataset.holdout
        if isinstance(predictor, RecommenderPredictor):
            recommender = PredictorOnSplit(predictor, user_markets=_user_markets(dataset))
            extra = predictor.training
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


def _tuning_reusable(learned: Learned | None, grid: list[dict]) -> dict | None:
    """The training record of a version that reuses the active version's tuning, when that
    tuning was over this grid and less than RECOMMENDATIONS_TUNE_EVERY_DAYS ago; else None.
    Reusing carries `tuned_at` and `tuned_in_version` forward, so tuning comes round again
    when it is due however many nightly versions reused it in between."""
    if learned is None or len(grid) < 2:
        return None
    record = learned.record
    tuned_at = record.get("tuned_at")
    if tuned_at is None or record.get("grid") != grid:
        return None
    due = datetime.fromisoformat(tuned_at) + timedelta(
        days=settings.RECOMMENDATIONS_TUNE_EVERY_DAYS
    )
    if timezone.now() >= due:
        return None
    return {
        "params": record["params"],
        "trials": record["trials"],
        "grid": grid,
        "tuned_at": tuned_at,
        "tuned_in_version": record.get("tuned_in_version", learned.version),
    }


def _fitted(recommender, split: Split, *, trials: int, params: dict):
    recommender.fit(split.train)
    recommender.trials, recommender.params = trials, params
    return recommender


def _user_markets(dataset: Dataset) -> np.ndarray:
    """Each user's market id by user index; market 0 for every user where the data has none."""
    default = np.zeros(dataset.train.train.n_users, np.int64)
    return dataset.context.get("user_markets", default)


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


class RecommendationsIndexCapability(Capability):
    """The nearest-neighbour index over the active model's item vectors, with the products the
    model has not seen placed by their content. Rebuilt without retraining (every few minutes
    when products or the model change), versioned and gated on its own."""

    name = "recommendations.index"
    inputs = ("recommendations",)
    primary_metric = "recall@20"
    baseline_name = "popularity"
    uses_tensorflow = False
    external_datasets = ("movielens",)
    demo_size = "medium"
    # An approximate index scores within noise of the last one; it must still beat popularity.
    gate_tolerance = 0.05

    def dataset_accepts(self, name: str) -> bool:
        return RecommendationsCapability().dataset_accepts(name)

    def dataset_build(self, name: str = LIVE) -> Dataset:
        # Within one retrain, the dataset the model was just trained on (read and split once).
        dataset = dataset_get(RecommendationsCapability(), name)
        served = predictor_get(RecommendationsCapability.name)
        if served.source != "model":
            raise ValueError("no recommendations model is active: there is nothing to index")
        from catalog.embeddings import product_content_vectors

        content_ids, content = product_content_vectors() if name == LIVE else _no_content()
        return replace(
            dataset,
            context={
                **dataset.context,
                "predictor": served.predictor,
                "model_version": served.model_version,
                "content_ids": content_ids,
                "content": content,
            },
        )

    def train(self, dataset: Dataset, *, workdir: Path, report: ProgressReport) -> ItemIndex:
        predictor: RecommenderPredictor = dataset.context["predictor"]
        item_ids = predictor.item_ids
        scoring, similarity = predictor.model.item_vectors(), predictor.unit_item_vectors
        content_ids, content = dataset.context["content_ids"], dataset.context["content"]
        positions = predictor.positions(content_ids)
        new, known = positions < 0, positions >= 0
        if new.any() and known.any():
            report(0.3, f"placing {new.sum()} products the model has not seen by their content")
            placed = [
                cold_start_vectors(
                    known_content=content[known],
                    known_vectors=vectors[positions[known]],
                    new_content=content[new],
                )
                for vectors in (scoring, similarity)
            ]
            item_ids = np.concatenate([item_ids, content_ids[new].astype(item_ids.dtype)])
            scoring = np.vstack([scoring, placed[0]])
            similarity = np.vstack([similarity, placed[1]])
        if len(content_ids):
            similarity = _with_content(similarity, item_ids, content_ids, content)
        report(0.6, f"indexing {len(item_ids)} items")
        return ItemIndex.build(
            item_ids=item_ids,
            scoring_vectors=scoring,
            similarity_vectors=similarity,
            cold=np.arange(len(item_ids)) >= len(predictor.item_ids),
            model_version=dataset.context["model_version"],
        )

    def save(self, model: ItemIndex, directory: Path) -> None:
        model.save(directory)

    def load(self, directory: Path) -> ItemIndex:
        return ItemIndex.load(directory)

    def evaluate(self, predictor, dataset: Dataset) -> dict:
        split: Split = dataset.holdout
        if isinstance(predictor, ItemIndex):
            recommender = IndexOnSplit(
                predictor, dataset.context["predictor"], user_markets=_user_markets(dataset)
            )
            recommender.fit(split.train)
            return evaluate_recommender(recommender, split) | {"trials": 1, "params": {}}
        return RecommendationsCapability().evaluate(predictor, dataset)

    def baseline(self, dataset: Dataset) -> Popularity:
        return RecommendationsCapability().baseline(dataset)

    def fallback(self) -> NoModel:
        return NoModel()


def _with_content(
    similarity: np.ndarray, item_ids: np.ndarray, content_ids: np.ndarray, content: np.ndarray
) -> np.ndarray:
    """Similarity vectors whose cosine is a weighted mean of the behavioural cosine and the
    content cosine (RECOMMENDATIONS_SIMILAR_CONTENT_WEIGHT): "similar" then means bought and
    viewed alike and looking alike, not only one of them. Items without content keep the
    behavioural part alone."""
    weight = settings.RECOMMENDATIONS_SIMILAR_CONTENT_WEIGHT
    behaviour = similarity / np.maximum(np.linalg.norm(similarity, axis=1, keepdims=True), 1e-12)
    aligned = np.zeros((len(item_ids), content.shape[1]), np.float32)
    rows = {item_id: row for row, item_id in enumerate(content_ids.tolist())}
    for position, item_id in enumerate(item_ids.tolist()):
        if item_id in rows:
            aligned[position] = content[rows[item_id]]
    return np.hstack([np.sqrt(1 - weight) * behaviour, np.sqrt(weight) * aligned])


def _no_content() -> tuple[np.ndarray, np.ndarray]:
    """Benchmarks have no product texts or photos: nothing to place by content."""
    return np.zeros(0, np.int64), np.zeros((0, 1), np.float32)

"""A toy capability for the platform's tests: a Keras logistic regression on synthetic data,
exported to numpy weights and served without Keras, as the real capabilities do.

`ToyCapability` learns the labels; `InvertedToyCapability` learns them upside down, so it scores
below the baseline and the gate rejects it. `TOY_PAUSE_AFTER_EPOCH` (environment) makes training
wait after that epoch, so that a test can kill the process midway.
"""

import os
import time
from pathlib import Path

import numpy as np

from ml_models.capabilities import Capability, Dataset
from ml_models.ml.keras_export import DenseStack, dense_stack_export
from ml_models.ml.metrics import average_precision, roc_auc

FEATURES = 4
EPOCHS = 4
TRUE_WEIGHTS = np.array([1.5, -2.0, 0.5, 0.0])


class LogisticPredictor:
    def __init__(self, network: DenseStack) -> None:
        self.network = network

    def predict(self, features: np.ndarray) -> np.ndarray:
        return self.network(features).ravel()


class PriorPredictor:
    """Every example gets the training share of positives."""

    def __init__(self, prior: float) -> None:
        self.prior = prior

    def predict(self, features: np.ndarray) -> np.ndarray:
        return np.full(len(features), self.prior)


class ToyCapability(Capability):
    name = "toy"
    primary_metric = "roc_auc"
    baseline_name = "prior"
    external_datasets = ("synthetic",)
    invert_labels = False

    def dataset_build(self, name: str = "live") -> Dataset:
        rng = np.random.default_rng(7)
        features = rng.normal(size=(600, FEATURES))
        labels = (rng.random(600) < 1 / (1 + np.exp(-features @ TRUE_WEIGHTS))).astype(int)
        return Dataset(
            train=(features[:400], labels[:400]),
            holdout=(features[400:], labels[400:]),
            protocol="first 400 rows train, last 200 held out",
            window={"start": "2026-01-01", "end": "2026-01-31", "rows": 600},
        )

    def train(self, dataset: Dataset, *, workdir: Path, report) -> DenseStack:
        import keras

        keras.utils.set_random_seed(0)
        features, labels = dataset.train
        if self.invert_labels:
            labels = 1 - labels
        model = keras.Sequential(
            [keras.Input((FEATURES,)), keras.layers.Dense(1, activation="sigmoid", dtype="float32")]
        )
        model.compile(optimizer=keras.optimizers.Adam(0.1), loss="binary_crossentropy")
        pause_after = int(os.environ.get("TOY_PAUSE_AFTER_EPOCH", "0"))
        for epoch in range(1, EPOCHS + 1):
            model.fit(features, labels, epochs=1, batch_size=64, verbose=0)
            (workdir / f"checkpoint-{epoch}.txt").write_text(str(epoch))
            report(epoch / EPOCHS, f"epoch {epoch}/{EPOCHS}")
            if epoch == pause_after:
                time.sleep(120)  # the test kills the process here
        return dense_stack_export(model)

    def save(self, model: DenseStack, directory: Path) -> None:
        model.save(directory / "weights.npz")

    def load(self, directory: Path) -> LogisticPredictor:
        return LogisticPredictor(DenseStack.load(directory / "weights.npz"))

    def evaluate(self, predictor, dataset: Dataset) -> dict[str, float]:
        features, labels = dataset.holdout
        scores = predictor.predict(features)
        return {"roc_auc": roc_auc(labels, scores), "pr_auc": average_precision(labels, scores)}

    def baseline(self, dataset: Dataset) -> PriorPredictor:
        return PriorPredictor(float(np.mean(dataset.train[1])))

    def fallback(self) -> PriorPredictor:
        return PriorPredictor(0.5)


class InvertedToyCapability(ToyCapability):
    invert_labels = True


class ScoreTablePredictor:
    """Scores looked up by row, as a nearest-neighbour index answers from precomputed vectors."""

    def __init__(self, scores: np.ndarray) -> None:
        self.scores = scores

    def predict(self, features: np.ndarray) -> np.ndarray:
        return self.scores[: len(features)]


class ToyIndexCapability(ToyCapability):
    """A component built from the active toy model without retraining it: the model's scores of
    the held-out rows, precomputed."""

    name = "toy.index"
    inputs = ("toy",)
    uses_tensorflow = False

    def train(self, dataset: Dataset, *, workdir: Path, report) -> np.ndarray:
        from ml_models.loader import predictor_get

        report(1.0, "scored the held-out rows")
        return predictor_get("toy").predictor.predict(dataset.holdout[0])

    def save(self, model: np.ndarray, directory: Path) -> None:
        np.save(directory / "scores.npy", model)

    def load(self, directory: Path) -> ScoreTablePredictor:
        return ScoreTablePredictor(np.load(directory / "scores.npy"))

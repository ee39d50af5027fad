"""The risk model: the chance that a checkout is fraud, from the features of `features.py`.

A small network: one embedding per categorical feature (country, currency, email domain...),
concatenated with the numerics (log1p for counts and amounts, then standardized) and two hidden
layers with dropout, ending in one logit. It is trained in Keras with class weights, stopped
early on the validation orders' pr_auc, then calibrated there (isotonic regression), and the block
and review thresholds are chosen there too (`metrics.thresholds_choose`).

Served in numpy (`RiskModel`): a few table lookups and matrix products, tens of microseconds an
order, no TensorFlow in the web process. Reasons are measured, not guessed: an order's score
against the same order with one reason group of features set to an ordinary value.
"""

import json
import math
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from operator import itemgetter
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from fraud.ml.features import CATEGORICAL, LOG_SCALED, NUMERIC, REASON_GROUPS
from fraud.ml.metrics import thresholds_choose
from ml_models.ml.keras_export import ACTIVATIONS, DenseStack, dense_stack_export
from ml_models.ml.metrics import average_precision

Row = Mapping[str, object]
FORMAT = 1  # of the saved files; bump when they change meaning
_sigmoid = ACTIVATIONS["sigmoid"]
TIE_BREAK = 1e-6  # the share of the network's sigmoid in the calibrated probability


@dataclass(frozen=True)
class ModelConfig:
    hidden: tuple[int, ...] = (64, 32)
    dropout: float = 0.2
    embedding_dim_max: int = 8
    # A categorical value seen fewer times in training is out of vocabulary: too rare to learn
    # from, and it would let the network memorise single fraudsters' email domains.
    min_count: int = 3
    l2: float = 1e-5
    learning_rate: float = 2e-3
    batch_size: int = 512
    max_epochs: int = 40
    patience: int = 5  # epochs without a better validation pr_auc before stopping
    # The loss weight of a fraud order; None: balanced (legitimate / fraud orders in training).
    fraud_weight: float | None = None
    block_precision: float = 0.8  # the block threshold: this precision on validation
    review_rate: float = 0.01  # the review threshold: the top share of validation orders
    seed: int = 0


# --- Encoding ----------------------------------------------------------------------------------


def numeric_matrix(rows: Sequence[Row], names: Sequence[str]) -> np.ndarray:
    """(n, len(names)) float64: the named features of each row, as they are."""
    values = itemgetter(*names)
    return np.array([values(row) for row in rows], dtype=np.float64).reshape(len(rows), len(names))


class FeatureEncoder:
    """Feature dicts to network inputs, with what it learned from the training rows.

    Categoricals: an index per value, by frequency from 1; 0 for values seen fewer than
    `min_count` times (or beyond the `max_values` most frequent) and for values never seen.
    Numerics: log1p for counts and amounts (LOG_SCALED), then minus the training mean, over the
    training standard deviation (1 where a feature never varied). `reference` is an ordinary
    order: the training median of each numeric, the most common value of each categorical."""

    def __init__(
        self,
        *,
        vocabularies: dict[str, list[str]],
        numeric_names: Sequence[str],
        log_scaled: Sequence[str],
        means: ArrayLike,
        stds: ArrayLike,
        reference: dict,
    ) -> None:
        self.vocabularies = vocabularies
        self.categorical_names = tuple(vocabularies)
        self.numeric_names = tuple(numeric_names)
        self.log_scaled = tuple(log_scaled)
        self.means = np.asarray(means, dtype=np.float64)
        self.stds = np.asarray(stds, dtype=np.float64)
        self.reference = reference
        self._indexes = {
            name: {value: index for index, value in enumerate(values, start=1)}
            for name, values in vocabularies.items()
        }
        self._logged = np.array([name in self.log_scaled for name in self.numeric_names])

    @classmethod
    def fit(
        cls, rows: Sequence[Row], *, min_count: int = 3, max_values: int | None = None
    ) -> "FeatureEncoder":
        if not rows:
            raise ValueError("no training rows to learn the encoding from")
        vocabularies, reference = {}, {}
        for name in CATEGORICAL:
            counts = Counter(str(row[name]) for row in rows)
            # Most frequent first, ties by value: the same rows give the same indexes.
            ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
            vocabularies[name] = [value for value, n in ranked[:max_values] if n >= min_count]
            reference[name] = ranked[0][0]
        raw = numeric_matrix(rows, NUMERIC)
        reference |= dict(zip(NUMERIC, np.median(raw, axis=0).tolist(), strict=True))
        logged = np.array([name in LOG_SCALED for name in NUMERIC])
        scaled = np.where(logged, np.log1p(np.maximum(raw, 0.0)), raw)
        stds = scaled.std(axis=0)
        return cls(
            vocabularies=vocabularies,
            numeric_names=NUMERIC,
            log_scaled=sorted(LOG_SCALED & set(NUMERIC)),
            means=scaled.mean(axis=0),
            stds=np.where(stds > 1e-12, stds, 1.0),
            reference=reference,
        )

    def codes(self, rows: Sequence[Row]) -> np.ndarray:
        """(n, categoricals) int32 vocabulary indexes."""
        columns = [
            [self._indexes[name].get(str(row[name]), 0) for row in rows]
            for name in self.categorical_names
        ]
        return np.array(columns, dtype=np.int32).reshape(len(columns), len(rows)).T

    def numerics(self, rows: Sequence[Row]) -> np.ndarray:
        """(n, numerics) float32, scaled and standardized."""
        raw = numeric_matrix(rows, self.numeric_names)
        scaled = np.where(self._logged, np.log1p(np.maximum(raw, 0.0)), raw)
        return ((scaled - self.means) / self.stds).astype(np.float32)

    def to_dict(self) -> dict:
        return {
            "vocabularies": self.vocabularies,
            "numeric_names": list(self.numeric_names),
            "log_scaled": list(self.log_scaled),
            "means": self.means.tolist(),
            "stds": self.stds.tolist(),
            "reference": self.reference,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "FeatureEncoder":
        return cls(**data)


# --- The network, served -----------------------------------------------------------------------


@dataclass(frozen=True)
class RiskNetwork:
    """The trained network's weights: an embedding table per categorical (row 0: out of
    vocabulary) and the dense layers from the concatenated embeddings and numerics to a logit."""

    embeddings: tuple[np.ndarray, ...]
    head: DenseStack

    def logits(self, codes: np.ndarray, numerics: np.ndarray) -> np.ndarray:
        embedded = [table[codes[:, i]] for i, table in enumerate(self.embeddings)]
        return self.head(np.concatenate([*embedded, numerics], axis=1))[:, 0]

    def save(self, directory: Path) -> None:
        self.head.save(directory / "network_head.npz")
        tables = {f"embedding_{i}": table for i, table in enumerate(self.embeddings)}
        np.savez(directory / "network_embeddings.npz", **tables)

    @classmethod
    def load(cls, directory: Path) -> "RiskNetwork":
        with np.load(directory / "network_embeddings.npz") as arrays:
            embeddings = tuple(arrays[f"embedding_{i}"] for i in range(len(arrays.files)))
        return cls(embeddings, DenseStack.load(directory / "network_head.npz"))


@dataclass(frozen=True)
class Calibration:
    """The chance of fraud at each network logit: an isotonic (non-decreasing) regression of
    the validation orders' fraud labels on their logits, as the knots of a piecewise-linear map.

    Isotonic rather than Platt scaling: fraud data are lumpy (patterned fraud the network is sure
    of, account takeovers and friendly fraud it cannot see), and one sigmoid of the logit fitted
    to both put orders at a 2% "chance" that were fraud one time in four. The map is kept off 0
    and 1 by Platt's smoothed targets, 1 / (legitimate + 2) and (frauds + 1) / (frauds + 2): a
    few hundred validation orders cannot prove a certainty. Within a flat step of the map, a
    millionth of the network's own sigmoid keeps orders in the network's order (the result is
    strictly increasing), so calibration never costs ranking: pr_auc stays the network's."""

    logits: np.ndarray
    probabilities: np.ndarray

    @classmethod
    def fit(cls, logits: np.ndarray, fraud: np.ndarray) -> "Calibration":
        from sklearn.isotonic import IsotonicRegression

        n_fraud = int(fraud.sum())
        isotonic = IsotonicRegression(
            y_min=1 / (len(fraud) - n_fraud + 2),
            y_max=(n_fraud + 1) / (n_fraud + 2),
            increasing=True,
            out_of_bounds="clip",
        ).fit(np.asarray(logits, dtype=np.float64), fraud.astype(np.float64))
        return cls(isotonic.X_thresholds_, isotonic.y_thresholds_)

    def __call__(self, logits: np.ndarray) -> np.ndarray:
        z = np.asarray(logits, dtype=np.float64)
        return np.interp(z, self.logits, self.probabilities) * (1 - TIE_BREAK) + (
            TIE_BREAK * _sigmoid(z)
        )

    def to_dict(self) -> dict:
        return {
            "method": "isotonic",
            "logits": self.logits.tolist(),
            "probabilities": self.probabilities.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Calibration":
        return cls(np.array(data["logits"]), np.array(data["probabilities"]))


class RiskModel:
    """A trained risk model, served with numpy. Read-only once built: threads share it."""

    def __init__(
        self,
        *,
        encoder: FeatureEncoder,
        network: RiskNetwork,
        calibration: Calibration,
        thresholds: dict,
        training: dict,
    ) -> None:
        self.encoder = encoder
        self.network = network
        self.calibration = calibration
        self.thresholds = thresholds
        self.training = training
        reference = [encoder.reference]
        self._reference_codes = encoder.codes(reference)[0]
        self._reference_numerics = encoder.numerics(reference)[0]
        # The reason groups this model knows a feature of, each as masks over its inputs.
        groups = {
            code: set(names) & {*encoder.categorical_names, *encoder.numeric_names}
            for code, names in REASON_GROUPS.items()
        }
        self.reason_codes = tuple(code for code, names in groups.items() if names)

        def occluded(names: Sequence[str]) -> np.ndarray:
            masks = [[name in groups[code] for name in names] for code in self.reason_codes]
            return np.array(masks, dtype=bool).reshape(len(self.reason_codes), len(names))

        self._occluded_codes = occluded(encoder.categorical_names)
        self._occluded_numerics = occluded(encoder.numeric_names)

    def probabilities(self, rows: Sequence[Row]) -> np.ndarray:
        """The calibrated chance of fraud of each order, float64."""
        logits = self.network.logits(self.encoder.codes(rows), self.encoder.numerics(rows))
        return self.calibration(logits)

    def probability(self, row: Row) -> float:
        return float(self.probabilities([row])[0])

    def reasons(self, row: Row, count: int = 3) -> list[tuple[str, float]]:
        """The reason groups that raise this order's risk most, strongest first, with how much:
        the network's logit (log-odds) minus that of the same order with the group's features at
        their ordinary value (`FeatureEncoder.reference`). Only groups that raise it.

        Measured in log-odds, not in calibrated probability: the calibration is flat across its
        top step (every order there is "91%"), where it would tell the strongest reasons of the
        riskiest orders apart by nothing. The order of the reasons is the same wherever the
        probability does tell them apart."""
        codes, numerics = self.encoder.codes([row]), self.encoder.numerics([row])
        batch_codes = np.vstack(
            [codes, np.where(self._occluded_codes, self._reference_codes, codes)]
        )
        batch_numerics = np.vstack(
            [numerics, np.where(self._occluded_numerics, self._reference_numerics, numerics)]
        )
        logits = self.network.logits(batch_codes, batch_numerics).astype(np.float64)
        lifts = logits[0] - logits[1:]
        ranked = sorted(
            zip(self.reason_codes, lifts.round(4).tolist(), strict=True),
            key=lambda reason: -reason[1],
        )
        return [reason for reason in ranked if reason[1] > 0][:count]

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.network.save(directory)
        description = {
            "format": FORMAT,
            "encoder": self.encoder.to_dict(),
            "calibration": self.calibration.to_dict(),
            "thresholds": self.thresholds,
            "training": self.training,
        }
        (directory / "risk_model.json").write_text(json.dumps(description, indent=1))

    @classmethod
    def load(cls, directory: Path) -> "RiskModel":
        description = json.loads((directory / "risk_model.json").read_text())
        if description.get("format") != FORMAT:
            raise ValueError(f"risk model format {description.get('format')}, expected {FORMAT}")
        return cls(
            encoder=FeatureEncoder.from_dict(description["encoder"]),
            network=RiskNetwork.load(directory),
            calibration=Calibration.from_dict(description["calibration"]),
            thresholds=description["thresholds"],
            training=description["training"],
        )


# --- Training ----------------------------------------------------------------------------------


def model_train(
    train_rows: Sequence[Row],
    train_labels: ArrayLike,
    valid_rows: Sequence[Row],
    valid_labels: ArrayLike,
    *,
    config: ModelConfig = ModelConfig(),
    report: Callable[[float, str], None] = lambda fraction, message: None,
) -> RiskModel:
    """Trains on the training orders, then stops, calibrates and sets thresholds on the
    validation orders (the later part of the training period: the evaluation keeps them apart
    from the test orders). Both parts need fraud and legitimate orders."""
    import keras

    from ml_models.ml.runtime import tensorflow_device_setup

    started = time.perf_counter()
    device = tensorflow_device_setup()
    train_fraud, valid_fraud = _labels(train_labels, train_rows), _labels(valid_labels, valid_rows)
    for part, fraud in (("training", train_fraud), ("validation", valid_fraud)):
        if fraud.all() or not fraud.any():
            raise ValueError(f"the {part} orders need both fraud and legitimate orders")
    encoder = FeatureEncoder.fit(train_rows, min_count=config.min_count)
    train_codes, train_numerics = encoder.codes(train_rows), encoder.numerics(train_rows)
    valid_codes, valid_numerics = encoder.codes(valid_rows), encoder.numerics(valid_rows)

    # Class weights rather than resampling: every legitimate order is seen every epoch and the
    # few fraud orders are not repeated into memorised copies; the probabilities the weights
    # inflate are put right by the calibration.
    fraud_weight = config.fraud_weight or float((~train_fraud).sum() / train_fraud.sum())
    keras.utils.set_random_seed(config.seed)
    network = _network_build(keras, encoder, config)
    best = {"pr_auc": -1.0, "epoch": 0, "network": None}
    pr_aucs = []

    def on_epoch_end(epoch: int, logs: dict) -> None:
        exported = _network_export(network, len(encoder.categorical_names))
        pr_auc = average_precision(valid_fraud, exported.logits(valid_codes, valid_numerics))
        pr_aucs.append(round(pr_auc, 4))
        if pr_auc > best["pr_auc"]:
            best.update(pr_auc=pr_auc, epoch=epoch + 1, network=exported)
        elif epoch + 1 - best["epoch"] >= config.patience:
            network.stop_training = True
        report(
            0.95 * (epoch + 1) / config.max_epochs,
            f"epoch {epoch + 1}: loss {logs['loss']:.4f}, validation pr_auc {pr_auc:.4f}",
        )

    network.fit(
        {**_named_codes(encoder, train_codes), "numerics": train_numerics},
        train_fraud.astype(np.float32),
        sample_weight=np.where(train_fraud, fraud_weight, 1.0).astype(np.float32),
        batch_size=config.batch_size,
        epochs=config.max_epochs,
        shuffle=True,
        verbose=0,
        callbacks=[keras.callbacks.LambdaCallback(on_epoch_end=on_epoch_end)],
    )
    valid_logits = best["network"].logits(valid_codes, valid_numerics)
    calibration = Calibration.fit(valid_logits, valid_fraud)
    thresholds = thresholds_choose(
        calibration(valid_logits),
        valid_fraud,
        precision=config.block_precision,
        review_rate=config.review_rate,
    )
    training = {
        "device": device,
        "epochs_run": len(pr_aucs),
        "best_epoch": best["epoch"],
        "class_weighting": f"{'balanced ' if config.fraud_weight is None else ''}class weights:"
        f" fraud {fraud_weight:.1f}, legitimate 1",
        "fraud_weight": fraud_weight,
        "rows": {
            "train": len(train_rows),
            "train_fraud": int(train_fraud.sum()),
            "valid": len(valid_rows),
            "valid_fraud": int(valid_fraud.sum()),
        },
        "validation": {"pr_auc": round(best["pr_auc"], 4), "pr_auc_by_epoch": pr_aucs},
        "calibration": "isotonic",
        "thresholds": {"block": thresholds["block"], "review": thresholds["review"]},
        "config": asdict(config) | {"hidden": list(config.hidden)},  # as JSON gives it back
        "seconds": round(time.perf_counter() - started, 1),
    }
    report(1.0, f"validation pr_auc {best['pr_auc']:.4f} (epoch {best['epoch']})")
    return RiskModel(
        encoder=encoder,
        network=best["network"],
        calibration=calibration,
        thresholds=thresholds,
        training=training,
    )


def _labels(labels: ArrayLike, rows: Sequence[Row]) -> np.ndarray:
    fraud = np.asarray(labels).astype(bool)
    if fraud.shape != (len(rows),):
        raise ValueError(f"{fraud.size} labels for {len(rows)} rows")
    return fraud


def _named_codes(encoder: FeatureEncoder, codes: np.ndarray) -> dict[str, np.ndarray]:
    return {f"category_{i}": codes[:, i] for i in range(len(encoder.categorical_names))}


def _network_build(keras, encoder: FeatureEncoder, config: ModelConfig):
    regularizer = keras.regularizers.l2(config.l2)
    categorical, embedded = [], []
    for i, name in enumerate(encoder.categorical_names):
        size = len(encoder.vocabularies[name]) + 1  # row 0: out of vocabulary
        codes = keras.Input((), dtype="int32", name=f"category_{i}")
        categorical.append(codes)
        embedded.append(
            keras.layers.Embedding(
                size,
                min(config.embedding_dim_max, math.ceil(size / 2)),
                embeddings_regularizer=regularizer,
                name=f"embedding_{i}",
            )(codes)
        )
    numerics = keras.Input((len(encoder.numeric_names),), name="numerics")
    head = keras.Sequential(name="head")
    for units in config.hidden:
        head.add(keras.layers.Dense(units, activation="relu", kernel_regularizer=regularizer))
        head.add(keras.layers.Dropout(config.dropout))
    # One logit, float32 even under mixed precision: the sigmoid is in the loss, and the
    # calibration maps the logit.
    head.add(keras.layers.Dense(1, dtype="float32"))
    logit = head(keras.layers.Concatenate()([*embedded, numerics]))
    network = keras.Model([*categorical, numerics], logit)
    network.compile(
        optimizer=keras.optimizers.Adam(config.learning_rate),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
    )
    return network


def _network_export(network, n_categorical: int) -> RiskNetwork:
    embeddings = tuple(
        np.asarray(network.get_layer(f"embedding_{i}").get_weights()[0], dtype=np.float32)
        for i in range(n_categorical)
    )
    return RiskNetwork(embeddings, dense_stack_export(network.get_layer("head")))

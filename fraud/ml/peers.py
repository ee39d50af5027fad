"""Peer systems the risk model is measured against on the same split and the same features."""

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from fraud.ml.metrics import REVIEW_FRACTION, thresholds_choose
from fraud.ml.model import FeatureEncoder, Row, numeric_matrix

# HistGradientBoostingClassifier takes at most 255 categories per feature (its bins): the 254
# most frequent values and one code (0) for all the others and for values never seen.
HGB_CATEGORIES = 255


class GradientBoostingPeer:
    """`gbdt` of EVALUATION.md: scikit-learn's HistGradientBoostingClassifier with its default
    parameters but class_weight="balanced", numerics as they are (trees split on order, so
    scaling changes nothing), categoricals as codes it splits natively.

    Its probabilities are not calibrated (balanced weights inflate them), and need not be: the
    metrics rank, and the thresholds are chosen on its own validation scores, so a block still
    means the precision asked for there."""

    name = "gbdt"

    def __init__(self, *, seed: int = 0) -> None:
        self.seed = seed  # seeds HGB's own early-stopping split: reproducible, nothing tuned

    def fit(
        self,
        train_rows: Sequence[Row],
        train_labels: ArrayLike,
        valid_rows: Sequence[Row],
        valid_labels: ArrayLike,
        *,
        precision: float = 0.8,
        review_rate: float = REVIEW_FRACTION,
    ) -> "GradientBoostingPeer":
        from sklearn.ensemble import HistGradientBoostingClassifier

        self.encoder = FeatureEncoder.fit(train_rows, min_count=1, max_values=HGB_CATEGORIES - 1)
        self.classifier = HistGradientBoostingClassifier(
            class_weight="balanced",
            categorical_features=list(range(len(self.encoder.categorical_names))),
            random_state=self.seed,
        )
        self.classifier.fit(self._matrix(train_rows), np.asarray(train_labels).astype(int))
        self.thresholds = thresholds_choose(
            self.probabilities(valid_rows),
            valid_labels,
            precision=precision,
            review_rate=review_rate,
        )
        return self

    def probabilities(self, rows: Sequence[Row]) -> np.ndarray:
        return self.classifier.predict_proba(self._matrix(rows))[:, 1]

    def probability(self, row: Row) -> float:
        return float(self.probabilities([row])[0])

    def _matrix(self, rows: Sequence[Row]) -> np.ndarray:
        return np.hstack(
            [self.encoder.codes(rows), numeric_matrix(rows, self.encoder.numeric_names)]
        )

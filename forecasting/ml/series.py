"""The shapes every forecaster shares: a series with its calendar and known covariates, and a
forecast with its quantiles. Pure numpy; no Django."""

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Frequency:
    name: str
    horizon: int  # h: the held-out points of the evaluation (EVALUATION.md)
    season: int  # m: the seasonal period of seasonal naive, MASE and AutoETS
    step: str  # numpy timedelta unit of one step: "h", "D", "W", "M", "Q" (3 months), "Y"


# EVALUATION.md ("Forecasting"): as in M4; store demand (the demo store's daily SKUs and daily
# series from a store's own export) is daily with h=28, m=7.
FREQUENCIES = {
    "yearly": Frequency("yearly", horizon=6, season=1, step="Y"),
    "quarterly": Frequency("quarterly", horizon=8, season=4, step="Q"),
    "monthly": Frequency("monthly", horizon=18, season=12, step="M"),
    "weekly": Frequency("weekly", horizon=13, season=1, step="W"),
    "daily": Frequency("daily", horizon=14, season=1, step="D"),
    "hourly": Frequency("hourly", horizon=48, season=24, step="h"),
    "store_daily": Frequency("store_daily", horizon=28, season=7, step="D"),
}


@dataclass(frozen=True)
class Series:
    """One series in time order, without gaps (a day without sales is a 0).

    Covariates, where the source has them, cover the history AND the horizon (a planned
    promotion or price is known ahead; a holiday calendar too): their length is
    len(values) + horizon, or None."""

    id: str
    values: np.ndarray  # float64
    frequency: Frequency
    start: np.datetime64  # the time of values[0]: in hours for hourly series, else in days
    price: np.ndarray | None = None  # price relative to the series' regular price (1.0)
    promotion: np.ndarray | None = None  # 1 while a promotion runs
    holiday: np.ndarray | None = None  # 1 on (or in the days before) a public holiday
    group: str = ""  # e.g. the market or the benchmark's collection ("m4_daily")
    meta: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.values)

    def head(self, length: int) -> "Series":
        """The first `length` points, covariates trimmed so they still reach `length` +
        horizon: the series as it was known `len(self) - length` steps earlier."""
        horizon = self.frequency.horizon
        return Series(
            id=self.id,
            values=self.values[:length],
            frequency=self.frequency,
            start=self.start,
            price=None if self.price is None else self.price[: length + horizon],
            promotion=None if self.promotion is None else self.promotion[: length + horizon],
            holiday=None if self.holiday is None else self.holiday[: length + horizon],
            group=self.group,
            meta=self.meta,
        )


@dataclass(frozen=True)
class Forecast:
    """Quantile forecasts for the `horizon` steps after the series ends, and what made them."""

    p10: np.ndarray
    p50: np.ndarray
    p90: np.ndarray
    source: str  # "model" or "baseline:<name>" (the provenance field's source)

    @classmethod
    def point(cls, values: np.ndarray, source: str) -> "Forecast":
        """A forecast without an interval (a baseline that gives none): all three the same."""
        return cls(values, values, values, source)


def holdout_split(series: Series) -> tuple[Series, np.ndarray]:
    """(the series without its last h points, those points): the evaluation's holdout."""
    cut = len(series) - series.frequency.horizon
    if cut < 1:
        raise ValueError(f"{series.id}: {len(series)} points, not more than its horizon")
    return series.head(cut), series.values[cut:]


YEAR_STEPS = {"h": 24 * 365, "D": 365, "W": 52, "M": 12, "Q": 4, "Y": 1}
# Syntetos and Boylan's cut-off: demand is intermittent when the mean interval between
# non-zero values exceeds 1.32 steps, i.e. fewer than 1/1.32 of the steps sell. Below one step
# in ten it is sparse: the P90 of a step is then 0, so an interval cannot cover under 90 %.
INTERMITTENT_INTERVAL = 1.32
SPARSE_SELLING_SHARE = 0.1
DEMAND_CLASSES = ("regular", "intermittent", "sparse")


def demand_class(series: Series) -> str:
    """Regular, intermittent (fewer than 1 in INTERMITTENT_INTERVAL steps non-zero) or sparse
    (fewer than SPARSE_SELLING_SHARE of them), over the last year's steps (the whole history,
    if shorter)."""
    recent = series.values[-YEAR_STEPS[series.frequency.step] :]
    selling = np.count_nonzero(recent) / max(len(recent), 1)
    if selling < SPARSE_SELLING_SHARE:
        return "sparse"
    return "intermittent" if selling * INTERMITTENT_INTERVAL < 1 else "regular"

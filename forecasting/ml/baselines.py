"""Honest baselines: seasonal naive, moving average, and Croston and TSB for intermittent
demand, each with an 80 % interval drawn from the series' own history. No Django.

P50 is always the method's point forecast (the repeated season, the mean, the demand rate);
P10 and P90 bound the interval and are widened where needed so that P10 <= P50 <= P90. A
series that never goes negative never gets a negative forecast."""

from typing import Protocol, Self

import numpy as np

from forecasting.ml.series import Forecast, Series

# Fewer in-sample errors than this give no honest 10 % / 90 % quantiles: the forecast then
# comes without an interval (P10 = P50 = P90).
MIN_ERRORS = 5
LOWER, UPPER = 0.1, 0.9


class Forecaster(Protocol):
    """What the evaluation and the forecasting capability need of a system."""

    name: str

    def fit(self, series: list[Series]) -> Self:
        """Learn from the histories (a global model learns across them); local methods do
        nothing here."""
        ...

    def forecast(self, series: list[Series], horizon: int | None = None) -> list[Forecast]:
        """One forecast per series, for `horizon` steps after its end (default: the series'
        frequency.horizon)."""
        ...


class LocalForecaster:
    """A method that forecasts each series from its own history alone."""

    name = "local"

    def fit(self, series: list[Series]) -> Self:
        return self

    def forecast(self, series: list[Series], horizon: int | None = None) -> list[Forecast]:
        result = []
        for one in series:
            steps = one.frequency.horizon if horizon is None else horizon
            p10, p50, p90 = self.quantiles(one, steps)
            if len(one.values) and one.values.min() >= 0:
                p10, p50, p90 = (np.maximum(q, 0.0) for q in (p10, p50, p90))
            result.append(Forecast(p10, p50, p90, f"baseline:{self.name}"))
        return result

    def quantiles(self, series: Series, horizon: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        raise NotImplementedError


def interval_around(
    point: np.ndarray, low: np.ndarray | float, high: np.ndarray | float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(P10, P50, P90) from error quantiles added to the point forecast, each bound moved to
    the point forecast where it would cross it (a drift can put both error quantiles on one
    side of 0)."""
    return point + np.minimum(low, 0.0), point, point + np.maximum(high, 0.0)


class SeasonalNaive(LocalForecaster):
    """Repeats the last season (period m; period 1 when the series is shorter than m).

    Interval: the 10 % and 90 % empirical quantiles of the in-sample seasonal-naive errors
    y[t] - y[t-m], times sqrt(seasons ahead) as for a seasonal random walk. With fewer than
    MIN_ERRORS errors the forecast has no interval (P10 = P50 = P90)."""

    name = "seasonal_naive"

    def __init__(self, season: int | None = None) -> None:
        self.season = season  # None: the series' frequency.season

    def quantiles(self, series: Series, horizon: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        values = series.values
        if not len(values):
            raise ValueError(f"series {series.id} is empty")
        season = self.season or series.frequency.season
        period = season if len(values) >= season else 1
        lead = np.arange(horizon)
        point = values[len(values) - period + lead % period]
        errors = values[period:] - values[:-period]
        if len(errors) < MIN_ERRORS:
            return point, point, point
        low, high = np.quantile(errors, [LOWER, UPPER])
        growth = np.sqrt(lead // period + 1)
        return interval_around(point, low * growth, high * growth)


class MovingAverage(LocalForecaster):
    """The mean of the last `window` points (all of them when the series is shorter).

    Interval: for each lead k, the 10 % and 90 % empirical quantiles of the in-sample errors
    of the same moving average made k steps before; leads too far for MIN_ERRORS errors take
    the quantiles of the farthest lead that has them."""

    name = "moving_average"

    def __init__(self, window: int = 28) -> None:
        if window < 1:
            raise ValueError(f"window must be at least 1, got {window}")
        self.window = window

    def quantiles(self, series: Series, horizon: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        values = series.values
        if not len(values):
            raise ValueError(f"series {series.id} is empty")
        window = min(self.window, len(values))
        sums = np.concatenate([[0.0], np.cumsum(values)])
        means = (sums[window:] - sums[:-window]) / window  # means[i]: values[i : i + window]
        point = np.full(horizon, means[-1])
        # leads k with at least MIN_ERRORS in-sample errors: len(values) - window - k + 1 of them
        known = min(horizon, len(values) - window - MIN_ERRORS + 1)
        if known < 1:
            return point, point, point
        # the mean of values[i : i + window] forecasts values[i + window + k - 1] at lead k
        origins = np.arange(len(values) - window)
        targets = origins[None, :] + window + np.arange(known)[:, None]
        errors = np.where(
            targets < len(values),
            values[np.minimum(targets, len(values) - 1)] - means[origins][None, :],
            np.nan,
        )
        counts = len(values) - window - np.arange(known)
        low = np.full(horizon, 0.0)
        high = np.full(horizon, 0.0)
        low[:known] = row_quantile(errors, counts, LOWER)
        high[:known] = row_quantile(errors, counts, UPPER)
        low[known:], high[known:] = low[known - 1], high[known - 1]
        return interval_around(point, low, high)


def row_quantile(rows: np.ndarray, counts: np.ndarray, q: float) -> np.ndarray:
    """np.quantile's default (linear) q-quantile of each row's first `counts` values, the rest
    being NaN: one sort for every row instead of np.nanquantile's loop over rows."""
    ordered = np.sort(rows, axis=1)  # NaN sorts last
    position = q * (counts - 1)
    below = np.floor(position).astype(np.int64)
    above = np.minimum(below + 1, counts - 1)
    index = np.arange(len(rows))
    fraction = position - below
    return ordered[index, below] * (1 - fraction) + ordered[index, above] * fraction


def smoothed(values: np.ndarray, alpha: float) -> float:
    """Simple exponential smoothing started at the first value, after the last value: the
    one-step forecast (as statsforecast's Croston and TSB compute it)."""
    if len(values) == 1:
        return float(values[0])
    decay = (1 - alpha) ** np.arange(len(values) - 2, -1, -1)
    return float((1 - alpha) ** (len(values) - 1) * values[0] + alpha * decay @ values[1:])


def intermittent_quantiles(
    probability: float, size: float, sizes: np.ndarray, horizon: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Quantiles of one period's demand when demand occurs with `probability` and its size
    follows the history's non-zero demands rescaled to mean `size`: a zero with probability
    1 - p, otherwise a size, so the q-quantile is 0 for q <= 1 - p and the size distribution's
    (q - (1 - p)) / p quantile above. P50 is the rate p x size, the methods' forecast."""
    point = np.full(horizon, probability * size)
    if probability <= 0 or len(sizes) == 0:
        return point, point, point
    scaled = sizes * (size / sizes.mean())
    bounds = []
    for q in (LOWER, UPPER):
        share = (q - (1 - probability)) / probability
        bounds.append(0.0 if share <= 0 else float(np.quantile(scaled, share)))
    return np.minimum(bounds[0], point), point, np.maximum(bounds[1], point)


class Croston(LocalForecaster):
    """Croston's method (classic): exponential smoothing (alpha) of the non-zero demand sizes
    and, separately, of the intervals between them (the first counted from the series start);
    forecast = size / interval, flat. An all-zero history forecasts 0."""

    name = "croston"

    def __init__(self, alpha: float = 0.1) -> None:
        self.alpha = alpha

    def quantiles(self, series: Series, horizon: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        values = series.values
        demand_at = np.flatnonzero(values > 0)
        if not len(demand_at):
            zeros = np.zeros(horizon)
            return zeros, zeros, zeros
        sizes = values[demand_at]
        intervals = np.diff(demand_at + 1, prepend=0).astype(np.float64)
        size = smoothed(sizes, self.alpha)
        interval = smoothed(intervals, self.alpha)
        return intermittent_quantiles(min(1.0, 1 / interval), size, sizes, horizon)


class TSB(LocalForecaster):
    """Teunter-Syntetos-Babai: exponential smoothing of the non-zero demand sizes (alpha) and
    of the probability of demand, updated every period (beta), so a product that stops selling
    decays towards 0; forecast = probability x size, flat."""

    name = "tsb"

    def __init__(self, alpha: float = 0.1, beta: float = 0.1) -> None:
        self.alpha = alpha
        self.beta = beta

    def quantiles(self, series: Series, horizon: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        values = series.values
        sizes = values[values > 0]
        if not len(sizes):
            zeros = np.zeros(horizon)
            return zeros, zeros, zeros
        probability = smoothed((values > 0).astype(np.float64), self.beta)
        size = smoothed(sizes, self.alpha)
        return intermittent_quantiles(probability, size, sizes, horizon)

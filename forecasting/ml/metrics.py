"""Forecast accuracy exactly as EVALUATION.md ("Forecasting") defines it. No Django."""

import numpy as np
from numpy.typing import ArrayLike


def seasonal_period(length: int, season: int) -> int:
    """The seasonal period a series of `length` points can support: `season`, or 1 when the
    series is shorter than two seasons (the MASE scale's rule, which the baselines share)."""
    return season if length >= 2 * season else 1


def mase_scale(history: ArrayLike, season: int) -> float | None:
    """In-sample MAE of the seasonal naive forecast (period from seasonal_period); None when
    the history has fewer than two points."""
    history = np.asarray(history, dtype=np.float64)
    period = seasonal_period(len(history), season)
    if len(history) <= period:
        return None
    return float(np.mean(np.abs(history[period:] - history[:-period])))


def mase(actual: ArrayLike, forecast: ArrayLike, history: ArrayLike, season: int) -> float | None:
    """MAE of the forecast over the in-sample MAE of seasonal naive with period `season` (1 if
    the history is shorter than 2 x season). None when that scale is 0 (a constant history) or
    undefined: such series are reported apart, never averaged in."""
    scale = mase_scale(history, season)
    if not scale:
        return None
    error = np.abs(np.asarray(actual, dtype=np.float64) - np.asarray(forecast, dtype=np.float64))
    return float(np.mean(error) / scale)


def smape(actual: ArrayLike, forecast: ArrayLike) -> float:
    """Mean over points of 200 |y - f| / (|y| + |f|), a point where both are 0 counting 0."""
    actual = np.asarray(actual, dtype=np.float64)
    forecast = np.asarray(forecast, dtype=np.float64)
    denominator = np.abs(actual) + np.abs(forecast)
    ratio = np.divide(
        200 * np.abs(actual - forecast),
        denominator,
        out=np.zeros_like(denominator),
        where=denominator > 0,
    )
    return float(np.mean(ratio))


def coverage(actual: ArrayLike, p10: ArrayLike, p90: ArrayLike) -> float:
    """Share of points inside [P10, P90], bounds included."""
    actual = np.asarray(actual, dtype=np.float64)
    inside = (np.asarray(p10) <= actual) & (actual <= np.asarray(p90))
    return float(np.mean(inside))

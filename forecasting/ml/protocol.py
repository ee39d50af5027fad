"""The forecasting evaluation of EVALUATION.md: the same holdout for every system, scored the
same way, aggregated over series and per frequency. No Django."""

import time
from collections.abc import Mapping, Sequence

import numpy as np

from forecasting.ml.baselines import Forecaster
from forecasting.ml.metrics import coverage, mase, smape
from forecasting.ml.series import Forecast, Series, demand_class, holdout_split

PROTOCOL = (
    "holdout of the last h points of each series (h and seasonal period m by frequency as in "
    "M4: yearly 6/1, quarterly 8/4, monthly 18/12, weekly 13/1, daily 14/1, hourly 48/24; store "
    "daily 28/7); every system is fit once on all the training parts together (a global model "
    "learns across series), then forecasts h steps of each; P50 is the point forecast. "
    "mase = MAE / in-sample MAE of seasonal naive with period m (period 1 if the training part "
    "is shorter than 2m); series with a zero scale are counted apart (zero_scale_series, their "
    "mean MAE as zero_scale_mae), not averaged in. smape = mean of 200|y-f|/(|y|+|f|) over "
    "points, 0 where both are 0. coverage@80 = share of held-out points in [P10, P90], null "
    "for a system that gives no interval (P10 = P90 everywhere). Metrics are means over "
    "series, overall, by frequency and by demand class (intermittent: fewer than 1 in 1.32 "
    "steps of the training part's last year non-zero, Syntetos-Boylan)."
)
DIGITS = 4


def evaluate_forecasters(systems: Mapping[str, Forecaster], series: Sequence[Series]) -> dict:
    """Runs every system under the holdout protocol on the same split. Returns
    {"protocol": PROTOCOL, "series": n, "results": {system: {"mase", "smape", "coverage@80",
    "series", "zero_scale_series", "zero_scale_mae", "fit_seconds", "forecast_seconds",
    "by_frequency": {frequency name: the same metrics and counts}}}}."""
    if not series:
        raise ValueError("no series to evaluate")
    ids = [one.id for one in series]
    if len(set(ids)) != len(ids):
        raise ValueError("series ids must be unique")
    too_short = [one.id for one in series if len(one) <= one.frequency.horizon]
    if too_short:
        raise ValueError(f"series no longer than their horizon: {', '.join(too_short[:5])}")
    splits = [holdout_split(one) for one in series]
    train = [part for part, _ in splits]
    actuals = [actual for _, actual in splits]
    frequencies = [one.frequency.name for one in series]
    demands = [demand_class(part) for part in train]

    results = {}
    for name, system in systems.items():
        started = time.perf_counter()
        system.fit(train)
        fitted = time.perf_counter()
        forecasts = system.forecast(train)
        finished = time.perf_counter()
        _check(name, forecasts, actuals)
        scores = [
            _score(part, actual, forecast)
            for part, actual, forecast in zip(train, actuals, forecasts, strict=True)
        ]
        result = _aggregate(scores)
        result["fit_seconds"] = round(fitted - started, 2)
        result["forecast_seconds"] = round(finished - fitted, 2)
        result["by_frequency"] = _grouped(scores, frequencies)
        result["by_demand"] = _grouped(scores, demands)
        results[name] = result
    return {"protocol": PROTOCOL, "series": len(series), "results": results}


def _check(name: str, forecasts: list[Forecast], actuals: list[np.ndarray]) -> None:
    if len(forecasts) != len(actuals):
        raise ValueError(f"{name} gave {len(forecasts)} forecasts for {len(actuals)} series")
    for forecast, actual in zip(forecasts, actuals, strict=True):
        for quantile in (forecast.p10, forecast.p50, forecast.p90):
            if np.shape(quantile) != actual.shape or not np.isfinite(quantile).all():
                raise ValueError(f"{name} gave a forecast that is not {len(actual)} finite numbers")


def _score(train: Series, actual: np.ndarray, forecast: Forecast) -> dict:
    return {
        "mase": mase(actual, forecast.p50, train.values, train.frequency.season),
        "mae": float(np.mean(np.abs(actual - forecast.p50))),
        "smape": smape(actual, forecast.p50),
        "coverage": coverage(actual, forecast.p10, forecast.p90),
        "interval": bool(np.any(forecast.p10 != forecast.p90)),
    }


def _grouped(scores: list[dict], keys: list[str]) -> dict:
    """The metrics of the scores of each key, keys in order of first appearance."""
    return {
        key: _aggregate([score for score, own in zip(scores, keys, strict=True) if own == key])
        for key in dict.fromkeys(keys)
    }


def _mean(values: list[float]) -> float | None:
    return round(float(np.mean(values)), DIGITS) if values else None


def _aggregate(scores: list[dict]) -> dict:
    zero_scale = [score["mae"] for score in scores if score["mase"] is None]
    has_interval = any(score["interval"] for score in scores)
    return {
        "mase": _mean([score["mase"] for score in scores if score["mase"] is not None]),
        "smape": _mean([score["smape"] for score in scores]),
        "coverage@80": _mean([score["coverage"] for score in scores]) if has_interval else None,
        "series": len(scores),
        "zero_scale_series": len(zero_scale),
        "zero_scale_mae": _mean(zero_scale),
    }

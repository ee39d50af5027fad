"""Peer systems from statsforecast, run per series: AutoETS (the `autoets` of EVALUATION.md)
and AutoTheta. statsforecast is imported inside the methods that use it. No Django."""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from itertools import repeat
from typing import Self

import numpy as np

from forecasting.ml.baselines import SeasonalNaive
from forecasting.ml.metrics import seasonal_period
from forecasting.ml.series import Forecast, Series

LEVEL = 80  # the 80 % prediction interval gives P10 and P90


class StatsForecastPeer:
    """A statsforecast model fitted to each series alone with season_length m (1 where m is 1
    or the series is shorter than two seasons). P50 is the model's mean, P10/P90 its 80 %
    prediction interval, all as the model gives them (not clipped at 0). A series the model
    cannot fit (too short, numerical failure, non-finite output) gets the seasonal naive
    forecast instead, with that provenance ("baseline:seasonal_naive"); its id is kept in
    `failures` of the last forecast call.

    `n_jobs` > 1 spreads the series over that many worker processes (spawned, not forked: the
    caller may hold TensorFlow or web-server threads)."""

    name = "statsforecast"

    def __init__(self, *, n_jobs: int = 1) -> None:
        self.n_jobs = n_jobs
        self.failures: list[str] = []

    def fit(self, series: list[Series]) -> Self:
        return self

    def model(self, season: int):
        raise NotImplementedError

    def forecast(self, series: list[Series], horizon: int | None = None) -> list[Forecast]:
        if self.n_jobs > 1 and len(series) > 1:
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(self.n_jobs, mp_context=context) as pool:
                chunk = max(1, len(series) // (4 * self.n_jobs))
                outcomes = list(
                    pool.map(self._forecast_one, series, repeat(horizon), chunksize=chunk)
                )
        else:
            outcomes = [self._forecast_one(one, horizon) for one in series]
        self.failures = [
            one.id for one, (_, failed) in zip(series, outcomes, strict=True) if failed
        ]
        return [forecast for forecast, _ in outcomes]

    def _forecast_one(self, series: Series, horizon: int | None) -> tuple[Forecast, bool]:
        """The forecast, and whether it is the fallback's."""
        steps = series.frequency.horizon if horizon is None else horizon
        season = seasonal_period(len(series.values), series.frequency.season)
        try:
            result = self.model(season).forecast(y=series.values, h=steps, level=[LEVEL])
            mean = np.asarray(result["mean"], dtype=np.float64)
            low = np.asarray(result[f"lo-{LEVEL}"], dtype=np.float64)
            high = np.asarray(result[f"hi-{LEVEL}"], dtype=np.float64)
            if not (np.isfinite(mean).all() and np.isfinite(low).all() and np.isfinite(high).all()):
                raise FloatingPointError("non-finite forecast")
        except Exception:  # any failure of the peer on one series: that series falls back
            return SeasonalNaive().forecast([series], steps)[0], True
        forecast = Forecast(
            np.minimum(low, mean), mean, np.maximum(high, mean), f"baseline:{self.name}"
        )
        return forecast, False


class AutoETSPeer(StatsForecastPeer):
    """statsforecast AutoETS: the ETS model (error, trend, season; damped or not) with the
    best AICc, per series."""

    name = "autoets"

    def model(self, season: int):
        from statsforecast.models import AutoETS

        return AutoETS(season_length=season)


class AutoThetaPeer(StatsForecastPeer):
    """statsforecast AutoTheta: the best of the standard, optimised and dynamic theta models,
    after a multiplicative seasonal decomposition where the seasonality test finds one."""

    name = "autotheta"

    def model(self, season: int):
        from statsforecast.models import AutoTheta

        return AutoTheta(season_length=season)

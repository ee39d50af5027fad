"""Demand forecasting on the ML platform: datasets, the model, its baselines and peer.

Every dataset goes through the holdout protocol of EVALUATION.md (forecasting/ml/protocol.py):
the model is trained on the training parts of all series (it learns across them), then every
system forecasts the held-out part of each series and is scored the same way.
"""

import time
from pathlib import Path

from django.conf import settings

from forecasting.ml.baselines import SeasonalNaive
from forecasting.ml.data import csv_series, real_series, scale_series
from forecasting.ml.ensemble import ModelForecaster
from forecasting.ml.peers import AutoETSPeer
from forecasting.ml.protocol import PROTOCOL, evaluate_forecasters
from forecasting.ml.series import Series, holdout_split
from ml_models.capabilities import LIVE, Capability, Dataset, ProgressReport

CSV_PREFIX = "csv:"
REAL = "real"
SCALE = "scale"
SCALE_SERIES, SCALE_DAYS = 10_000, 730


class Fitted:
    """A forecaster the platform has already trained: the protocol's `fit` must not refit it."""

    def __init__(self, forecaster) -> None:
        self.forecaster = forecaster
        self.name = forecaster.name

    def fit(self, series: list[Series]) -> "Fitted":
        return self

    def forecast(self, series: list[Series], horizon: int | None = None):
        return self.forecaster.forecast(series, horizon)


class ForecastingCapability(Capability):
    name = "forecasting"
    primary_metric = "mase"
    higher_is_better = False
    baseline_name = "seasonal_naive"
    external_datasets = (REAL, SCALE)
    demo_size = "small"
    dataset_options = ("freq", "horizon")

    def dataset_accepts(self, name: str) -> bool:
        return super().dataset_accepts(name) or name.startswith(CSV_PREFIX)

    def dataset_build(
        self, name: str = LIVE, *, freq: str | None = None, horizon: int | None = None
    ) -> Dataset:
        if (freq or horizon) and not name.startswith(CSV_PREFIX):
            raise ValueError("--freq and --horizon apply to a csv: dataset only")
        series = series_load(name, freq=freq, horizon=horizon)
        usable = [one for one in series if len(one) > one.frequency.horizon]
        if not usable:
            raise ValueError(f"{name}: no series longer than its horizon")
        return Dataset(
            train=usable,
            holdout=usable,
            protocol=PROTOCOL,
            window=_window(usable, skipped=len(series) - len(usable)),
            context={"name": name},
        )

    def train(self, dataset: Dataset, *, workdir: Path, report: ProgressReport):
        training = [holdout_split(one)[0] for one in dataset.train]
        report(0.0, f"training on the training parts of {len(training)} series")
        return ModelForecaster().fit(training)

    def save(self, model, directory: Path) -> None:
        model.save(directory)

    def load(self, directory: Path):
        return ModelForecaster.load(directory)

    def evaluate(self, predictor, dataset: Dataset) -> dict:
        # A baseline or peer is a local method the protocol fits; the model is trained already.
        system = Fitted(predictor) if isinstance(predictor, ModelForecaster) else predictor
        if dataset.context.get("name") == SCALE:
            return _scale_run(system, dataset.holdout)
        result = evaluate_forecasters({predictor.name: system}, dataset.holdout)
        metrics = result["results"][predictor.name]
        if isinstance(predictor, ModelForecaster):
            metrics["sources"] = predictor.source_counts
        return metrics

    def baseline(self, dataset: Dataset) -> SeasonalNaive:
        return SeasonalNaive()

    def peers(self, dataset: Dataset) -> dict:
        if dataset.context.get("name") == SCALE:
            return {"seasonal_naive": SeasonalNaive()}  # AutoETS on 10,000 series: hours
        return {"seasonal_naive": SeasonalNaive(), "autoets": AutoETSPeer()}

    def fallback(self) -> SeasonalNaive:
        return SeasonalNaive()


def series_load(name: str, *, freq: str | None = None, horizon: int | None = None) -> list[Series]:
    """The series of a dataset: real, scale, csv:PATH or the live store's SKUs."""
    if name == REAL:
        return real_series()
    if name == SCALE:
        return scale_series(SCALE_SERIES, SCALE_DAYS)
    if name.startswith(CSV_PREFIX):
        return csv_series(Path(name.removeprefix(CSV_PREFIX)), frequency=freq, horizon=horizon)
    if name != LIVE:
        raise ValueError(f"no dataset {name!r}: real, scale, csv:PATH or live")
    from forecasting.features import sku_series

    return sku_series(end=_last_order_day())


def _last_order_day():
    """Where a store's history ends for training and evaluation: its last day with orders (a
    demo store ends on its own date, whatever today is)."""
    from django.db.models import Max

    from storefront.models import Order

    last = Order.objects.aggregate(last=Max("created_at"))["last"]
    if last is None:
        raise ValueError("the store has no orders to learn demand from")
    return last.date()


def _scale_run(system, series: list[Series]) -> dict:
    """The scale benchmark: the wall time of forecasting every series the way the nightly job
    does, chunk after chunk in one process (training excluded), then the protocol's scores."""
    training = [holdout_split(one)[0] for one in series]
    chunk = settings.FORECAST_CHUNK_SIZE
    started = time.perf_counter()
    for start in range(0, len(training), chunk):
        system.forecast(training[start : start + chunk])
    seconds = time.perf_counter() - started
    forecaster = getattr(system, "forecaster", system)
    scores = evaluate_forecasters({system.name: system}, series)["results"][system.name]
    return scores | {
        "series": len(series),
        "forecast_seconds": round(seconds, 2),
        "train_seconds": _rounded(getattr(forecaster, "seconds", {}).get("fit")),
        "chunk_size": chunk,
    }


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 2)


def _window(series: list[Series], *, skipped: int) -> dict:
    frequencies: dict[str, int] = {}
    for one in series:
        frequencies[one.frequency.name] = frequencies.get(one.frequency.name, 0) + 1
    return {
        "series": len(series),
        "too_short_skipped": skipped,
        "frequencies": frequencies,
        "points": sum(len(one) for one in series),
    }

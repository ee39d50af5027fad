"""The batch forecast: a run, its chunks of SKUs (each forecast and written on its own, by the
tasks in parallel or here one after another), and the run's end.

A chunk forecasts its SKUs' series with the predictor the platform serves (the active model,
or the seasonal naive baseline when none is active) and writes its rows in one transaction,
replacing any it wrote before: a chunk run twice leaves one set of rows. A model that fails on a
chunk is replaced by the baseline for that chunk, and the rows say so.
"""

import logging
from datetime import date, timedelta

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from forecasting import features
from forecasting.ml.series import Forecast, Series
from forecasting.models import ForecastRun, SkuForecast
from ml_models.capabilities import capability_get
from ml_models.loader import Served, predictor_get

logger = logging.getLogger(__name__)

CAPABILITY = "forecasting"
_ERROR_LENGTH = 2000


def forecast_run_create(*, end: date | None = None) -> tuple[ForecastRun, list[list[int]]]:
    """A run over the active SKUs that sold in the history window ending on `end` (default
    yesterday), and its chunks of FORECAST_CHUNK_SIZE variant ids."""
    end = end or features.history_end_default()
    variant_ids = features.variants_with_demand(end=end)
    size = settings.FORECAST_CHUNK_SIZE
    chunks = [variant_ids[start : start + size] for start in range(0, len(variant_ids), size)]
    run = ForecastRun.objects.create(
        history_end=end,
        horizon=settings.FORECAST_HORIZON_DAYS,
        provenance=predictor_get(CAPABILITY).provenance,
        chunks=len(chunks),
    )
    logger.info("forecast run %s: %d SKUs in %d chunks", run.pk, len(variant_ids), len(chunks))
    return run, chunks


def forecast_chunk_run(*, run_id: int, variant_ids: list[int], worker: str | None = None) -> int:
    """Forecasts these variants for the run and stores their rows; returns how many. A failure
    is recorded on the run (the other chunks go on) rather than raised."""
    run = ForecastRun.objects.get(pk=run_id)
    key = variant_ids[0]
    try:
        series = features.sku_series(variant_ids=variant_ids, end=run.history_end)
        forecasts, served = _forecasts_make(series, horizon=run.horizon)
        first_date = run.history_end + timedelta(days=1)
        rows = [
            SkuForecast(
                run=run,
                variant_id=one.meta["variant_id"],
                market_id=one.meta["market_id"],
                first_date=first_date,
                p10=_stored(forecast.p10),
                p50=_stored(forecast.p50),
                p90=_stored(forecast.p90),
                provenance={"source": forecast.source, "model_version": served.model_version},
            )
            for one, forecast in zip(series, forecasts, strict=True)
        ]
        with transaction.atomic():
            SkuForecast.objects.filter(run=run, variant_id__in=variant_ids).delete()
            SkuForecast.objects.bulk_create(rows, batch_size=1000)
            _chunk_record(run_id, key, worker=worker)
    except Exception as exc:
        logger.exception("forecast run %s: the chunk from variant %s failed", run_id, key)
        _chunk_record(run_id, key, worker=worker, error=f"chunk from variant {key}: {exc!r}")
        return 0
    return len(rows)


def _forecasts_make(series: list[Series], *, horizon: int) -> tuple[list[Forecast], Served]:
    served = predictor_get(CAPABILITY)
    if not series:
        return [], served
    try:
        return served.predictor.forecast(series, horizon), served
    except Exception:
        if served.source != "model":
            raise
        logger.exception(
            "forecasting v%s failed on %d series; the baseline forecasts them",
            served.model_version,
            len(series),
        )
    capability = capability_get(CAPABILITY)
    baseline = Served(
        predictor=capability.fallback(),
        source=f"baseline:{capability.baseline_name}",
        model_version=None,
    )
    return baseline.predictor.forecast(series, horizon), baseline


def _stored(values: np.ndarray) -> list[float]:
    """Units per day as stored: never negative, to 4 decimals."""
    return np.round(np.maximum(np.asarray(values, dtype=float), 0.0), 4).tolist()


def _chunk_record(run_id: int, key: int, *, worker: str | None, error: str = "") -> None:
    """Marks a chunk done (or failed, unless it was done before) on the run; sets, so that a
    chunk run twice is counted once."""
    with transaction.atomic():
        run = ForecastRun.objects.select_for_update().get(pk=run_id)
        done, failed = set(run.chunks_done), set(run.chunks_failed)
        if not error:
            done.add(key)
            failed.discard(key)
        elif key not in done:
            failed.add(key)
            run.error = f"{run.error}\n{error}".strip()[-_ERROR_LENGTH:]
        run.chunks_done, run.chunks_failed = sorted(done), sorted(failed)
        if worker:
            run.workers = sorted({*run.workers, worker})
        run.save(update_fields=["chunks_done", "chunks_failed", "workers", "error"])


def forecast_run_finish(*, run_id: int) -> ForecastRun:
    """Records the run's end: its series, seconds and status; then deletes the forecasts of
    runs older than the last FORECAST_RUNS_KEPT."""
    with transaction.atomic():
        run = ForecastRun.objects.select_for_update().get(pk=run_id)
        run.finished_at = timezone.now()
        run.seconds = (run.finished_at - run.started_at).total_seconds()
        run.series_count = run.forecasts.count()
        missing = run.chunks - len(run.chunks_done) - len(run.chunks_failed)
        if missing > 0:
            run.error = f"{run.error}\n{missing} chunks did not report".strip()
        if run.chunks and not run.chunks_done:
            run.status = ForecastRun.Status.FAILED
        elif run.chunks_failed or missing > 0:
            run.status = ForecastRun.Status.PARTIAL
        else:
            run.status = ForecastRun.Status.SUCCEEDED
        run.save()
    kept = ForecastRun.objects.order_by("-id").values_list("id", flat=True)
    SkuForecast.objects.exclude(run_id__in=list(kept[: settings.FORECAST_RUNS_KEPT])).delete()
    logger.info(
        "forecast run %s %s: %d series in %.1f s",
        run.pk,
        run.status,
        run.series_count,
        run.seconds,
    )
    return run


def forecast_run_sync(*, end: date | None = None) -> ForecastRun:
    """The whole run in this process, chunk after chunk, without Celery."""
    run, chunks = forecast_run_create(end=end)
    for chunk in chunks:
        forecast_chunk_run(run_id=run.pk, variant_ids=chunk)
    return forecast_run_finish(run_id=run.pk)

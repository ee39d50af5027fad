"""The nightly batch forecast as a Celery chord run in-process: one SkuForecast per SKU and
market, the run finished with its numbers; idempotent chunks; new SKUs; failures."""

from datetime import timedelta

import pytest
from django.core.management import call_command

from catalog.tests.factories import VariantFactory
from forecasting import services, tasks
from forecasting.ml.baselines import SeasonalNaive
from forecasting.models import ForecastRun, SkuForecast
from forecasting.tests.conftest import today
from ml_models.loader import Served

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("forecast_settings")]


@pytest.fixture
def yesterday():
    return today() - timedelta(days=1)


@pytest.fixture
def history(us_merchant, de_merchant, sell, yesterday):
    """Three weeks of sales: the T-shirt in Germany and the US, the shirt in Germany."""
    for days_ago in range(21):
        day = yesterday - timedelta(days=days_ago)
        sell(us_merchant, day, 1 + days_ago % 3)
        if days_ago % 2:
            sell(us_merchant, day, 1, market="us")
        if days_ago % 7 == 0:
            sell(de_merchant, day, 2)


def rows_of(run: ForecastRun) -> list[tuple]:
    return sorted(SkuForecast.objects.filter(run=run).values_list("variant__sku", "market__code"))


def test_the_chord_forecasts_each_sku_and_market_and_finishes_the_run(
    history, served, in_process_tasks, django_capture_on_commit_callbacks, settings, yesterday
):
    settings.FORECAST_CHUNK_SIZE = 1  # a chunk per SKU: a chord of two

    with django_capture_on_commit_callbacks(execute=True):
        run_id = tasks.batch_forecast.delay().get()

    run = ForecastRun.objects.get(pk=run_id)
    assert rows_of(run) == [("HEMD-1", "de"), ("TEE-1", "de"), ("TEE-1", "us")]
    assert run.status == ForecastRun.Status.SUCCEEDED
    assert run.chunks == 2 and len(run.chunks_done) == 2 and run.chunks_failed == []
    assert run.series_count == 3
    assert run.worker_count == 1  # in-process: this one
    assert run.finished_at is not None and run.seconds >= 0
    assert run.provenance == {"source": "baseline:seasonal_naive", "model_version": None}
    assert run.history_end == yesterday
    forecast = SkuForecast.objects.get(run=run, variant__sku="TEE-1", market__code="de")
    assert forecast.first_date == today()
    assert len(forecast.p10) == len(forecast.p50) == len(forecast.p90) == 28
    assert forecast.provenance == {"source": "baseline:seasonal_naive", "model_version": None}
    assert all(
        p10 <= p50 <= p90
        for p10, p50, p90 in zip(*[forecast.p10, forecast.p50, forecast.p90], strict=True)
    )


def test_the_chunks_are_queued_only_once_the_run_is_committed(
    history, served, in_process_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        tasks.batch_forecast.delay()

    assert SkuForecast.objects.count() == 0
    assert len(callbacks) == 1


def test_a_chunk_run_twice_replaces_its_rows(history, served):
    run, [chunk] = services.forecast_run_create()

    services.forecast_chunk_run(run_id=run.pk, variant_ids=chunk, worker="w1")
    services.forecast_chunk_run(run_id=run.pk, variant_ids=chunk, worker="w2")

    run.refresh_from_db()
    assert len(rows_of(run)) == 3
    assert run.chunks_done == [chunk[0]]
    assert run.workers == ["w1", "w2"] and run.worker_count == 2


def test_the_latest_run_is_the_current_forecast(history, served):
    first = services.forecast_run_sync()
    second = services.forecast_run_sync()

    current = SkuForecast.objects.current()
    assert {row.run_id for row in current} == {second.pk}
    assert current.count() == 3
    assert SkuForecast.objects.filter(run=first).count() == 3  # kept: FORECAST_RUNS_KEPT


def test_old_runs_forecasts_are_deleted(history, served, settings):
    settings.FORECAST_RUNS_KEPT = 1
    first = services.forecast_run_sync()
    services.forecast_run_sync()

    assert not SkuForecast.objects.filter(run=first).exists()


def test_a_new_sku_with_three_days_of_history_gets_a_forecast(us_merchant, sell, served, yesterday):
    new = VariantFactory(product=us_merchant.product, sku="TEE-NEW")
    for days_ago in range(3):
        sell(new, yesterday - timedelta(days=days_ago), 2)

    run = services.forecast_run_sync()

    forecast = SkuForecast.objects.get(run=run, variant=new)
    assert run.status == ForecastRun.Status.SUCCEEDED
    assert len(forecast.p50) == 28 and sum(forecast.p50) > 0


class Broken:
    def forecast(self, series, horizon=None):
        raise RuntimeError("weights went missing")


def test_a_model_that_fails_is_replaced_by_the_baseline(history, served, monkeypatch):
    served["served"] = Served(predictor=Broken(), source="model", model_version=7)

    class Capability:
        baseline_name = "seasonal_naive"

        def fallback(self):
            return SeasonalNaive()

    monkeypatch.setattr("forecasting.services.capability_get", lambda name: Capability())

    run = services.forecast_run_sync()

    assert run.status == ForecastRun.Status.SUCCEEDED
    assert run.provenance == {"source": "model", "model_version": 7}
    assert {tuple(row.provenance.items()) for row in SkuForecast.objects.filter(run=run)} == {
        (("source", "baseline:seasonal_naive"), ("model_version", None))
    }


def test_a_failing_chunk_is_recorded_and_the_others_go_on(history, served, settings, de_merchant):
    settings.FORECAST_CHUNK_SIZE = 1

    class FailsOnTheShirt:
        def forecast(self, series, horizon=None):
            if any(one.meta["variant_id"] == de_merchant.pk for one in series):
                raise RuntimeError("no data")
            return SeasonalNaive().forecast(series, horizon)

    served["served"] = Served(
        predictor=FailsOnTheShirt(), source="baseline:seasonal_naive", model_version=None
    )

    run = services.forecast_run_sync()

    assert run.status == ForecastRun.Status.PARTIAL
    assert rows_of(run) == [("TEE-1", "de"), ("TEE-1", "us")]
    assert run.chunks_failed == [de_merchant.pk] and "no data" in run.error


def test_the_command_runs_a_forecast(history, served, capsys):
    call_command("forecast_run", "--sync")

    run = ForecastRun.objects.get()
    assert run.status == ForecastRun.Status.SUCCEEDED
    assert f"Forecast run {run.pk} succeeded: 3 series" in capsys.readouterr().out


def test_nothing_sold_finishes_an_empty_run(
    served, in_process_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run_id = tasks.batch_forecast.delay().get()

    run = ForecastRun.objects.get(pk=run_id)
    assert run.status == ForecastRun.Status.SUCCEEDED and run.chunks == 0
    assert run.series_count == 0


def test_the_tasks_run_on_the_inference_queue(settings):
    from storefront.celery import app

    for task in (tasks.batch_forecast, tasks.batch_forecast_chunk, tasks.batch_forecast_finish):
        assert app.amqp.router.route({}, task.name)["queue"].name == "inference"
    assert (
        settings.CELERY_BEAT_SCHEDULE["forecasting-nightly"]["task"] == "forecasting.batch_forecast"
    )

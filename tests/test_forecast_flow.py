"""Orders -> a forecasting model trained by the platform -> the nightly batch forecast ->
stockout outlook for the merchant: what a store runs after `make run`."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from forecasting.models import ForecastRun, SkuForecast
from forecasting.selectors import sku_detail
from forecasting.services import forecast_run_sync
from ml_models.loader import loaders_reset
from ml_models.models import ModelVersion
from storefront.demo.generate import demo_store_seed


@pytest.fixture(scope="module")
def store_with_model(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        demo_store_seed(size_name="small", seed=0, end=date.today())
        call_command("retrain", "forecasting", "--sync", "--force", stdout=StringIO())
        loaders_reset()
        yield ModelVersion.objects.get(capability="forecasting", status="active")
        call_command("flush", "--noinput", verbosity=0)
        loaders_reset()  # the model is gone with the data: later tests must not be scored by it


@pytest.mark.django_db
def test_the_nightly_forecast_serves_the_trained_model_with_its_fallbacks(store_with_model):
    run = forecast_run_sync()

    assert run.status == ForecastRun.Status.SUCCEEDED
    rows = SkuForecast.objects.filter(run=run)
    assert rows.count() == run.series_count > 0
    versions = {row.provenance["model_version"] for row in rows}
    sources = {row.provenance["source"] for row in rows}
    assert versions == {store_with_model.version}
    assert "model" in sources  # and baselines where they won a series' backtest
    assert all(source == "model" or source.startswith("baseline:") for source in sources)

    detail = sku_detail(variant=rows.filter(provenance__source="model").first().variant)
    assert detail.outlook is not None and detail.outlook.estimate.days_of_cover >= 0
    assert "model" in detail.outlook.sources

"""`evaluate forecasting` on a merchant's CSV: the protocol end to end, and the options."""

import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from forecasting.capability import ForecastingCapability


def csv_write(path, *, series: int = 12, days: int = 200) -> None:
    """Daily sales with a weekly pattern; every third series a slow seller."""
    rng = np.random.default_rng(0)
    dates = np.arange(np.datetime64("2026-01-01"), np.datetime64("2026-01-01") + days)
    weekly = np.array([1.0, 0.8, 0.9, 1.0, 1.3, 1.8, 1.5])
    lines = ["series_id,date,value"]
    for number in range(series):
        rate = 0.2 if number % 3 == 0 else 5.0 + number
        values = rng.poisson(rate * weekly[np.arange(days) % 7])
        lines += [f"sku-{number},{day},{value}" for day, value in zip(dates, values, strict=True)]
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.django_db
def test_a_stores_csv_runs_the_protocol_with_every_system(tmp_path):
    path = tmp_path / "sales.csv"
    csv_write(path)
    out = StringIO()

    call_command("evaluate", "forecasting", "--dataset", f"csv:{path}", "--json", stdout=out)

    report = json.loads(out.getvalue().splitlines()[-1])
    assert set(report["results"]) == {"model", "seasonal_naive", "autoets"}
    assert report["window"]["frequencies"] == {"store_daily": 12}
    model = report["results"]["model"]
    assert model["series"] == 12 and model["mase"] > 0
    assert set(model["by_frequency"]) == {"store_daily"}
    assert sum(model["sources"].values()) == 12
    assert report["results"]["seasonal_naive"]["coverage@80"] is not None


@pytest.mark.django_db
def test_the_horizon_and_frequency_of_a_csv_can_be_overridden(tmp_path):
    path = tmp_path / "sales.csv"
    csv_write(path, series=2, days=60)

    dataset = ForecastingCapability().dataset_build(f"csv:{path}", freq="daily", horizon=7)

    assert {(one.frequency.name, one.frequency.horizon) for one in dataset.train} == {("daily", 7)}


def test_options_are_refused_where_they_mean_nothing():
    with pytest.raises(ValueError, match="csv: dataset only"):
        ForecastingCapability().dataset_build("real", horizon=7)
    with pytest.raises(CommandError, match="fraud takes no --horizon"):
        call_command("evaluate", "fraud", "--dataset", "live", "--horizon", "7")

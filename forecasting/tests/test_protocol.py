import numpy as np
import pytest

from forecasting.ml.baselines import SeasonalNaive
from forecasting.ml.metrics import mase, smape
from forecasting.ml.protocol import evaluate_forecasters
from forecasting.ml.series import FREQUENCIES, Forecast, Series

START = np.datetime64("2020-01-01")


def make(series_id, values, frequency):
    return Series(series_id, np.asarray(values, dtype=np.float64), FREQUENCIES[frequency], START)


class LastValue:
    """A point forecast (no interval) that records what it was fitted on."""

    name = "last_value"

    def fit(self, series):
        self.fitted_on = {one.id: len(one) for one in series}
        return self

    def forecast(self, series, horizon=None):
        return [
            Forecast.point(np.full(one.frequency.horizon, one.values[-1]), "baseline:last")
            for one in series
        ]


@pytest.fixture
def series():
    rng = np.random.default_rng(0)
    return [
        make("y1", 100 + np.cumsum(rng.normal(1, 2, 20)), "yearly"),
        make("y2", 50 + np.cumsum(rng.normal(0, 1, 20)), "yearly"),
        make("q1", 10 + np.tile([1.0, 3, 2, 5], 6) + rng.normal(0, 0.3, 24), "quarterly"),
        make("flat", [7.0] * 20, "yearly"),  # a constant history: MASE scale 0
    ]


def test_every_system_is_fit_once_on_all_training_parts(series):
    system = LastValue()
    evaluate_forecasters({"last": system}, series)
    assert system.fitted_on == {"y1": 14, "y2": 14, "q1": 16, "flat": 14}


def test_metrics_are_means_over_series_and_by_frequency(series):
    report = evaluate_forecasters({"last": LastValue(), "naive": SeasonalNaive()}, series)
    result = report["results"]["last"]
    expected = {}
    for one in series:
        train, actual = one.values[: -one.frequency.horizon], one.values[-one.frequency.horizon :]
        forecast = np.full(len(actual), train[-1])
        season = one.frequency.season
        expected[one.id] = (mase(actual, forecast, train, season), smape(actual, forecast))
    assert result["series"] == 4
    assert result["zero_scale_series"] == 1
    assert result["zero_scale_mae"] == 0.0
    assert result["mase"] == pytest.approx(
        np.mean([expected[key][0] for key in ("y1", "y2", "q1")]), abs=1e-4
    )
    assert result["smape"] == pytest.approx(np.mean([value[1] for value in expected.values()]))
    assert result["coverage@80"] is None  # P10 = P90 everywhere: no interval
    yearly = result["by_frequency"]["yearly"]
    assert (yearly["series"], yearly["zero_scale_series"]) == (3, 1)
    assert yearly["mase"] == pytest.approx(
        np.mean([expected["y1"][0], expected["y2"][0]]), abs=1e-4
    )
    quarterly = result["by_frequency"]["quarterly"]
    assert quarterly["mase"] == pytest.approx(expected["q1"][0], abs=1e-4)
    assert quarterly["zero_scale_mae"] is None
    naive = report["results"]["naive"]
    assert 0 <= naive["coverage@80"] <= 1
    assert naive["fit_seconds"] >= 0 and naive["forecast_seconds"] >= 0
    assert "last h points" in report["protocol"]


def test_metrics_are_also_reported_by_demand_class():
    sparse = np.zeros(40)
    sparse[::5] = 3.0  # one step in five sells: intermittent
    series = [
        make("dense", 10 + np.arange(40.0) % 3, "quarterly"),
        make("sparse", sparse, "quarterly"),
    ]

    result = evaluate_forecasters({"naive": SeasonalNaive()}, series)["results"]["naive"]

    assert list(result["by_demand"]) == ["regular", "intermittent"]
    assert result["by_demand"]["regular"]["series"] == 1
    assert result["by_demand"]["intermittent"]["series"] == 1
    assert result["mase"] == pytest.approx(
        np.mean([result["by_demand"][demand]["mase"] for demand in ("regular", "intermittent")]),
        abs=1e-4,
    )


def test_series_no_longer_than_the_horizon_are_refused():
    with pytest.raises(ValueError, match="no longer than their horizon"):
        evaluate_forecasters({"last": LastValue()}, [make("short", [1.0] * 6, "yearly")])


def test_a_system_that_skips_series_is_an_error(series):
    class Lazy(LastValue):
        def forecast(self, series, horizon=None):
            return super().forecast(series[:1], horizon)

    with pytest.raises(ValueError, match="1 forecasts for 4 series"):
        evaluate_forecasters({"lazy": Lazy()}, series)

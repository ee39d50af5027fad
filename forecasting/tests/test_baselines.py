import numpy as np
import pytest

from forecasting.ml.baselines import TSB, Croston, MovingAverage, SeasonalNaive
from forecasting.ml.peers import AutoETSPeer, AutoThetaPeer
from forecasting.ml.series import FREQUENCIES, Series

START = np.datetime64("2024-01-01")


def make(values, frequency="store_daily", series_id="s"):
    return Series(series_id, np.asarray(values, dtype=np.float64), FREQUENCIES[frequency], START)


def assert_ordered(forecast):
    assert np.all(forecast.p10 <= forecast.p50)
    assert np.all(forecast.p50 <= forecast.p90)


def test_seasonal_naive_repeats_the_last_season():
    values = [5, 1, 1, 1, 1, 1, 9] * 3 + [6, 2, 2, 2, 2, 2, 10]
    forecast = SeasonalNaive().forecast([make(values)], horizon=10)[0]
    np.testing.assert_array_equal(forecast.p50, [6, 2, 2, 2, 2, 2, 10, 6, 2, 2])
    assert forecast.source == "baseline:seasonal_naive"


def test_seasonal_naive_uses_period_one_when_shorter_than_a_season():
    forecast = SeasonalNaive().forecast([make([4, 5, 3])], horizon=3)[0]
    np.testing.assert_array_equal(forecast.p50, [3, 3, 3])


def test_seasonal_naive_interval_grows_with_the_seasons_ahead():
    rng = np.random.default_rng(0)
    values = 50 + np.tile([5.0, 0, 0, 0, 0, 0, 8], 10) + rng.normal(0, 2, 70)
    forecast = SeasonalNaive().forecast([make(values)], horizon=28)[0]
    assert_ordered(forecast)
    errors = values[7:] - values[:-7]
    low, high = np.quantile(errors, [0.1, 0.9])
    assert forecast.p90[0] - forecast.p50[0] == pytest.approx(high)
    assert forecast.p10[0] - forecast.p50[0] == pytest.approx(low)
    # leads 8..14 are two seasons ahead, 22..28 four
    assert forecast.p90[7] - forecast.p50[7] == pytest.approx(high * np.sqrt(2))
    assert forecast.p90[27] - forecast.p50[27] == pytest.approx(high * 2)


def test_seasonal_naive_without_enough_errors_gives_no_interval():
    forecast = SeasonalNaive().forecast([make([3, 4, 5, 6, 7, 8, 9, 10, 11])], horizon=4)[0]
    np.testing.assert_array_equal(forecast.p10, forecast.p50)
    np.testing.assert_array_equal(forecast.p90, forecast.p50)


def test_baselines_never_forecast_below_zero_for_demand():
    values = np.tile([0.0, 0, 0, 0, 0, 0, 20], 8)
    for forecaster in (SeasonalNaive(), MovingAverage(window=7), Croston(), TSB()):
        forecast = forecaster.forecast([make(values)])[0]
        assert len(forecast.p50) == 28  # store_daily's horizon by default
        assert forecast.p10.min() >= 0
        assert_ordered(forecast)


def test_moving_average_forecasts_the_mean_of_the_window():
    values = np.arange(40, dtype=np.float64)
    forecast = MovingAverage(window=4).forecast([make(values)], horizon=5)[0]
    np.testing.assert_allclose(forecast.p50, [37.5] * 5)
    # a rising series: every in-sample error is positive, so the interval lies above
    np.testing.assert_allclose(forecast.p10, forecast.p50)
    np.testing.assert_allclose(forecast.p90 - forecast.p50, [2.5, 3.5, 4.5, 5.5, 6.5])
    assert forecast.source == "baseline:moving_average"


INTERMITTENT = [0, 0, 3, 0, 5, 0, 0, 0, 2]


def test_croston_by_hand():
    # sizes 3, 5, 2 smoothed (0.1): 3 -> 3.2 -> 3.08; intervals 3, 2, 4: 3 -> 2.9 -> 3.01
    forecast = Croston().forecast([make(INTERMITTENT)], horizon=3)[0]
    np.testing.assert_allclose(forecast.p50, [3.08 / 3.01] * 3)
    assert forecast.source == "baseline:croston"


def test_tsb_by_hand():
    # demand happened: 0 0 1 0 1 0 0 0 1 smoothed (0.1) from 0 -> 0.2187541; sizes -> 3.08
    forecast = TSB().forecast([make(INTERMITTENT)], horizon=3)[0]
    np.testing.assert_allclose(forecast.p50, [0.2187541 * 3.08] * 3)
    # demand with probability p: P10 is no demand; P90 the (0.9 - (1 - p)) / p quantile of the
    # past sizes rescaled to their smoothed mean
    probability = 0.2187541
    sizes = np.array([3.0, 5.0, 2.0]) * 3.08 / (10 / 3)
    np.testing.assert_array_equal(forecast.p10, [0, 0, 0])
    expected = np.quantile(sizes, (0.9 - (1 - probability)) / probability)
    np.testing.assert_allclose(forecast.p90, [expected] * 3)


def test_croston_and_tsb_agree_with_statsforecast():
    from statsforecast import models

    rng = np.random.default_rng(3)
    values = (rng.random(300) < 0.2) * rng.poisson(3, 300).astype(np.float64)
    series = make(values)
    np.testing.assert_allclose(
        Croston().forecast([series], 5)[0].p50, models.CrostonClassic().forecast(values, 5)["mean"]
    )
    np.testing.assert_allclose(
        TSB().forecast([series], 5)[0].p50, models.TSB(0.1, 0.1).forecast(values, 5)["mean"]
    )


def test_intermittent_methods_forecast_zero_without_demand():
    for forecaster in (Croston(), TSB()):
        forecast = forecaster.forecast([make([0.0] * 20)], horizon=4)[0]
        np.testing.assert_array_equal(forecast.p90, [0, 0, 0, 0])


def seasonal_monthly(length=48, seed=0):
    rng = np.random.default_rng(seed)
    months = np.arange(length)
    values = 100 + months + 20 * np.sin(2 * np.pi * months / 12) + rng.normal(0, 3, length)
    return make(values, "monthly", f"monthly-{seed}")


@pytest.mark.parametrize("peer", [AutoETSPeer, AutoThetaPeer])
def test_statsforecast_peers_give_ordered_quantiles(peer):
    system = peer()
    forecasts = system.fit([]).forecast([seasonal_monthly()])
    forecast = forecasts[0]
    assert len(forecast.p50) == 18
    assert_ordered(forecast)
    assert np.any(forecast.p10 < forecast.p90)
    assert forecast.source == f"baseline:{system.name}"
    assert system.failures == []


def test_a_series_the_peer_cannot_fit_falls_back_to_seasonal_naive():
    system = AutoETSPeer()
    forecasts = system.forecast([make([3.0, 4.0], "yearly", "tiny"), seasonal_monthly()])
    assert system.failures == ["tiny"]
    assert forecasts[0].source == "baseline:seasonal_naive"
    np.testing.assert_array_equal(forecasts[0].p50, [4.0] * 6)
    assert forecasts[1].source == "baseline:autoets"


def test_peer_forecasts_the_same_in_worker_processes():
    series = [seasonal_monthly(seed=seed) for seed in range(3)]
    series.append(make([3.0, 4.0], "yearly", "tiny"))
    alone, spread = AutoThetaPeer(), AutoThetaPeer(n_jobs=2)
    expected, actual = alone.forecast(series), spread.forecast(series)
    for one, other in zip(expected, actual, strict=True):
        np.testing.assert_allclose(one.p50, other.p50)
        np.testing.assert_allclose(one.p90, other.p90)
    assert alone.failures == spread.failures == ["tiny"]

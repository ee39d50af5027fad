"""The global forecasting network and the served forecaster, on tiny synthetic data: seconds,
no database, no GPU."""

import json
from dataclasses import replace

import numpy as np
import pytest

from forecasting.ml.baselines import TSB, SeasonalNaive
from forecasting.ml.ensemble import EnsembleConfig, ModelForecaster
from forecasting.ml.model import ModelConfig, network_train
from forecasting.ml.series import FREQUENCIES, Series, demand_class, holdout_split

DAILY = FREQUENCIES["store_daily"]  # h=28, m=7
START = np.datetime64("2024-01-01")  # a Monday
TINY = ModelConfig(hidden=(32,), steps=600, min_steps=600, batch_size=128, windows_per_series=64)


def weekly_series(count: int, days: int = 240, seed: int = 0, noise: float = 1.0) -> list[Series]:
    """A clean weekly pattern per series (its own profile and level) plus Gaussian noise."""
    rng = np.random.default_rng(seed)
    result = []
    for index in range(count):
        profile = rng.uniform(0.5, 1.5, 7)
        level = rng.uniform(5, 20)
        values = level * profile[np.arange(days) % 7] + rng.normal(0, noise, days)
        result.append(Series(f"weekly-{index}", np.maximum(values, 0), DAILY, START))
    return result


def intermittent_series(count: int, days: int = 240, seed: int = 1) -> list[Series]:
    rng = np.random.default_rng(seed)
    return [
        Series(
            f"slow-{index}", rng.poisson(rng.uniform(0.1, 0.6), days).astype(float), DAILY, START
        )
        for index in range(count)
    ]


def promoted_series(count: int, days: int = 240, seed: int = 2) -> list[Series]:
    """Demand that triples while a promotion runs (random 4-day runs), covariates known over the
    history and the horizon."""
    rng = np.random.default_rng(seed)
    result = []
    for index in range(count):
        promotion = np.zeros(days + DAILY.horizon)
        for start in rng.choice(days + DAILY.horizon - 4, 8, replace=False):
            promotion[start : start + 4] = 1.0
        mean = rng.uniform(4, 12) * (1 + 2 * promotion[:days])
        values = rng.poisson(mean).astype(float)
        result.append(Series(f"promo-{index}", values, DAILY, START, promotion=promotion))
    return result


@pytest.fixture(scope="module")
def fitted() -> tuple[ModelForecaster, list[Series]]:
    """A forecaster fit on the training parts of weekly and intermittent series, plus one
    series that repeats the same week exactly (seasonal naive is perfect on it)."""
    periodic = Series(
        "periodic", np.tile([3.0, 9.0, 1.0, 7.0, 2.0, 8.0, 5.0], 34)[:240], DAILY, START
    )
    series = [*weekly_series(12), *intermittent_series(12), periodic]
    train = [holdout_split(s)[0] for s in series]
    forecaster = ModelForecaster(EnsembleConfig(network=TINY)).fit(train)
    return forecaster, train


def test_network_learns_a_weekly_pattern_better_than_seasonal_naive():
    series = weekly_series(30, seed=3)
    splits = [holdout_split(s) for s in series]
    train = [part for part, _ in splits]
    actual = np.array([future for _, future in splits])

    network = network_train(train, DAILY, TINY)
    learned = network.quantiles(train)[:, 1]
    naive = np.array([f.p50 for f in SeasonalNaive().forecast(train)])

    assert np.abs(learned - actual).mean() < 0.95 * np.abs(naive - actual).mean()


def test_quantiles_are_ordered_and_non_negative(fitted):
    forecaster, train = fitted
    forecasts = forecaster.forecast(train)

    assert len(forecasts) == len(train)
    for forecast in forecasts:
        assert forecast.p50.shape == (DAILY.horizon,)
        assert (forecast.p10 <= forecast.p50).all() and (forecast.p50 <= forecast.p90).all()
        assert (forecast.p10 >= 0).all()
    assert any((f.p90 > f.p10).any() for f in forecasts)  # an interval, not a point


def test_a_shorter_horizon_is_the_start_of_the_full_one(fitted):
    forecaster, train = fitted
    full, short = forecaster.forecast(train[:3]), forecaster.forecast(train[:3], horizon=7)

    for whole, start in zip(full, short, strict=True):
        np.testing.assert_array_equal(whole.p50[:7], start.p50)


def test_save_and_load_give_identical_forecasts(fitted, tmp_path):
    forecaster, train = fitted
    forecaster.save(tmp_path / "model")
    loaded = ModelForecaster.load(tmp_path / "model")

    for before, after in zip(forecaster.forecast(train), loaded.forecast(train), strict=True):
        np.testing.assert_array_equal(before.p10, after.p10)
        np.testing.assert_array_equal(before.p50, after.p50)
        np.testing.assert_array_equal(before.p90, after.p90)
        assert before.source == after.source
    assert loaded.choices == forecaster.choices


def test_demand_is_intermittent_under_one_step_in_1_32_and_sparse_under_one_in_10():
    rarely = np.zeros(365)
    rarely[::2] = 1.0  # half the days: a mean interval of 2 steps
    mostly = np.ones(365)
    mostly[::5] = 0.0  # 4 days in 5
    seldom = np.zeros(365)
    seldom[::11] = 2.0

    assert demand_class(Series("rarely", rarely, DAILY, START)) == "intermittent"
    assert demand_class(Series("mostly", mostly, DAILY, START)) == "regular"
    assert demand_class(Series("seldom", seldom, DAILY, START)) == "sparse"
    old_sales = np.concatenate([np.ones(400), np.zeros(365)])  # only the last year counts
    assert demand_class(Series("stopped", old_sales, DAILY, START)) == "sparse"


def test_intervals_are_calibrated_apart_for_each_demand_class(fitted):
    forecaster, train = fitted
    family = forecaster.families["store_daily"]
    # 13 regular (the weekly series and the periodic one) and 12 intermittent, 3 windows each,
    # of which 3 windows' histories sold on under a tenth of the days
    assert family.backtest["rows_by_demand"] == {"regular": 39, "intermittent": 33, "sparse": 3}
    assert family.intervals["regular"] != family.intervals["intermittent"]

    saved = dict(family.intervals)
    try:
        family.intervals = saved | {"regular": (0.0, 0.0)}
        forecasts = dict(zip([s.id for s in train], forecaster.forecast(train), strict=True))
    finally:
        family.intervals = saved
    weekly, slow = forecasts["weekly-0"], forecasts["slow-0"]
    np.testing.assert_array_equal(weekly.p10, weekly.p50)
    np.testing.assert_array_equal(weekly.p90, weekly.p50)
    assert (slow.p90 > slow.p50).any()


def test_a_forecaster_saved_with_one_pair_of_interval_factors_still_loads(fitted, tmp_path):
    forecaster, _ = fitted
    forecaster.save(tmp_path / "model")
    state_file = tmp_path / "model" / "forecaster.json"
    state = json.loads(state_file.read_text())
    family = state["families"]["store_daily"]
    del family["intervals"]
    family |= {"lower": 1.5, "upper": 0.5}  # the format before factors per demand class
    state_file.write_text(json.dumps(state))

    loaded = ModelForecaster.load(tmp_path / "model")

    assert loaded.families["store_daily"].intervals == {
        "regular": (1.5, 0.5),
        "intermittent": (1.5, 0.5),
        "sparse": (1.5, 0.5),
    }


def test_a_series_whose_backtest_a_baseline_won_is_served_by_it(fitted):
    forecaster, train = fitted
    periodic = next(s for s in train if s.id == "periodic")

    forecast = forecaster.forecast([periodic])[0]

    assert forecaster.choices["periodic"] == "baseline:seasonal_naive"
    assert forecast.source == "baseline:seasonal_naive"
    np.testing.assert_allclose(forecast.p50, SeasonalNaive().forecast([periodic])[0].p50)
    counts = forecaster.source_counts
    assert counts["baseline:seasonal_naive"] >= 1 and counts["model"] >= 1
    assert sum(counts.values()) == len(train)


def test_the_model_serves_most_series_it_forecasts_better(fitted):
    forecaster, train = fitted
    weekly = [s for s in train if s.id.startswith("weekly-")]

    sources = [f.source for f in forecaster.forecast(weekly)]
    assert sources.count("model") >= 0.75 * len(weekly)


def test_an_unseen_series_is_backtested_when_it_is_forecast(fitted):
    forecaster, train = fitted
    periodic = next(s for s in train if s.id == "periodic")
    unseen = Series("periodic-copy", periodic.values, DAILY, START)

    assert forecaster.forecast([unseen])[0].source == "baseline:seasonal_naive"
    assert "periodic-copy" not in forecaster.choices


def test_a_planned_promotion_raises_the_forecast_on_its_days():
    train = [holdout_split(s)[0] for s in promoted_series(30)]
    network = network_train(train, DAILY, TINY)
    quiet = train[0]
    promotion = np.zeros(len(quiet) + DAILY.horizon)
    promotion[len(quiet) + 7 : len(quiet) + 11] = 1.0  # days 8-11 of the horizon
    planned = Series(quiet.id, quiet.values, DAILY, START, promotion=promotion)
    without = Series(quiet.id, quiet.values, DAILY, START, promotion=promotion * 0)

    with_promotion = network.quantiles([planned])[0, 1]
    without_promotion = network.quantiles([without])[0, 1]

    assert (with_promotion[7:11] > 1.3 * without_promotion[7:11]).all()


def test_the_guardrail_catches_a_forecast_far_beyond_anything_the_series_sold():
    from forecasting.ml.ensemble import _beyond_history
    from forecasting.ml.series import FREQUENCIES

    slow = np.zeros(400)
    slow[[50, 140, 230, 320]] = 1.0  # one sale a quarter
    steady = np.random.default_rng(0).poisson(5.0, 400).astype(float)

    def series(values):
        return Series("s", values, FREQUENCIES["store_daily"], np.datetime64("2025-01-01"))

    guardrail = EnsembleConfig().guardrail  # 3 times the most sold in as many days
    assert _beyond_history(series(slow), np.full(28, 2.0), guardrail)  # 56 units: wildly beyond
    assert not _beyond_history(series(slow), np.full(28, 0.03), guardrail)
    assert not _beyond_history(series(steady), np.full(28, 6.0), guardrail)  # a little more


def test_a_guarded_series_gets_the_baselines_interval_as_well_as_its_p50(fitted):
    forecaster, train = fitted
    weekly = [s for s in train if s.id.startswith("weekly-")]
    saved = forecaster.config
    try:
        forecaster.config = replace(saved, guardrail=0.0)  # any positive forecast is guarded
        forecasts = forecaster.forecast(weekly)
    finally:
        forecaster.config = saved

    expected = TSB().forecast(weekly)
    assert all(forecast.source == "baseline:tsb" for forecast in forecasts)
    for forecast, tsb in zip(forecasts, expected, strict=True):
        np.testing.assert_allclose(forecast.p50, tsb.p50)
        np.testing.assert_allclose(forecast.p10, tsb.p10)
        np.testing.assert_allclose(forecast.p90, tsb.p90)

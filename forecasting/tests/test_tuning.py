"""Choosing settings on the validation split: the test part is never read."""

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from forecasting.ml.ensemble import EnsembleConfig
from forecasting.ml.series import Series
from forecasting.ml.tuning import grid_settings, settings_tune, validation_series
from forecasting.tests.test_model import DAILY, START, TINY, intermittent_series, weekly_series


def test_the_validation_split_never_reaches_the_test_part():
    long = Series("long", np.arange(100, dtype=float), DAILY, START)
    short = Series("short", np.arange(50, dtype=float), DAILY, START)  # 22 left: under h=28

    (validation,) = validation_series([long, short])

    assert validation.id == "long"
    assert validation.values.tolist() == list(range(100 - DAILY.horizon))


def test_a_grid_is_every_combination_of_known_settings():
    assert grid_settings({"switch_margin": (0.0, 0.4), "backtest_windows": (2, 3)}) == [
        {"switch_margin": 0.0, "backtest_windows": 2},
        {"switch_margin": 0.0, "backtest_windows": 3},
        {"switch_margin": 0.4, "backtest_windows": 2},
        {"switch_margin": 0.4, "backtest_windows": 3},
    ]
    with pytest.raises(ValueError, match="learning_rate"):
        grid_settings({"learning_rate": (0.1,)})


def test_an_interval_setting_is_chosen_by_coverage_and_moves_only_the_intervals():
    series = [*weekly_series(6, days=200), *intermittent_series(6, days=200)]

    result = settings_tune(
        series, {"interval_horizon_exponent": (0.0, 1.0)}, base=EnsembleConfig(network=TINY)
    )

    rows, points = result["trials"]
    assert result["series"] == 12
    assert rows["mase"] == pytest.approx(points["mase"])
    # Counting every point as independent gives the smaller correction: never wider intervals.
    assert rows["coverage@80"] >= points["coverage@80"]
    nearest = min(result["trials"], key=lambda trial: abs(trial["coverage@80"] - 0.8))
    assert result["chosen"] == nearest["settings"]


def test_the_command_refuses_an_unknown_setting():
    with pytest.raises(CommandError, match="not settings of the forecaster"):
        call_command("forecast_tune", "--grid", "learning_rate=0.1")


def test_the_command_refuses_an_unknown_dataset():
    with pytest.raises(CommandError, match="no dataset 'demo'"):
        call_command("forecast_tune", "--dataset", "demo")

import numpy as np
import pytest

from forecasting.ml.metrics import coverage, mase, mase_scale, seasonal_period, smape


def test_mase_divides_by_the_naive_in_sample_error():
    # scale: |2-1|, |3-2|, |5-3| -> 4/3; forecast MAE (1 + 2) / 2 = 1.5
    assert mase([6, 7], [5, 5], [1, 2, 3, 5], season=1) == pytest.approx(1.5 / (4 / 3))


def test_mase_uses_the_seasonal_period_when_two_seasons_are_known():
    history = [1, 2, 3, 4, 2, 3, 4, 5]  # every seasonal difference (period 4) is 1
    assert mase_scale(history, season=4) == pytest.approx(1.0)
    assert mase([3], [2], history, season=4) == pytest.approx(1.0)


def test_mase_falls_back_to_period_one_below_two_seasons():
    history = [1, 2, 3, 4, 2, 3, 4]  # 7 < 2 x 4: differences 1, 1, 1, -2, 1, 1
    assert seasonal_period(7, 4) == 1
    assert mase_scale(history, season=4) == pytest.approx(7 / 6)
    assert mase([5], [4], history, season=4) == pytest.approx(6 / 7)


def test_mase_is_none_when_the_scale_is_zero_or_undefined():
    assert mase([5, 6], [5, 5], [3, 3, 3, 3], season=1) is None
    assert mase([5], [5], [3], season=1) is None


def test_smape_counts_both_zero_as_zero():
    # 0, 200 * 50 / 150, 0
    assert smape([0, 100, 50], [0, 50, 50]) == pytest.approx(200 / 9)
    assert smape([0], [5]) == pytest.approx(200.0)
    assert smape([0, 0], [0, 0]) == 0.0


def test_coverage_includes_the_bounds():
    assert coverage([1, 2, 3, 4], [1, 1, 1, 1], [3, 3, 3, 3]) == pytest.approx(0.75)
    assert coverage(np.array([2.0]), np.array([2.0]), np.array([2.0])) == 1.0

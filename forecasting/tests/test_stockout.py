"""Days of cover, stockout date and probability, and the reorder quantity, checked against
arithmetic done by hand."""

from datetime import timedelta
from statistics import NormalDist

import numpy as np
import pytest

from catalog.models import Variant
from forecasting.models import SkuForecast
from forecasting.selectors import Demand, sku_outlook, stockout_estimate
from forecasting.tests.conftest import today

# Half the P10-P90 span of a normal with sigma 1: P10 = P50 - 1.2816, P90 = P50 + 1.2816.
Z90 = NormalDist().inv_cdf(0.9)


def with_sigma_one(p50: list[float]) -> Demand:
    p50 = np.array(p50, dtype=float)
    return Demand.from_quantiles(p50 - Z90, p50, p50 + Z90)


def test_the_hand_computed_example():
    # Stock on hand 10; supplier lead time 3 days; review period 2 days; service level 95 %.
    # Daily P50 3, 4, 5, then 2 a day; P90 - P10 = 2.563 every day, so sigma = 2.563 / 2.563 = 1.
    demand = with_sigma_one([3, 4, 5] + [2] * 25)

    estimate = stockout_estimate(
        on_hand=10, lead_time_days=3, demand=demand, service_level=0.95, review_days=2
    )

    # Cumulative P50: 3, 7, 12. Days 0 and 1 stay within 10; day 2 (12) does not:
    # 2 days of cover, stockout on day 2 (today + 2), before the 3-day lead time is over.
    assert estimate.days_of_cover == 2
    assert estimate.stockout_day == 2
    assert not estimate.covers_horizon
    assert estimate.at_risk
    # Lead-time demand: mean 3 + 4 + 5 = 12, variance 1 + 1 + 1 = 3, less than the mean: a
    # count, Poisson(12). P(demand > 10) = 1 - sum over k = 0..10 of e^-12 12^k / k!
    # = 1 - 0.3472 = 0.6528.
    assert estimate.stockout_probability == pytest.approx(0.6528, abs=1e-4)
    # Reorder: the 95 % quantile of Poisson(12) is 18 (F(17) = 0.9370, F(18) = 0.9626), plus the
    # review period's mean demand (days 3 and 4: 2 + 2 = 4), less the 10 on hand: 12 units.
    assert estimate.reorder_quantity == 12


def test_overdispersed_lead_time_demand_is_negative_binomial():
    # Daily P50 1, 1, 2 with sigma 2: lead-time mean 4, variance 4 + 4 + 4 = 12 > 4.
    demand = Demand(mean=np.array([1.0, 1.0, 2.0]), sigma=np.array([2.0, 2.0, 2.0]))

    estimate = stockout_estimate(
        on_hand=3, lead_time_days=3, demand=demand, service_level=0.95, review_days=0
    )

    # Negative binomial with p = mean / variance = 1/3 and r = mean^2 / (variance - mean) = 2:
    # P(k) = (k + 1) (1/3)^2 (2/3)^k: 0.1111, 0.1481, 0.1481, 0.1317 for k = 0..3, so
    # P(demand > 3) = 1 - 0.5391 = 0.4609.
    assert estimate.stockout_probability == pytest.approx(0.4609, abs=1e-4)
    # Its 95 % quantile is 11: reorder 11 - 3 = 8.
    assert estimate.reorder_quantity == 8


def test_a_slow_seller_can_sell_its_last_unit_within_the_lead_time():
    # 0.05 units a day and no spread in the forecast (P10 = P50 = P90, as for a sparse seller):
    # the lead time's 14 days still hold Poisson(0.7) sales, not exactly 0.7 of a unit.
    demand = Demand.from_quantiles(*[np.full(28, 0.05)] * 3)

    estimate = stockout_estimate(
        on_hand=1, lead_time_days=14, demand=demand, service_level=0.95, review_days=7
    )

    assert not estimate.at_risk  # at the median the unit lasts well past the lead time
    # P(demand > 1) = 1 - e^-0.7 (1 + 0.7) = 0.1558.
    assert estimate.stockout_probability == pytest.approx(0.1558, abs=1e-4)
    # The 95 % quantile of Poisson(0.7) is 2; plus 7 x 0.05 for the review period, less 1 on
    # hand: 1.35, so 2 units.
    assert estimate.reorder_quantity == 2


def test_stock_that_outlasts_the_forecast():
    demand = with_sigma_one([2] * 28)  # 56 over the horizon

    estimate = stockout_estimate(
        on_hand=100, lead_time_days=14, demand=demand, service_level=0.95, review_days=7
    )

    assert estimate.days_of_cover == 28 and estimate.covers_horizon
    assert estimate.stockout_day is None and not estimate.at_risk
    # Lead-time demand: mean 28, variance 14: Poisson(28); 100 on hand is out of its reach.
    assert estimate.stockout_probability == pytest.approx(0.0, abs=1e-9)
    # Its 95 % quantile 37, plus 7 x 2 for the review period: 51 < 100, nothing to order.
    assert estimate.reorder_quantity == 0


def test_a_lead_time_past_the_horizon_repeats_the_last_week():
    # A one-week forecast of 1..7 units, no interval; 30 on hand; lead time 10 days, review 4.
    demand = Demand.from_quantiles(*[np.arange(1.0, 8.0)] * 3)

    estimate = stockout_estimate(
        on_hand=30, lead_time_days=10, demand=demand, service_level=0.95, review_days=4
    )

    # Days 7, 8, 9 repeat days 0, 1, 2. Cumulative: 1, 3, 6, 10, 15, 21, 28, 29, 31: the stock
    # runs out on day 8, past the forecast but within the lead time.
    assert estimate.days_of_cover == 8 and estimate.stockout_day == 8
    assert estimate.at_risk
    # Lead-time demand: mean 28 + 1 + 2 + 3 = 34, no spread in the forecast, so Poisson(34):
    # P(demand > 30) = 0.7196. The review period, days 10..13, repeats days 3..6:
    # 4 + 5 + 6 + 7 = 22. Reorder: Poisson(34)'s 95 % quantile 44, + 22 - 30 = 36.
    assert estimate.stockout_probability == pytest.approx(0.7196, abs=1e-4)
    assert estimate.reorder_quantity == 36


def test_markets_add_means_and_variances():
    # sigma 3 in one market and 4 in the other: sqrt(9 + 16) = 5 together.
    first = Demand(mean=np.array([1.0, 2.0]), sigma=np.array([3.0, 3.0]))
    second = Demand(mean=np.array([2.0, 2.0]), sigma=np.array([4.0, 4.0]))

    total = Demand.total([first, second])

    np.testing.assert_allclose(total.mean, [3.0, 4.0])
    np.testing.assert_allclose(total.sigma, [5.0, 5.0])


def test_the_outlook_starts_today_and_counts_stock_less_allocated(forecast_settings, settings):
    settings.FORECAST_REVIEW_DAYS = 0
    variant = Variant(stock_on_hand=12, quantity_allocated=2, supplier_lead_time_days=2)
    # Made two days ago: its first two days are sold already (the stock shows it).
    made = today() - timedelta(days=2)
    forecasts = [
        SkuForecast(
            first_date=made,
            p10=[9.0, 9.0, 3.0, 4.0, 5.0],
            p50=[9.0, 9.0, 3.0, 4.0, 5.0],
            p90=[9.0, 9.0, 3.0, 4.0, 5.0],
            provenance={"source": "model", "model_version": 3},
        ),
        SkuForecast(
            first_date=made,
            p10=[9.0, 9.0, 1.0, 1.0, 1.0],
            p50=[9.0, 9.0, 1.0, 1.0, 1.0],
            p90=[9.0, 9.0, 1.0, 1.0, 1.0],
            provenance={"source": "baseline:croston", "model_version": 3},
        ),
    ]

    outlook = sku_outlook(variant, forecasts)

    # From today: 3 + 1 = 4, 4 + 1 = 5, 5 + 1 = 6 a day; cumulative 4, 9, 15 against 10 on hand.
    assert outlook.first_date == today()
    np.testing.assert_allclose(outlook.demand.mean, [4.0, 5.0, 6.0])
    assert outlook.estimate.on_hand == 10
    assert outlook.estimate.days_of_cover == 2
    assert outlook.stockout_date == today() + timedelta(days=2)
    assert not outlook.estimate.at_risk  # day 2 is the day the lead time ends
    # No interval: lead-time demand Poisson(4 + 5 = 9); P(demand > 10) = 0.2940; its 95 %
    # quantile 14, less 10 on hand (no review period): reorder 4.
    assert outlook.estimate.stockout_probability == pytest.approx(0.2940, abs=1e-4)
    assert outlook.estimate.reorder_quantity == 4
    assert outlook.sources == ("baseline:croston", "model")

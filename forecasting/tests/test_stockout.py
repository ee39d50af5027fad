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
    # Lead-time demand: mean 3 + 4 + 5 = 12, sigma sqrt(1 + 1 + 1) = 1.7321.
    # P(demand > 10) = 1 - Phi((10 - 12) / 1.7321) = 1 - Phi(-1.1547) = Phi(1.1547) = 0.8759.
    assert estimate.stockout_probability == pytest.approx(0.8759, abs=1e-4)
    # Reorder: 95 % quantile of lead-time demand 12 + 1.6449 * 1.7321 = 14.849, plus the review
    # period's mean demand (days 3 and 4: 2 + 2 = 4) = 18.849, less the 10 on hand = 8.849,
    # rounded up: 9 units.
    assert estimate.reorder_quantity == 9


def test_stock_that_outlasts_the_forecast():
    demand = with_sigma_one([2] * 28)  # 56 over the horizon

    estimate = stockout_estimate(
        on_hand=100, lead_time_days=14, demand=demand, service_level=0.95, review_days=7
    )

    assert estimate.days_of_cover == 28 and estimate.covers_horizon
    assert estimate.stockout_day is None and not estimate.at_risk
    # Lead-time demand: mean 28, sigma sqrt(14) = 3.74; 100 on hand is 19 sigma away.
    assert estimate.stockout_probability == pytest.approx(0.0, abs=1e-9)
    # 28 + 1.6449 * 3.742 + 7 * 2 = 48.2 < 100: nothing to order.
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
    # Lead-time demand 28 + 1 + 2 + 3 = 34 > 30, certain; the review period, days 10..13,
    # repeats days 3..6: 4 + 5 + 6 + 7 = 22. Reorder 34 + 22 - 30 = 26.
    assert estimate.stockout_probability == 1.0
    assert estimate.reorder_quantity == 26


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
    # No interval: lead-time demand 4 + 5 = 9 <= 10 for sure.
    assert outlook.estimate.stockout_probability == 0.0
    assert outlook.estimate.reorder_quantity == 0
    assert outlook.sources == ("baseline:croston", "model")

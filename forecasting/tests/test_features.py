"""Series from the orders: daily totals per SKU and market with the days between filled with
zeros, cancelled orders left out, and the price, promotion and holiday covariates over the
history and the horizon."""

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest

from catalog.models import PriceChange, Variant
from forecasting.features import sku_series
from forecasting.tests.conftest import at
from storefront.services.orders import order_cancel

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("forecast_settings")]

END = date(2025, 12, 28)
CREATED = date(2025, 12, 1)
HORIZON = 28


def index(day: date) -> int:
    """Position of a day in a series that starts on CREATED (the horizon follows END)."""
    return (day - CREATED).days


@pytest.fixture
def tee(us_merchant):
    Variant.objects.filter(pk=us_merchant.pk).update(created_at=at(CREATED))
    return us_merchant


@pytest.fixture
def sold(tee, sell):
    sell(tee, date(2025, 12, 20), 2)
    sell(tee, date(2025, 12, 20), 1)
    sell(tee, date(2025, 12, 28), 1)
    order_cancel(order=sell(tee, date(2025, 12, 27), 5))
    sell(tee, date(2025, 12, 27), 2, market="us")
    sell(tee, date(2025, 12, 29), 4)  # after the history
    return {series.id: series for series in sku_series(end=END)}


def test_one_series_per_sku_and_market_of_daily_units(sold, tee):
    assert list(sold) == [f"{tee.pk}:de", f"{tee.pk}:us"]
    germany = sold[f"{tee.pk}:de"]

    # From the SKU's creation (before its first sale) to END, a value a day.
    assert germany.start == np.datetime64("2025-12-01")
    assert len(germany) == 28
    expected = np.zeros(28)
    expected[index(date(2025, 12, 20))] = 3  # two orders that day
    expected[index(date(2025, 12, 28))] = 1  # the cancelled order of the 27th is not demand
    np.testing.assert_array_equal(germany.values, expected)
    assert germany.frequency.horizon == HORIZON and germany.frequency.season == 7
    assert germany.group == "de"

    us = sold[f"{tee.pk}:us"]
    assert us.values.sum() == 2 and us.values[index(date(2025, 12, 27))] == 2


def test_the_market_of_each_series_is_in_its_meta(sold, tee, markets):
    assert sold[f"{tee.pk}:de"].meta == {"variant_id": tee.pk, "market_id": markets["de"].pk}
    assert sold[f"{tee.pk}:us"].meta == {"variant_id": tee.pk, "market_id": markets["us"].pk}


def test_a_series_of_a_sku_older_than_the_window_starts_with_the_window(tee, sell, settings):
    Variant.objects.filter(pk=tee.pk).update(created_at=at(date(2024, 1, 1)))
    sell(tee, date(2025, 12, 27))

    [series] = sku_series(end=END)

    assert len(series) == settings.FORECAST_HISTORY_DAYS
    assert series.start == np.datetime64(END - timedelta(days=settings.FORECAST_HISTORY_DAYS - 1))


def test_variant_ids_limit_the_series(tee, de_merchant, sell):
    sell(tee, date(2025, 12, 27))
    sell(de_merchant, date(2025, 12, 27))

    assert [s.id for s in sku_series(variant_ids=[de_merchant.pk], end=END)] == [
        f"{de_merchant.pk}:de"
    ]


def test_price_and_promotion_covariates_cover_history_and_horizon(tee, sell):
    def change(price, starts: date, ends: date | None = None, promotion=False):
        PriceChange.objects.create(
            variant=tee,
            price=Decimal(price),
            starts_at=at(starts, 0),
            ends_at=at(ends, 0) if ends else None,
            is_promotion=promotion,
        )

    change("20.00", date(2025, 11, 1))
    change("15.00", date(2025, 12, 20), date(2025, 12, 23), promotion=True)
    change("22.00", date(2025, 12, 26))  # the regular price at the end of the history
    change("16.50", date(2026, 1, 2), date(2026, 1, 4), promotion=True)  # scheduled
    change("25.00", date(2026, 1, 10))  # a scheduled rise
    sell(tee, date(2025, 12, 27))

    [series] = sku_series(end=END)

    assert len(series.price) == len(series.promotion) == len(series) + HORIZON
    relative = {
        date(2025, 12, 1): 20 / 22,
        date(2025, 12, 19): 20 / 22,
        date(2025, 12, 20): 15 / 22,  # promotion: 20, 21 and 22 December
        date(2025, 12, 22): 15 / 22,
        date(2025, 12, 23): 20 / 22,
        date(2025, 12, 26): 1.0,
        date(2026, 1, 1): 1.0,
        date(2026, 1, 2): 16.5 / 22,  # the scheduled promotion, in the horizon
        date(2026, 1, 3): 16.5 / 22,
        date(2026, 1, 4): 1.0,
        date(2026, 1, 10): 25 / 22,
        date(2026, 1, 25): 25 / 22,  # the horizon's last day
    }
    for day, expected in relative.items():
        assert series.price[index(day)] == pytest.approx(expected), day
    promoted = [CREATED + timedelta(days=int(i)) for i in np.flatnonzero(series.promotion)]
    assert promoted == [
        date(2025, 12, 20),
        date(2025, 12, 21),
        date(2025, 12, 22),
        date(2026, 1, 2),
        date(2026, 1, 3),
    ]


def test_without_a_price_history_the_price_is_the_regular_one(tee, sell):
    sell(tee, date(2025, 12, 27))

    [series] = sku_series(end=END)

    np.testing.assert_array_equal(series.price, np.ones(len(series) + HORIZON))
    np.testing.assert_array_equal(series.promotion, np.zeros(len(series) + HORIZON))


def test_holidays_of_the_markets_countries(tee, sell):
    sell(tee, date(2025, 12, 27))  # Germany and Austria
    sell(tee, date(2025, 12, 27), market="us")

    germany, us = sku_series(end=END)

    def holidays_of(series):
        return {
            CREATED + timedelta(days=int(i)): float(series.holiday[i])
            for i in np.flatnonzero(series.holiday)
        }

    assert len(germany.holiday) == len(germany) + HORIZON
    assert holidays_of(germany) == {
        date(2025, 12, 8): 0.5,  # Austria's alone: half the market's countries
        date(2025, 12, 25): 1.0,
        date(2025, 12, 26): 1.0,
        date(2026, 1, 1): 1.0,  # in the horizon
        date(2026, 1, 6): 0.5,
    }
    assert holidays_of(us) == {
        date(2025, 12, 25): 1.0,
        date(2026, 1, 1): 1.0,
        date(2026, 1, 19): 1.0,
    }


def test_the_holiday_covariate_can_mark_the_days_before(tee, sell, settings):
    settings.FORECAST_HOLIDAY_LEAD_DAYS = 2
    sell(tee, date(2025, 12, 27), market="us")

    [us] = sku_series(end=END)

    marked = [CREATED + timedelta(days=int(i)) for i in np.flatnonzero(us.holiday)]
    assert marked[:3] == [date(2025, 12, 23), date(2025, 12, 24), date(2025, 12, 25)]


def test_series_are_built_with_a_few_queries_whatever_the_number_of_skus(
    tee, de_merchant, sell, django_assert_num_queries
):
    for variant in (tee, de_merchant):
        for market in ("de", "us", "gb"):
            sell(variant, date(2025, 12, 27), market=market)

    with django_assert_num_queries(4):
        series = sku_series(end=END)

    assert len(series) == 6

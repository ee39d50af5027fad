"""Sellers, orders placed on chosen days, stored forecasts, and the predictor the platform
serves while no model is active (the seasonal naive baseline)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone

from catalog.models import Variant
from catalog.tests.factories import merchant_staff
from forecasting.ml.baselines import SeasonalNaive
from forecasting.models import ForecastRun, SkuForecast
from ml_models.loader import Served
from storefront.models import Order
from storefront.tests import conftest as storefront_fixtures
from storefront.tests.checkout_helpers import place_order

# The sellers storefront's tests use: a US seller of T-shirts (TEE-1, 20.00 USD) and a German
# one of shirts (HEMD-1, 40.00 EUR), both selling in every market.
us_merchant = storefront_fixtures.us_merchant
de_merchant = storefront_fixtures.de_merchant

BASELINE = Served(predictor=SeasonalNaive(), source="baseline:seasonal_naive", model_version=None)


def today() -> date:
    return timezone.now().astimezone(UTC).date()


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


@pytest.fixture
def forecast_settings(settings):
    """A short history for small tests; the horizon, holidays and reorder rules fixed."""
    settings.FORECAST_HISTORY_DAYS = 60
    settings.FORECAST_HORIZON_DAYS = 28
    settings.FORECAST_HOLIDAY_LEAD_DAYS = 0
    settings.FORECAST_SERVICE_LEVEL = 0.95
    settings.FORECAST_REVIEW_DAYS = 7


@pytest.fixture
def served(monkeypatch):
    """What the platform serves for "forecasting": the baseline unless a test says otherwise."""
    current = {"served": BASELINE}
    monkeypatch.setattr("forecasting.services.predictor_get", lambda capability: current["served"])
    return current


@pytest.fixture
def sell(markets):
    """Places an order of `quantity` of `variant` in a market, dated `day` (UTC noon):
    `sell(variant, day, 2, market="us")`. Stock is topped up so that checkout never runs out."""

    def place(variant: Variant, day: date, quantity: int = 1, *, market: str = "de") -> Order:
        Variant.objects.filter(pk=variant.pk).update(stock_on_hand=10_000)
        country = markets[market].countries[0]
        order = place_order(markets[market], (variant, quantity), country=country)
        Order.objects.filter(pk=order.pk).update(created_at=at(day))
        return order

    return place


@pytest.fixture
def store_forecast(markets):
    """Stores a forecast of `variant` in a market, from today, in one run shared by the test's
    forecasts: `store_forecast(variant, p50=[...], p10=..., p90=...)` (the interval defaults to
    none)."""
    runs = []

    def store(variant: Variant, *, p50, p10=None, p90=None, market: str = "de"):
        if not runs:
            runs.append(
                ForecastRun.objects.create(
                    history_end=today() - timedelta(days=1),
                    horizon=len(p50),
                    status=ForecastRun.Status.SUCCEEDED,
                    provenance=BASELINE.provenance,
                )
            )
        return SkuForecast.objects.create(
            run=runs[0],
            variant=variant,
            market=markets[market],
            first_date=today(),
            p10=list(p10 if p10 is not None else p50),
            p50=list(p50),
            p90=list(p90 if p90 is not None else p50),
            provenance={"source": "baseline:seasonal_naive", "model_version": None},
        )

    return store


def stock_set(variant: Variant, on_hand: int, *, lead_time_days: int = 14) -> None:
    Variant.objects.filter(pk=variant.pk).update(
        stock_on_hand=on_hand, quantity_allocated=0, supplier_lead_time_days=lead_time_days
    )
    variant.refresh_from_db()


@pytest.fixture
def us_staff(us_merchant):
    return merchant_staff(us_merchant.merchant)


@pytest.fixture
def de_staff(de_merchant):
    return merchant_staff(de_merchant.merchant)

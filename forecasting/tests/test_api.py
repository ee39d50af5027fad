"""GET /api/v1/forecasting/skus/<sku>/: a merchant's staff read their own SKU's forecast;
another merchant's SKU is a 404, like an unknown one."""

from datetime import timedelta
from statistics import NormalDist

import pytest
from rest_framework.test import APIClient

from forecasting.tests.conftest import stock_set, today

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("forecast_settings")]

URL = "/api/v1/forecasting/skus/{sku}/"
Z90 = NormalDist().inv_cdf(0.9)


def client_of(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {user.auth_token.key}")
    return client


@pytest.fixture
def forecast_tee(us_merchant, sell, store_forecast, settings):
    """The hand-computed example of test_stockout: 10 on hand, lead time 3 days, review 2."""
    settings.FORECAST_REVIEW_DAYS = 2
    yesterday = today() - timedelta(days=1)
    sell(us_merchant, yesterday, 2)
    sell(us_merchant, yesterday - timedelta(days=9), 1)
    stock_set(us_merchant, 10, lead_time_days=3)
    p50 = [3.0, 4.0, 5.0] + [2.0] * 25
    return store_forecast(
        us_merchant, p50=p50, p10=[p - Z90 for p in p50], p90=[p + Z90 for p in p50]
    )


def test_staff_read_their_skus_forecast(us_staff, forecast_tee):
    response = client_of(us_staff).get(URL.format(sku="TEE-1"))

    assert response.status_code == 200
    body = response.json()
    assert body["sku"] == "TEE-1" and body["product"] == "T-shirt"
    assert body["stock"] == {
        "stock_on_hand": 10,
        "allocated": 0,
        "on_hand": 10,
        "lead_time_days": 3,
    }
    [history] = body["history"]
    assert history["market"] == "de"
    assert history["units"] == 3 and history["units_last_28_days"] == 3
    assert history["days_with_sales_last_90_days"] == 2
    assert history["last_date"] == (today() - timedelta(days=1)).isoformat()
    [forecast] = body["forecasts"]
    assert forecast["market"] == "de"
    assert forecast["dates"][0] == today().isoformat() and len(forecast["dates"]) == 28
    assert forecast["p50"][:3] == [3.0, 4.0, 5.0]
    assert forecast["p10"][0] == pytest.approx(3 - Z90)
    assert forecast["provenance"] == {"source": "baseline:seasonal_naive", "model_version": None}
    assert body["outlook"] == {
        "first_date": today().isoformat(),
        "days_of_cover": 2,
        "covers_horizon": False,
        "stockout_date": (today() + timedelta(days=2)).isoformat(),
        "stockout_probability": 0.6528,  # the hand-computed example of test_stockout.py
        "at_risk": True,
        "reorder_quantity": 12,
        "service_level": 0.95,
        "review_days": 2,
    }


def test_a_sku_without_a_forecast_has_no_outlook(de_staff, de_merchant):
    response = client_of(de_staff).get(URL.format(sku="HEMD-1"))

    assert response.status_code == 200
    body = response.json()
    assert body["forecasts"] == [] and body["history"] == [] and body["outlook"] is None


def test_another_merchants_sku_is_a_404(de_staff, forecast_tee):
    response = client_of(de_staff).get(URL.format(sku="TEE-1"))

    assert response.status_code == 404
    assert response.json()["code"] == "sku_not_found"
    assert "forecasts" not in response.json()


def test_an_unknown_sku_is_a_404(us_staff, forecast_tee):
    response = client_of(us_staff).get(URL.format(sku="NOPE-1"))

    assert response.status_code == 404
    assert set(response.json()) >= {"code", "message", "details"}


def test_without_a_token_it_is_401(api_client, forecast_tee):
    response = api_client.get(URL.format(sku="TEE-1"))

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_user_who_is_no_merchants_staff_is_403(api_client, django_user_model, forecast_tee):
    user = django_user_model.objects.create_user(username="shopper", password="pw-123456789")
    api_client.force_authenticate(user)

    response = api_client.get(URL.format(sku="TEE-1"))

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"

"""The forecast screens as merchant staff and ops use them: the SKU list scoped to the
merchant, the at-risk filter soonest first, each SKU's page with its chart, the CSV export, and
the runs for ops only."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model

from catalog.tests.factories import VariantFactory
from forecasting.models import ForecastRun
from forecasting.tests.conftest import stock_set, today
from storefront.tests.admin_helpers import admin_as, page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("forecast_settings")]

SKUS = "/admin/forecasting/forecastedsku/"
RUNS = "/admin/forecasting/forecastrun/"


def listed_skus(html: str) -> list[str]:
    return re.findall(r'class="field-sku"><a href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def ops(db):
    return get_user_model().objects.create_superuser("ops", "ops@example.com", "x" * 20)


@pytest.fixture
def forecasts(us_merchant, de_merchant, store_forecast):
    """TEE-1 runs out on day 2 of a 3-day lead time; TEE-2 on day 1; TEE-3 has stock for the
    whole forecast; the German seller's HEMD-1 has a forecast too."""
    soon = VariantFactory(product=us_merchant.product, sku="TEE-2")
    plenty = VariantFactory(product=us_merchant.product, sku="TEE-3")
    for variant, on_hand in ((us_merchant, 10), (soon, 4), (plenty, 500)):
        stock_set(variant, on_hand, lead_time_days=3)
        store_forecast(variant, p50=[3.0, 4.0, 5.0] + [2.0] * 25)
    store_forecast(us_merchant, p50=[1.0] * 28, market="us")
    store_forecast(de_merchant, p50=[1.0] * 28)
    return {"TEE-1": us_merchant, "TEE-2": soon, "TEE-3": plenty, "HEMD-1": de_merchant}


def test_staff_see_only_their_merchants_skus(us_staff, ops, forecasts):
    assert sorted(listed_skus(page(admin_as(us_staff), SKUS))) == ["TEE-1", "TEE-2", "TEE-3"]
    assert sorted(listed_skus(page(admin_as(ops), SKUS))) == [
        "HEMD-1",
        "TEE-1",
        "TEE-2",
        "TEE-3",
    ]


def test_the_list_shows_cover_stockout_and_reorder(us_staff, forecasts):
    html = page(admin_as(us_staff), SKUS)

    [row] = [row for row in re.split(r"<tr\b", html) if ">TEE-1<" in row]
    # Germany 3, 4, 5 and the US 1 a day: cumulative 4, 9, 15 against 10 on hand.
    assert 'class="field-days_of_cover">2<' in row
    assert f'class="field-stockout_date">{today() + timedelta(days=2)}<' in row
    # No interval: lead-time demand Poisson(4 + 5 + 6 = 15), P(demand > 10) = 0.882. Reorder:
    # its 95 % quantile 22 + the review week's 7 x 3 = 21, less 10 on hand: 33.
    assert 'class="field-stockout_probability">88%<' in row
    assert 'class="field-reorder_quantity">33<' in row
    assert 'class="field-source">baseline:seasonal_naive<' in row


def test_the_at_risk_filter_lists_the_soonest_stockout_first(us_staff, forecasts):
    html = page(admin_as(us_staff), f"{SKUS}?risk=lead_time")

    # TEE-2 (4 on hand) runs out on day 1, TEE-1 (10 with the US) on day 2; TEE-3 not at all.
    assert listed_skus(html) == ["TEE-2", "TEE-1"]


def test_a_skus_page_draws_its_chart(us_staff, forecasts, sell):
    sell(forecasts["TEE-1"], today() - timedelta(days=3), 2)
    stock_set(forecasts["TEE-1"], 10, lead_time_days=3)

    html = page(admin_as(us_staff), f"{SKUS}{forecasts['TEE-1'].pk}/change/")

    start = html.index('<svg class="forecast-chart"')
    svg = html[start : html.index("</svg>", start)]
    for part in ('class="history"', 'class="p50"', 'class="band"', 'class="on-hand"'):
        assert part in svg
    assert 'class="stockout"' in svg
    assert "on hand 10" in svg
    assert "<script" not in svg
    assert "Days of cover" in html and "Suggested reorder" in html
    assert 'name="_save"' not in html  # read-only


def test_another_merchants_sku_page_is_not_shown(us_staff, forecasts):
    response = admin_as(us_staff).get(f"{SKUS}{forecasts['HEMD-1'].pk}/change/")

    assert response.status_code == 302  # "doesn't exist", back to the admin's index
    assert "HEMD-1" not in admin_as(us_staff).get(response.url, follow=True).content.decode()


def test_export_csv_of_the_selected_skus(us_staff, forecasts):
    selected = [forecasts["TEE-1"].pk, forecasts["HEMD-1"].pk]  # HEMD-1 is not theirs

    response = admin_as(us_staff).post(SKUS, {"action": "export_csv", "_selected_action": selected})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["sku", "market", "date", "p10", "p50", "p90", "source"]
    assert len(rows) == 1 + 2 * 28  # TEE-1 in Germany and the US, 28 days each
    assert rows[1] == [
        "TEE-1",
        "de",
        today().isoformat(),
        "3.0",
        "3.0",
        "3.0",
        "baseline:seasonal_naive",
    ]
    assert rows[29][:3] == ["TEE-1", "us", today().isoformat()]
    assert {row[0] for row in rows[1:]} == {"TEE-1"}


def test_the_runs_are_for_ops_only(us_staff, ops, forecasts):
    assert admin_as(us_staff).get(RUNS).status_code == 403
    assert str(ForecastRun.objects.first().pk) in page(admin_as(ops), RUNS)

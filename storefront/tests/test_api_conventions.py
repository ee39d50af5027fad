import logging

import pytest
from django.contrib.auth import get_user_model
from rest_framework.settings import api_settings

pytestmark = [pytest.mark.django_db, pytest.mark.urls("storefront.tests.urls_for_tests")]


def _assert_error_shape(body: dict, code: str) -> None:
    assert set(body) == {"code", "message", "details", "request_id"}
    assert body["code"] == code
    assert body["message"]


def test_validation_errors_name_each_field(api_client):
    response = api_client.post("/api/test/echo/", {"quantity": 0}, format="json")

    assert response.status_code == 400
    body = response.json()
    _assert_error_shape(body, "invalid")
    assert set(body["details"]) == {"quantity", "sku"}
    assert body["request_id"] == response["X-Request-ID"]


def test_malformed_json_is_a_400_in_the_same_format(api_client):
    response = api_client.post("/api/test/echo/", data="{not json", content_type="application/json")

    assert response.status_code == 400
    _assert_error_shape(response.json(), "parse_error")


def test_domain_errors_keep_their_code_status_and_details(api_client):
    response = api_client.post("/api/test/conflict/")

    assert response.status_code == 409
    body = response.json()
    _assert_error_shape(body, "stock_changed")
    assert body["details"] == {"sku": ["Only 2 left."]}


def test_unknown_api_url_is_a_json_404(api_client):
    response = api_client.get("/api/v1/no-such-endpoint/")

    assert response.status_code == 404
    _assert_error_shape(response.json(), "not_found")


def test_unexpected_error_is_a_json_500_that_reveals_nothing(api_client, caplog):
    api_client.raise_request_exception = False
    with caplog.at_level(logging.ERROR):
        response = api_client.get("/api/test/crash/")

    assert response.status_code == 500
    body = response.json()
    _assert_error_shape(body, "server_error")
    assert "boom" not in response.content.decode()


def test_rate_limit_answers_429_with_retry_after(api_client, monkeypatch):
    monkeypatch.setitem(api_settings.DEFAULT_THROTTLE_RATES, "anon", "2/min")

    statuses = [
        api_client.post("/api/test/echo/", {"quantity": 1, "sku": "A"}).status_code
        for _ in range(3)
    ]

    assert statuses == [200, 200, 429]
    response = api_client.post("/api/test/echo/", {"quantity": 1, "sku": "A"})
    _assert_error_shape(response.json(), "throttled")
    assert int(response["Retry-After"]) > 0


def test_ping_and_health_are_never_rate_limited(api_client, monkeypatch):
    monkeypatch.setitem(api_settings.DEFAULT_THROTTLE_RATES, "anon", "1/min")

    assert {api_client.get("/api/v1/ping/").status_code for _ in range(3)} == {200}
    assert {api_client.get("/api/v1/health/").status_code for _ in range(3)} == {200}


def test_lists_are_paginated_filtered_and_ordered(api_client):
    user_model = get_user_model()
    for number in range(25):
        user_model.objects.create(username=f"user{number:02d}", is_staff=number % 5 == 0)

    first_page = api_client.get("/api/test/users/", {"page_size": 10}).json()
    staff = api_client.get("/api/test/users/", {"is_staff": "true"}).json()
    descending = api_client.get("/api/test/users/", {"ordering": "-username"}).json()
    capped = api_client.get("/api/test/users/", {"page_size": 1000}).json()

    assert first_page["count"] == 25
    assert len(first_page["results"]) == 10
    assert first_page["next"].endswith("page=2&page_size=10")
    assert staff["count"] == 5
    assert descending["results"][0]["username"] == "user24"
    assert len(capped["results"]) == 25  # at most 100 a page, all 25 here

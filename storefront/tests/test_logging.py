import json
import logging

import pytest

from storefront.logging import (
    JsonFormatter,
    RedactPersonalDataFilter,
    request_id_reset,
    request_id_set,
)


def _formatted(message: str, *args, **extra) -> dict:
    record = logging.makeLogRecord({"msg": message, "args": args, **extra})
    RedactPersonalDataFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def test_every_record_carries_the_current_request_id():
    token = request_id_set("req-42")
    try:
        entry = _formatted("hello")
    finally:
        request_id_reset(token)

    assert entry["request_id"] == "req-42"


def test_personal_data_is_masked_in_messages_and_extras():
    entry = _formatted(
        "order for %s paid with %s from %s",
        "jane.doe+shop@example.co.uk",
        "4111 1111 1111 1111",
        "203.0.113.7",
        note="contact anna@example.de",
    )

    assert entry["message"] == "order for [email] paid with [card] from [ip]"
    assert entry["note"] == "contact [email]"


def test_order_numbers_and_amounts_are_not_mistaken_for_personal_data():
    assert _formatted("order 12345 total 99.50 EUR")["message"] == "order 12345 total 99.50 EUR"


@pytest.mark.django_db
def test_access_line_has_request_id_but_no_query_string_or_client(client, caplog):
    with caplog.at_level(logging.INFO, logger="storefront.access"):
        response = client.get(
            "/api/v1/ping/?email=jane@example.com",
            headers={"X-Request-ID": "abc-123"},
            REMOTE_ADDR="198.51.100.4",
        )

    assert response["X-Request-ID"] == "abc-123"
    (record,) = [r for r in caplog.records if r.name == "storefront.access"]
    assert record.request_id == "abc-123"
    assert record.path == "/api/v1/ping/"
    assert record.status == 200
    line = record.getMessage()
    assert "jane" not in line and "198.51.100.4" not in line


@pytest.mark.django_db
def test_an_unsafe_incoming_request_id_is_replaced(client):
    response = client.get("/api/v1/ping/", headers={"X-Request-ID": "x" * 65})

    assert len(response["X-Request-ID"]) == 32
    assert response["X-Request-ID"] != "x" * 65

"""The features: what they say about an attempt, and that every history (the replay's memory,
the database, Redis) counts the same past the same way."""

import time
import uuid
from datetime import UTC, datetime

import pytest
from django.conf import settings

from fraud.features import DatabaseHistory, RedisHistory, address_key, email_parts, key_hash
from fraud.ml.features import (
    AUTHORIZED,
    Activity,
    MemoryHistory,
    PaymentRecord,
    RiskLists,
    features_compute,
    replay,
    velocity_names,
)

NOON_UTC = datetime(2026, 6, 1, 12, 0, tzinfo=UTC).timestamp()


def attempt(minutes: float, *, failed=False, **keys) -> PaymentRecord:
    return PaymentRecord(
        at=NOON_UTC + 60 * minutes,
        outcome="card_declined" if failed else AUTHORIZED,
        amount_usd=100.0,
        **keys,
    )


# A card tester's evening: failures from one IP, then orders on one device and card.
SEQUENCE = [
    attempt(-3 * 24 * 60, email="e1", device="d1", card="c0", address="a1", order_id="1"),
    attempt(-120, email="e2", device="d1", card="c1", ip="i1", address="a1", order_id="2"),
    attempt(-50, failed=True, email="e3", ip="i1", card="c2"),
    attempt(-40, failed=True, email="e3", ip="i1", card="c3"),
    attempt(-30, failed=True, email="e3", ip="i1", card="c2"),
    attempt(-20, email="e3", device="d1", card="c1", ip="i1", address="a2", order_id="3"),
    attempt(-1, email="e1", device="d2", card="c4", ip="i2", address="a1", order_id="4"),
]
PROBE = attempt(0, email="e3", device="d1", card="c1", ip="i1", address="a1", order_id="5")


def test_the_memory_history_counts_prior_orders_and_failures_per_key_and_window():
    history = MemoryHistory()
    for record in SEQUENCE:
        history.add(record)

    counts = history.activity(PROBE).counts

    assert counts["failed_ip_1h"] == 3
    assert counts["failed_card_1h"] == 0  # the probe's card never failed
    assert counts["failed_email_1h"] == 3
    assert (counts["orders_device_1h"], counts["orders_device_24h"]) == (1, 2)
    assert counts["orders_device_7d"] == 3
    assert (counts["orders_address_24h"], counts["orders_address_7d"]) == (2, 3)
    assert (counts["orders_card_1h"], counts["orders_card_24h"]) == (1, 2)
    assert history.activity(PROBE).prior_orders == 1  # e3 ordered once before


def _database_history_filled() -> DatabaseHistory:
    history = DatabaseHistory()
    for record in SEQUENCE:
        history.add(PaymentRecord(**{**record.__dict__, "order_id": ""}))
    return history


@pytest.mark.django_db
def test_the_database_history_counts_exactly_as_the_replay_does():
    memory = MemoryHistory()
    for record in SEQUENCE:
        memory.add(record)

    assert _database_history_filled().activity(PROBE) == memory.activity(PROBE)


@pytest.mark.django_db
def test_the_redis_history_counts_exactly_as_the_replay_does():
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set (CI sets it)")
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    suffix = uuid.uuid4().hex  # keys of this test alone: runs sharing one Redis never meet

    def unique(record: PaymentRecord) -> PaymentRecord:
        keys = ("email", "device", "ip", "card", "address")
        values = {key: f"{getattr(record, key)}-{suffix}" for key in keys if getattr(record, key)}
        return PaymentRecord(**{**record.__dict__, "order_id": "", **values})

    history, memory = RedisHistory(client), MemoryHistory()
    for record in SEQUENCE:
        history.add(unique(record))
        memory.add(unique(record))

    assert history.activity(unique(PROBE)) == memory.activity(unique(PROBE))


def test_features_name_mismatches_lists_and_the_local_night():
    record = PaymentRecord(
        at=datetime(2026, 6, 1, 1, 30, tzinfo=UTC).timestamp(),  # 03:30 in Berlin (summer)
        outcome=AUTHORIZED,
        amount_usd=250.0,
        email_domain="mailinator.com",
        address="forwarder",
        billing_country="DE",
        shipping_country="DE",
        ip_country="NG",
        card_bin_country="US",
        risky_share=1.0,
    )
    lists = RiskLists(
        reshipper_addresses=frozenset({"forwarder"}),
        disposable_domains=frozenset({"mailinator.com"}),
    )

    features = features_compute(record, Activity(), lists)

    assert features["card_billing_mismatch"] == features["ip_shipping_mismatch"] == 1.0
    assert features["billing_shipping_mismatch"] == 0.0
    assert features["reshipper_address"] == features["disposable_email"] == 1.0
    assert features["is_guest"] == 1.0
    assert features["local_night"] == 1.0
    assert set(velocity_names()) <= set(features)


def test_an_unknown_key_never_matches_another_attempt():
    history = MemoryHistory()
    history.add(attempt(-5, email="", device=""))

    counts = history.activity(attempt(0, email="", device="")).counts

    assert counts["orders_email_1h"] == counts["orders_device_1h"] == 0


def test_a_replay_scores_each_order_with_only_what_came_before_it():
    scored = dict((record.order_id, features) for record, features in replay(SEQUENCE, RiskLists()))

    assert set(scored) == {"1", "2", "3", "4"}  # failed attempts are counted, not scored
    assert scored["1"]["orders_device_7d"] == 0
    assert scored["3"]["failed_ip_1h"] == 3


def test_keys_are_stable_hashes_and_addresses_normalize():
    assert key_hash("ada@example.com") == key_hash("ada@example.com") != key_hash("bob@x.com")
    assert email_parts(" Ada@Example.com ") == (key_hash("ada@example.com"), "example.com")
    assert address_key(
        {"line1": "1200 Cargo Loop, Suite 4117", "postal_code": "19801", "country": "US"}
    ) == address_key(
        {"line1": "1200 cargo loop  suite 4117", "postal_code": "19801 ", "country": "us"}
    )


@pytest.mark.django_db
def test_a_backfill_run_twice_counts_each_attempt_once(markets, de_merchant):
    from fraud.features import history_get
    from fraud.services import payment_signals_backfill
    from fraud.tests.test_assess import checkout
    from storefront.services.checkout import PaymentFailed

    checkout(markets["de"], (de_merchant, 1))
    with pytest.raises(PaymentFailed):
        checkout(markets["de"], (de_merchant, 1), card="pm_card_declined", ip="95.1.2.3")

    assert payment_signals_backfill() == payment_signals_backfill() == 2
    probe = PaymentRecord(
        at=time.time() + 1, outcome=AUTHORIZED, amount_usd=1, ip="95.1.2.3", device="device-1"
    )
    counts = history_get().activity(probe).counts
    assert (counts["failed_ip_1h"], counts["orders_device_1h"]) == (1, 1)

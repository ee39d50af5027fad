import uuid
from decimal import Decimal

import pytest


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    """Each test gets its own cache namespace, so rate limits and cached values never leak
    between tests, without flushing a Redis that the broker shares."""
    caches = {alias: dict(config) for alias, config in settings.CACHES.items()}
    for config in caches.values():
        config["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches


@pytest.fixture(autouse=True)
def isolated_artifacts(settings, tmp_path):
    settings.MODEL_ARTIFACT_ROOT = tmp_path / "artifacts"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Hashing strength is Django's business; tests only need passwords that check.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


RATES_FROM_EUR = {"USD": "1.0850", "GBP": "0.8420", "JPY": "162.40", "CNY": "7.8300"}


@pytest.fixture
def markets(db):
    """The seeded markets, taxes, customs regimes and shipping, with fresh exchange rates."""
    from django.utils import timezone

    from storefront.models import ExchangeRate, Market
    from storefront.services.markets import markets_seed

    markets_seed()
    for quote, rate in RATES_FROM_EUR.items():
        ExchangeRate.objects.create(
            base="EUR", quote=quote, rate=Decimal(rate), as_of=timezone.now(), source="test"
        )
    return {market.code: market for market in Market.objects.all()}


@pytest.fixture
def in_process_tasks():
    """Tasks run in the test's process when enqueued, even where a broker is configured (CI);
    tests/test_celery_worker.py is where tasks travel to a real worker. (Saved and restored by
    hand: deleting the key, as monkeypatch.setitem may on undo, would fall back to Celery's own
    default, False.)"""
    from storefront.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved

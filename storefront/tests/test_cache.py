"""The Redis cache backend that keeps its client (`storefront/cache.py`), on the real Redis."""

import uuid

import pytest

from storefront.cache import RedisCache


@pytest.fixture
def redis_cache(settings):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set (CI sets it)")
    return RedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"test-cache-{uuid.uuid4().hex}"})


def test_it_reads_and_writes_like_djangos_through_one_client(redis_cache):
    redis_cache.set("a", {"items": [1, 2]}, 30)
    redis_cache.set_many({"b": 2, "c": 3}, 30)

    assert redis_cache.get("a") == {"items": [1, 2]}
    assert redis_cache.get_many(["a", "b", "c", "missing"]) == {
        "a": {"items": [1, 2]},
        "b": 2,
        "c": 3,
    }
    assert redis_cache.incr("b") == 3
    redis_cache.delete_many(["a", "b", "c"])
    assert redis_cache.get("a") is None

    client = redis_cache._cache.get_client("a")
    assert redis_cache._cache.get_client("b", write=True) is client

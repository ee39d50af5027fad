"""Checks of every dependency this process is configured to use.

Each check returns `{"status": "ok" | "down", ...}` and never raises; a check that fails says why
in `error` (the exception's class and message, which name no personal data).
"""

import tempfile
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection

from storefront.celery import app as celery_app

CheckResult = dict[str, object]


def _timed(check: Callable[[], dict]) -> CheckResult:
    started = time.perf_counter()
    try:
        result = {"status": "ok", **check()}
    except Exception as exc:
        result = {"status": "down", "error": f"{type(exc).__name__}: {exc}"}
    result["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
    return result


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _cache() -> dict:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    value = cache.get(key)
    cache.delete(key)
    if value != "1":
        raise RuntimeError("a value written to the cache could not be read back")
    return {"backend": type(caches["default"]).__name__}


def _task_queue() -> dict:
    if celery_app.conf.task_always_eager:
        return {"mode": "in-process"}
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=settings.REDIS_SOCKET_TIMEOUT_SECONDS)
        transport = conn.transport_cls
    return {"mode": "broker", "transport": str(transport)}


def _artifact_store() -> dict:
    root = settings.MODEL_ARTIFACT_ROOT
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=root, prefix=".health-"):
        pass
    return {}


CHECKS: dict[str, Callable[[], dict]] = {
    "database": _database,
    "cache": _cache,
    "task_queue": _task_queue,
    "artifact_store": _artifact_store,
}


def dependencies_check() -> dict:
    """`{"status": "ok" | "unavailable", "checks": {name: result}}`."""
    checks = {name: _timed(check) for name, check in CHECKS.items()}
    healthy = all(result["status"] == "ok" for result in checks.values())
    return {"status": "ok" if healthy else "unavailable", "checks": checks}

import pytest

from storefront.celery import app as celery_app

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def test_ping_does_no_io(api_client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = api_client.get("/api/v1/ping/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_is_200_when_every_dependency_answers(api_client):
    response = api_client.get("/api/v1/health/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "task_queue", "artifact_store"}
    assert all(check["status"] == "ok" for check in body["checks"].values())
    assert response["Cache-Control"] == "no-store"


def test_health_is_503_naming_the_cache_when_it_is_down(api_client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }

    response = api_client.get("/api/v1/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["cache"]["status"] == "down"
    assert "Connection" in body["checks"]["cache"]["error"]
    assert body["checks"]["database"]["status"] == "ok"


@pytest.fixture
def unreachable_broker():
    """The health check opens a fresh connection to the configured broker each time, so only
    the configuration changes. (Closing the app's connection pool instead would break every
    later publish in the process, eager ones included: they borrow a producer too.)"""
    saved = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = UNREACHABLE_REDIS
    yield
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = saved


def test_health_is_503_naming_the_broker_when_it_is_down(api_client, unreachable_broker):
    response = api_client.get("/api/v1/health/")

    assert response.status_code == 503
    assert response.json()["checks"]["task_queue"]["status"] == "down"


def test_health_is_503_when_the_artifact_store_is_not_writable(api_client, settings, tmp_path):
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    settings.MODEL_ARTIFACT_ROOT = not_a_directory

    response = api_client.get("/api/v1/health/")

    assert response.status_code == 503
    assert response.json()["checks"]["artifact_store"]["status"] == "down"


def test_embedded_default_counts_in_process_tasks_as_up(api_client, settings):
    if not celery_app.conf.task_always_eager:
        pytest.skip("this run uses a real broker")

    check = api_client.get("/api/v1/health/").json()["checks"]["task_queue"]

    assert check == {"status": "ok", "mode": "in-process", "latency_ms": check["latency_ms"]}

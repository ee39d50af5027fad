"""Settings are read in a fresh interpreter per case, with exactly the variables given."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

_PRINT_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({
    "debug": settings.DEBUG,
    "database_engine": settings.DATABASES["default"]["ENGINE"],
    "database_name": str(settings.DATABASES["default"]["NAME"]),
    "cache_backend": settings.CACHES["default"]["BACKEND"],
    "broker": settings.CELERY_BROKER_URL,
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "artifact_root": str(settings.MODEL_ARTIFACT_ROOT),
    "secure_ssl_redirect": settings.SECURE_SSL_REDIRECT,
}))
"""


def _clean_environment(**variables: str) -> dict[str, str]:
    keep = {"PATH", "HOME", "LANG", "PYTHONPATH", "TMPDIR"}
    environment = {key: value for key, value in os.environ.items() if key in keep}
    return environment | variables


def _settings_with(module: str = "storefront.settings.base", **variables: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + _PRINT_SETTINGS],
        cwd=ROOT,
        env=_clean_environment(DJANGO_SETTINGS_MODULE=module, **variables),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_no_variables_give_the_embedded_default():
    settings = _settings_with()

    assert settings["database_engine"] == "django.db.backends.sqlite3"
    assert settings["database_name"].endswith("var/db.sqlite3")
    assert settings["cache_backend"].endswith("FileBasedCache")
    assert settings["eager"] is True
    assert settings["artifact_root"].endswith("var/artifacts")
    assert settings["secure_ssl_redirect"] is False


def test_each_variable_overrides_only_its_own_default():
    embedded = _settings_with()
    with_database = _settings_with(DATABASE_URL="postgres://shop@db.internal:5432/shop")
    with_artifacts = _settings_with(MODEL_ARTIFACT_ROOT="/srv/models")

    assert with_database["database_engine"] == "django.db.backends.postgresql"
    assert with_database["database_name"] == "shop"
    assert {k: v for k, v in with_database.items() if not k.startswith("database")} == {
        k: v for k, v in embedded.items() if not k.startswith("database")
    }
    assert with_artifacts == embedded | {"artifact_root": "/srv/models"}


def test_redis_url_switches_cache_broker_and_workers_but_not_production_mode():
    settings = _settings_with(REDIS_URL="redis://cache.internal:6379/0")

    assert settings["cache_backend"].endswith("RedisCache")
    assert settings["broker"] == "redis://cache.internal:6379/0"
    assert settings["eager"] is False
    assert settings["debug"] is True
    assert settings["secure_ssl_redirect"] is False


def test_a_separate_broker_url_wins_over_redis_url():
    settings = _settings_with(
        REDIS_URL="redis://cache.internal:6379/0", CELERY_BROKER_URL="redis://queue.internal/1"
    )

    assert settings["broker"] == "redis://queue.internal/1"
    assert settings["cache_backend"].endswith("RedisCache")


def _deploy_check(**variables: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_clean_environment(
            DJANGO_SETTINGS_MODULE="storefront.settings.production", **variables
        ),
        capture_output=True,
        text=True,
    )


def test_production_settings_pass_the_deploy_check():
    result = _deploy_check(
        SECRET_KEY="k" * 20 + "fJ3$x9!QpZr7@Lm2#Vb8&Nc4^Wd6*Ye1(Tg5)Hs0",
        ALLOWED_HOSTS="shop.example.com",
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_settings_refuse_to_start_without_required_variables(missing):
    variables = {"SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "shop.example.com"}
    del variables[missing]

    result = _deploy_check(**variables)

    assert result.returncode != 0
    assert missing in result.stderr

"""A task goes through the real broker to a real worker process and comes back done.

Runs when the settings name a real broker (REDIS_URL or CELERY_BROKER_URL); `.ci/run` sets
REQUIRE_REAL_WORKER=1 so that there it fails instead of being skipped.
"""

import logging
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from ml_models.models import ModelVersion
from ml_models.services import training_runs_enqueue
from ml_models.tasks import train_models
from ml_models.tests.conftest import TOY
from storefront.celery import app as celery_app
from storefront.tasks import worker_ping

logger = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[1]
QUEUES = "default,inference,training"


def _require_real_broker() -> None:
    if not celery_app.conf.task_always_eager:
        return
    if os.environ.get("REQUIRE_REAL_WORKER") == "1":
        pytest.fail("REQUIRE_REAL_WORKER=1 but no broker is configured (set REDIS_URL)")
    pytest.skip("needs a real broker: set REDIS_URL")


def _worker_start(log, extra_env: dict) -> subprocess.Popen:
    node = f"test-{uuid.uuid4().hex[:8]}@%h"
    with log.open("w") as log_file:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "storefront",
                "worker",
                "-Q",
                QUEUES,
                "--pool=solo",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
                "-n",
                node,
            ],
            cwd=ROOT,
            env=os.environ | {"DJANGO_SETTINGS_MODULE": "storefront.settings.base"} | extra_env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )


def _worker_stop(process: subprocess.Popen, log) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
    logger.info("worker log:\n%s", log.read_text())


@pytest.fixture
def worker_process(tmp_path):
    _require_real_broker()
    process = _worker_start(tmp_path / "worker.log", {})
    yield process
    _worker_stop(process, tmp_path / "worker.log")


@pytest.fixture
def training_worker(tmp_path, settings, transactional_db):
    """A worker on the test database, with the toy capability and this test's artifact root."""
    _require_real_broker()
    database = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot share SQLite's in-memory test database")
    settings.ML_CAPABILITIES = [TOY]
    process = _worker_start(
        tmp_path / "worker.log",
        {
            "DATABASE_URL": (
                f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}"
                f"/{database['NAME']}"
            ),
            "ML_CAPABILITIES": TOY,
            "MODEL_ARTIFACT_ROOT": str(settings.MODEL_ARTIFACT_ROOT),
        },
    )
    yield process
    _worker_stop(process, tmp_path / "worker.log")


@pytest.mark.worker
def test_task_round_trips_through_the_broker_to_a_worker_process(worker_process):
    token = uuid.uuid4().hex

    result = worker_ping.apply_async(args=[token], queue="default")
    answer = result.get(timeout=120)

    assert answer["token"] == token
    assert worker_process.poll() is None  # a separate, still running process did the work


@pytest.mark.worker
@pytest.mark.parametrize("queue", ["inference", "training"])
def test_worker_consumes_the_inference_and_training_queues(worker_process, queue):
    token = uuid.uuid4().hex

    assert worker_ping.apply_async(args=[token], queue=queue).get(timeout=120)["token"] == token


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("recommendations.train_model", "training"),
        ("forecasting.batch_forecast_chunk", "inference"),
        ("translation.batch_translate", "inference"),
        ("storefront.worker_ping", "default"),
        ("fraud.record_review_outcome", "default"),
    ],
)
def test_tasks_are_routed_by_name(task_name, queue):
    route = celery_app.amqp.router.route({}, task_name)

    assert route["queue"].name == queue


@pytest.mark.worker
def test_a_training_run_is_trained_by_a_worker_on_the_training_queue(training_worker):
    assert celery_app.amqp.router.route({}, train_models.name)["queue"].name == "training"

    [run] = training_runs_enqueue(capability="toy", requested_by="test")

    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and run.status in ("queued", "running"):
        time.sleep(0.5)
        run.refresh_from_db()
    assert run.status == "succeeded", (run.status, run.error)
    assert run.device == "CPU" and run.attempts == 1 and run.heartbeat_at
    version = ModelVersion.objects.get(capability="toy")
    assert version.status == "active" and run.model_version == version
    assert version.artifact_path.startswith(str(settings.MODEL_ARTIFACT_ROOT))

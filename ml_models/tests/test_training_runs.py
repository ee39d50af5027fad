"""Training runs under failure: killed workers, transient errors, duplicated tasks."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from ml_models.ml.artifacts import staging_dir
from ml_models.models import ModelVersion, TrainingRun
from ml_models.services import training_run_execute, training_runs_create, training_runs_reap
from ml_models.tasks import train_models
from ml_models.tests.conftest import TOY
from ml_models.tests.processes import ROOT, isolated_environment, manage
from ml_models.tests.toy import ToyCapability

pytestmark = pytest.mark.django_db(transaction=True)


def queued_run() -> TrainingRun:
    [run] = training_runs_create(capability="toy")
    return run


def test_a_run_is_executed_once_even_when_its_task_is_delivered_twice():
    run = queued_run()

    first = training_run_execute(run_id=run.pk)
    second = training_run_execute(run_id=run.pk)

    assert first.status == second.status == TrainingRun.Status.SUCCEEDED
    assert ModelVersion.objects.count() == 1 and second.attempts == 1


def test_a_transient_error_puts_the_run_back_in_the_queue_and_the_task_retry_succeeds(
    monkeypatch,
):
    calls = []
    original_train = ToyCapability.train

    def train_once_failing(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return original_train(self, *args, **kwargs)

    monkeypatch.setattr(ToyCapability, "train", train_once_failing)
    run = queued_run()

    train_models.apply(args=[[run.pk]], throw=False)  # in-process, retried as a worker would

    run.refresh_from_db()
    assert run.status == TrainingRun.Status.SUCCEEDED and run.attempts == 2
    assert ModelVersion.objects.get().status == ModelVersion.Status.ACTIVE
    assert not staging_dir(settings.MODEL_ARTIFACT_ROOT, "toy", run.pk).exists()


def test_a_failing_run_is_marked_failed_leaves_nothing_and_stops_the_runs_built_on_it(
    monkeypatch, settings
):
    settings.ML_CAPABILITIES = ["ml_models.tests.toy.ToyIndexCapability", TOY]

    def broken_train(self, *args, **kwargs):
        raise ValueError("the features have NaNs")

    monkeypatch.setattr(ToyCapability, "train", broken_train)
    model_run, index_run = training_runs_create(capability="toy")

    with pytest.raises(ValueError):
        train_models.apply(args=[[model_run.pk, index_run.pk]], throw=True)

    model_run.refresh_from_db()
    index_run.refresh_from_db()
    assert model_run.status == TrainingRun.Status.FAILED
    assert model_run.error == "ValueError: the features have NaNs"
    assert index_run.status == TrainingRun.Status.FAILED
    assert f"training run {model_run.pk} of toy failed first" in index_run.error
    assert not ModelVersion.objects.exists()
    assert not any(Path(settings.MODEL_ARTIFACT_ROOT, "toy").iterdir())


def test_the_reaper_fails_runs_without_heartbeat_and_removes_what_they_left():
    dead, alive = queued_run(), queued_run()
    long_ago = timezone.now() - timedelta(hours=1)
    TrainingRun.objects.filter(pk=dead.pk).update(status="running", heartbeat_at=long_ago)
    TrainingRun.objects.filter(pk=alive.pk).update(status="running", heartbeat_at=timezone.now())
    root = Path(settings.MODEL_ARTIFACT_ROOT)
    for run in (dead, alive):
        (staging_dir(root, "toy", run.pk) / "work").mkdir(parents=True)
    orphan = root / "toy" / "7"  # published, then the worker died before the row committed
    orphan.mkdir()
    (orphan / "weights.npz").write_bytes(b"x")
    os.utime(orphan, (long_ago.timestamp(), long_ago.timestamp()))

    assert training_runs_reap() == [dead.pk]

    dead.refresh_from_db()
    assert dead.status == TrainingRun.Status.FAILED and "stopped sending heartbeats" in dead.error
    assert not staging_dir(root, "toy", dead.pk).exists()
    assert staging_dir(root, "toy", alive.pk).exists()
    assert TrainingRun.objects.get(pk=alive.pk).status == TrainingRun.Status.RUNNING
    assert not orphan.exists()


def test_a_training_process_killed_midway_leaves_no_artifact_a_failed_run_and_a_retry_succeeds(
    tmp_path,
):
    env = isolated_environment(tmp_path, ML_HEARTBEAT_SECONDS="0.5", PYTHONUNBUFFERED="1")
    manage("migrate", "-v0", env=env)
    trainer = subprocess.Popen(
        [sys.executable, "manage.py", "retrain", "toy", "--sync"],
        cwd=ROOT,
        env=env | {"TOY_PAUSE_AFTER_EPOCH": "2"},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    for line in trainer.stdout:
        if "epoch 2/4" in line:
            break
    staging = staging_dir(tmp_path / "artifacts", "toy", 1)
    assert (staging / "work" / "checkpoint-2.txt").exists()

    trainer.kill()  # SIGKILL: no cleanup code runs, as when the OOM killer takes a worker
    trainer.wait()
    [running] = json.loads(manage("training_status", "--json", env=env).stdout)
    assert running["status"] == "running" and running["progress"] == pytest.approx(0.45)
    later = "from datetime import timedelta; from django.utils import timezone; " + (
        "from ml_models.services import training_runs_reap as reap; "
        "print(reap(now=timezone.now() + timedelta(hours=1)))"
    )
    assert manage("shell", "-v0", "-c", later, env=env).stdout.strip() == "[1]"

    [failed] = json.loads(manage("training_status", "--json", env=env).stdout)
    assert failed["status"] == "failed" and "heartbeats" in failed["error"]
    assert not staging.exists()
    assert not any((tmp_path / "artifacts" / "toy").iterdir())

    retried = manage("retrain", "toy", "--sync", env=env)
    assert "run 2: toy v1 is active" in retried.stdout
    assert sorted(path.name for path in (tmp_path / "artifacts" / "toy").iterdir()) == ["1"]


def test_a_run_of_a_capability_no_longer_registered_fails_with_a_clear_error(settings):
    run = queued_run()
    settings.ML_CAPABILITIES = []

    with pytest.raises(Exception, match="Unknown capability 'toy'"):
        training_run_execute(run_id=run.pk)

    run.refresh_from_db()
    assert run.status == TrainingRun.Status.FAILED
    assert run.error.startswith("InvalidInput: Unknown capability 'toy'")

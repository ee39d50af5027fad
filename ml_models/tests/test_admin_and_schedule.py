"""The ops screens and the schedules of the ML platform."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from catalog.tests.factories import MerchantFactory, merchant_staff
from ml_models.models import ModelVersion, TrainingRun
from ml_models.tasks import retrain_scheduled

pytestmark = pytest.mark.django_db(transaction=True)

VERSIONS = "/admin/ml_models/modelversion/"
RUNS = "/admin/ml_models/trainingrun/"


@pytest.fixture
def ops(client):
    user = get_user_model().objects.create_superuser("ops", "ops@example.com", "pw")
    client.force_login(user)
    return client


def retrain(*arguments: str) -> None:
    call_command("retrain", "toy", "--sync", *arguments, stdout=StringIO(), stderr=StringIO())


def test_ops_see_versions_with_metrics_and_runs_with_progress(ops):
    retrain()

    versions = ops.get(VERSIONS).content.decode()
    runs = ops.get(RUNS).content.decode()

    assert "roc_auc 0.9" in versions and "promoted" in versions and "active" in versions
    assert '<progress max="100" value="100">' in runs and "Retrain now" in runs


def test_ops_promote_and_roll_back_from_the_admin(ops):
    retrain()
    retrain()  # v2: no better than v1, so a candidate
    second = ModelVersion.objects.get(version=2)

    refused = ops.post(
        VERSIONS, {"action": "promote", "_selected_action": [second.pk]}, follow=True
    )
    assert "quality gate rejected toy v2" in refused.content.decode()
    ops.post(VERSIONS, {"action": "promote_forced", "_selected_action": [second.pk]})
    assert ModelVersion.objects.get(status="active").version == 2

    ops.post(VERSIONS, {"action": "rollback", "_selected_action": [second.pk]})
    assert ModelVersion.objects.get(status="active").version == 1


def test_retrain_now_queues_a_run(ops, in_process_tasks):
    page = ops.get(f"{RUNS}retrain/")
    assert 'value="toy"' in page.content.decode()

    response = ops.post(f"{RUNS}retrain/", {"capability": "toy"}, follow=True)

    run = TrainingRun.objects.get()
    assert run.requested_by == "ops" and run.capability == "toy"
    assert f"toy (run {run.pk})" in response.content.decode()
    # No broker in tests: the task ran in-process once the request's transaction committed.
    assert run.status == "succeeded" and run.model_version.version == 1


def test_retrain_now_refuses_an_unknown_capability(ops):
    response = ops.post(f"{RUNS}retrain/", {"capability": "nope"})

    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not TrainingRun.objects.exists()


@pytest.mark.parametrize("url", [VERSIONS, RUNS, f"{RUNS}retrain/"])
def test_merchant_staff_cannot_reach_the_ml_platform(client, url):
    client.force_login(merchant_staff(MerchantFactory(), role="owner"))

    assert client.get(url).status_code == 403
    assert client.post(f"{RUNS}retrain/", {"capability": "toy"}).status_code == 403
    assert not TrainingRun.objects.exists()


def test_beat_reaps_dead_runs_every_minute_and_retrains_nightly(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE

    assert schedule["reap-training-runs"]["task"] == "ml_models.reap_training_runs"
    assert str(schedule["reap-training-runs"]["schedule"]) == str(
        type(schedule["reap-training-runs"]["schedule"])()
    )
    nightly = schedule["retrain-all"]
    assert nightly["task"] == "ml_models.retrain_scheduled" and nightly["args"] == ["all"]
    assert nightly["schedule"].hour == {settings.ML_NIGHTLY_RETRAIN_HOUR}


def test_the_nightly_task_queues_runs_that_go_through_the_gate(
    django_capture_on_commit_callbacks, in_process_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        [run_id] = retrain_scheduled("all")

    run = TrainingRun.objects.get(pk=run_id)
    assert run.requested_by == "beat" and not run.force and run.status == "succeeded"

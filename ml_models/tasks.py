"""Celery tasks of the ML platform: thin interfaces over `services`.

`train_models` matches the `*.train_*` route, so it runs on the `training` queue (GPU nodes).
"""

from celery import shared_task
from django.conf import settings

from ml_models.services import (
    TRANSIENT_ERRORS,
    training_runs_enqueue,
    training_runs_execute,
    training_runs_reap,
)


@shared_task(
    name="ml_models.train_models",
    bind=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=30,
    max_retries=3,
    soft_time_limit=settings.ML_TRAINING_SOFT_TIME_LIMIT,
    time_limit=settings.ML_TRAINING_SOFT_TIME_LIMIT + 300,
)
def train_models(self, run_ids: list[int]) -> None:
    """Trains queued runs in order. A retry after a transient error finds its run queued again;
    a run that already finished is skipped, so no retry registers or promotes twice."""
    training_runs_execute(run_ids=run_ids)


@shared_task(name="ml_models.reap_training_runs")
def reap_training_runs() -> list[int]:
    return training_runs_reap()


@shared_task(name="ml_models.retrain_scheduled")
def retrain_scheduled(capability: str) -> list[int]:
    """Beat's nightly retraining: queues a run that goes through the quality gate."""
    return [run.pk for run in training_runs_enqueue(capability=capability, requested_by="beat")]

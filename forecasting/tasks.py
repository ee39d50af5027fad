"""Celery tasks of forecasting; `batch_*` run on the `inference` queue.

The nightly forecast is a chord: one task per chunk of SKUs, in parallel on as many workers as
there are, then one that records the run finished. Where tasks run in-process (no broker) the
chord runs there too, chunk after chunk.
"""

import functools

from celery import chord, shared_task
from django.db import transaction

from forecasting import services


@shared_task(name="forecasting.batch_forecast")
def batch_forecast() -> int:
    return forecast_run_enqueue()


def forecast_run_enqueue() -> int:
    """Starts a run; its chunks are enqueued once the run is committed. Returns the run's id."""
    run, chunks = services.forecast_run_create()
    transaction.on_commit(functools.partial(_chord_launch, run.pk, chunks))
    return run.pk


def _chord_launch(run_id: int, chunks: list[list[int]]) -> None:
    finish = batch_forecast_finish.si(run_id)
    if not chunks:  # nothing sold: a chord needs a header
        finish.apply_async()
        return
    chord([batch_forecast_chunk.si(run_id, chunk) for chunk in chunks])(finish)


# A chord counts its header's results: these tasks keep theirs (the project's default is not to).
@shared_task(
    bind=True,
    name="forecasting.batch_forecast_chunk",
    ignore_result=False,
    soft_time_limit=1800,
    time_limit=1860,
)
def batch_forecast_chunk(self, run_id: int, variant_ids: list[int]) -> int:
    return services.forecast_chunk_run(
        run_id=run_id, variant_ids=variant_ids, worker=self.request.hostname
    )


@shared_task(name="forecasting.batch_forecast_finish")
def batch_forecast_finish(run_id: int) -> str:
    return services.forecast_run_finish(run_id=run_id).status

"""Celery application, configured from Django settings (the CELERY_ namespace).

Tasks subclass DjangoTask, so `task.delay_on_commit(...)` enqueues only once the surrounding
transaction has committed: a worker never sees an id whose row it cannot read yet.
"""

import os

from celery import Celery, signals

from storefront.logging import request_id_get, request_id_set

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storefront.settings.base")

app = Celery("storefront", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

REQUEST_ID_HEADER = "request_id"


@signals.before_task_publish.connect
def _carry_request_id(headers: dict, **_kwargs) -> None:
    """Log lines of a task share the request id of the request that enqueued it."""
    headers.setdefault(REQUEST_ID_HEADER, request_id_get())


@signals.task_prerun.connect
def _restore_request_id(task, **_kwargs) -> None:
    if task.request.is_eager:
        return  # runs inside the caller, whose context already holds the id
    request_id_set(getattr(task.request, REQUEST_ID_HEADER, None) or "-")

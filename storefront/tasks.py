import socket

from celery import shared_task

from storefront.services.events import events_prune
from storefront.services.orders import authorizations_expiring_warn


@shared_task(name="storefront.worker_ping", ignore_result=False, acks_late=False)
def worker_ping(token: str) -> dict:
    """Round trip through the broker: a worker echoes the token back with its host name."""
    return {"token": token, "hostname": socket.gethostname()}


@shared_task(name="storefront.prune_events")
def prune_events() -> int:
    return events_prune()


@shared_task(name="storefront.warn_expiring_authorizations")
def warn_expiring_authorizations() -> int:
    return len(authorizations_expiring_warn())

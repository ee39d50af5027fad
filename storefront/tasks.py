import socket

from celery import shared_task


@shared_task(name="storefront.worker_ping", ignore_result=False, acks_late=False)
def worker_ping(token: str) -> dict:
    """Round trip through the broker: a worker echoes the token back with its host name."""
    return {"token": token, "hostname": socket.gethostname()}

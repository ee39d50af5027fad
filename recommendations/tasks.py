"""Celery tasks of recommendations; `batch_*` run on the `inference` queue."""

from celery import group, shared_task

from recommendations import services


@shared_task(name="recommendations.batch_for_you")
def batch_for_you() -> int:
    """Fans the active customers out in chunks, one task each, so that more workers finish
    sooner; returns the number of chunks queued."""
    chunks = services.shoppers_active_chunks()
    if chunks:
        group(batch_for_you_chunk.s(chunk) for chunk in chunks).apply_async()
    return len(chunks)


@shared_task(name="recommendations.batch_for_you_chunk", soft_time_limit=600, time_limit=660)
def batch_for_you_chunk(customer_ids: list[int]) -> int:
    return services.for_you_precompute(customer_ids=customer_ids)


@shared_task(name="recommendations.batch_item_neighbours", soft_time_limit=1800, time_limit=1860)
def batch_item_neighbours() -> dict[str, int]:
    return services.item_neighbours_rebuild()


@shared_task(name="recommendations.batch_index_refresh")
def batch_index_refresh() -> list[int]:
    """Every few minutes: a new product reaches the index (placed by its content) and so the
    for-you and similar lists, without retraining the model."""
    return services.index_refresh()

"""Celery tasks of the catalog; `batch_*` run on the `inference` queue."""

from celery import shared_task

from catalog.embeddings import product_embeddings_refresh, products_needing_embeddings


# Beat runs it every five minutes: a run stops before the next one starts, and a backfill too
# long for one run goes on in the next (every batch is committed as it is done).
@shared_task(name="catalog.batch_embed_products", soft_time_limit=270, time_limit=300)
def batch_embed_products(product_ids: list[int] | None = None) -> int:
    """Embeds the given products, or every active product whose embedding is missing or stale;
    returns the number of embeddings written."""
    return product_embeddings_refresh(product_ids=product_ids or products_needing_embeddings())

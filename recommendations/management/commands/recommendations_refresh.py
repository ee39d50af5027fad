import time

from django.core.management.base import BaseCommand

from catalog.embeddings import product_embeddings_refresh
from recommendations.services import (
    for_you_precompute,
    index_refresh,
    item_neighbours_rebuild,
    shoppers_active_chunks,
)


class Command(BaseCommand):
    help = (
        "Brings recommendations up to date here and now, as beat does with Celery tasks: embeds "
        "new or changed products, recounts co-occurrence, rebuilds the nearest-neighbour index "
        "when it is due, and precomputes the for-you lists of active customers."
    )

    def handle(self, *args, **options):
        self._step("embedded products", lambda: f"{product_embeddings_refresh()} written")
        self._step(
            "neighbours",
            lambda: "{co_view} co-viewed, {co_purchase} co-purchased".format(
                **item_neighbours_rebuild()
            ),
        )
        self._step("index", lambda: f"{len(index_refresh(inline=True))} rebuilds")
        self._step("for-you lists", self._for_you_precompute)

    def _for_you_precompute(self) -> str:
        chunks = shoppers_active_chunks()
        stored = sum(for_you_precompute(customer_ids=chunk) for chunk in chunks)
        return f"{stored} of {sum(map(len, chunks))} active customers"

    def _step(self, name: str, run) -> None:
        started = time.perf_counter()
        outcome = run()
        self.stdout.write(f"{name}: {outcome} ({time.perf_counter() - started:.1f} s)")

import time

from django.core.management.base import BaseCommand

from recommendations.services import for_you_precompute, item_neighbours_rebuild, shoppers_active


class Command(BaseCommand):
    help = (
        "Recounts the co-occurrence neighbours and precomputes the for-you lists of active "
        "customers, here and now (beat runs the same as Celery batch tasks)."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        counts = item_neighbours_rebuild()
        self.stdout.write(
            f"neighbours: {counts['co_view']} co-viewed, {counts['co_purchase']} co-purchased "
            f"({time.perf_counter() - started:.1f} s)"
        )
        started = time.perf_counter()
        customers = shoppers_active()
        stored = sum(
            for_you_precompute(customer_ids=customers[start : start + 500])
            for start in range(0, len(customers), 500)
        )
        self.stdout.write(
            f"for-you lists: {stored} of {len(customers)} active customers "
            f"({time.perf_counter() - started:.1f} s)"
        )

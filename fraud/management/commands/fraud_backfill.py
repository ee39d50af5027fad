from django.core.management.base import BaseCommand

from fraud.services import payment_signals_backfill


class Command(BaseCommand):
    help = (
        "Rebuilds the risk history (velocity and card-testing counts) from the store's orders "
        "and payment attempts: after enabling risk scoring on a store with a past, or after a "
        "Redis flush. Idempotent."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"{payment_signals_backfill()} payment attempts in the risk history")

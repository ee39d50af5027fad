from django.core.management.base import BaseCommand

from storefront.services.markets import markets_seed


class Command(BaseCommand):
    help = "Creates or updates markets, tax rates, customs regimes and shipping rates (idempotent)."

    def handle(self, *args, **options):
        counts = markets_seed()
        self.stdout.write(", ".join(f"{count} {name}" for name, count in counts.items()))

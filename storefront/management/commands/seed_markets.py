from django.core.management.base import BaseCommand

from storefront.services.markets import markets_seed


class Command(BaseCommand):
    help = (
        "Creates the seeded markets, tax rates, customs regimes and shipping rates that are "
        "missing (idempotent; rows edited by ops are kept). --update resets them to the seed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--update", action="store_true")

    def handle(self, *args, update: bool, **options):
        counts = markets_seed(update=update)
        self.stdout.write(", ".join(f"{count} {name}" for name, count in counts.items()))

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from storefront.errors import InvalidInput
from storefront.services.markets import exchange_rates_load


class Command(BaseCommand):
    help = (
        "Loads exchange rates from a CSV or JSON file with base, quote, rate, as_of (ISO time "
        "with zone) and source. One bad row loads nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--stamp-now",
            action="store_true",
            help="Record the rates as published now (demo data only: real rates keep their time).",
        )

    def handle(self, *args, path: Path, stamp_now: bool, **options):
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        try:
            loaded = exchange_rates_load(path=path, stamp=timezone.now() if stamp_now else None)
        except InvalidInput as error:
            raise CommandError(f"nothing loaded: {error.details or error.message}") from error
        self.stdout.write(f"{loaded} exchange rates loaded")

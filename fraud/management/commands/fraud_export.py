from pathlib import Path

from django.core.management.base import BaseCommand

from fraud.services import payment_history_export


class Command(BaseCommand):
    help = (
        "Writes the store's payment attempts (orders and failed attempts, hashed keys, labels as "
        "known now) as the CSV that `evaluate fraud --dataset csv:PATH` reads; docs/fraud.md "
        "lists the columns."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        rows = payment_history_export(path=path)
        self.stdout.write(f"{rows} payment attempts written to {path}")

from django.conf import settings
from django.core.management.base import BaseCommand

from storefront.services.events import events_prune


class Command(BaseCommand):
    help = "Deletes shopper events older than SHOPPER_EVENT_RETENTION_DAYS (or --days)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.SHOPPER_EVENT_RETENTION_DAYS)

    def handle(self, *args, days: int, **options):
        self.stdout.write(f"{events_prune(retention_days=days)} events deleted")

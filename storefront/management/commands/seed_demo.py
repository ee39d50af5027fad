from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from storefront.demo.config import SIZES
from storefront.demo.generate import demo_logins, demo_store_seed


class Command(BaseCommand):
    help = (
        "Fills an empty database with the demo store: merchants, products, translations, "
        "photos, customers and 18 months of sessions, orders, fraud and chargebacks. "
        "Deterministic for a (size, seed, end date). See docs/demo-store.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=list(SIZES), default="small")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--end",
            type=str,
            default=None,
            help="The day the history ends (YYYY-MM-DD); default today.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and succeed) when the database already has a store.",
        )

    def handle(self, *args, size: str, seed: int, end: str | None, if_empty: bool, **options):
        if settings.SETTINGS_MODULE.endswith(".production"):
            raise CommandError(
                "The demo store, with its demo logins, is never seeded in production."
            )
        from catalog.models import Merchant

        if Merchant.objects.exists():
            if if_empty:
                self.stdout.write("The database already has a store; not seeding the demo.")
                self._logins_print()
                return
            raise CommandError("The database already has merchants; seed into an empty database.")
        end_date = timezone.datetime.fromisoformat(end).date() if end else timezone.now().date()
        started = timezone.now()
        summary = demo_store_seed(
            size_name=size,
            seed=seed,
            end=end_date,
            report=lambda line: self.stderr.write(line),
        )
        from fraud.services import payment_signals_backfill

        signals = payment_signals_backfill()
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(
            f"Demo store ({size}, seed {seed}) in {seconds:.0f} s: {summary.merchants} merchants, "
            f"{summary.products} products, {summary.customers} customers, {summary.orders} orders "
            f"({summary.fraud_orders} fraudulent), {summary.events} events; "
            f"{signals} payment attempts in the risk history."
        )
        self._logins_print()

    def _logins_print(self) -> None:
        for role, (username, password) in demo_logins().items():
            self.stdout.write(f"Demo login ({role}): {username} / {password}")

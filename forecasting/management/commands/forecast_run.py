from django.core.management.base import BaseCommand, CommandError

from forecasting.models import ForecastRun
from forecasting.services import forecast_run_sync
from forecasting.tasks import forecast_run_enqueue


class Command(BaseCommand):
    help = (
        "Forecasts the daily demand of every SKU that sold, per market, as the nightly task "
        "does: in chunks on the inference queue (in this process where tasks run in-process), "
        "or with --sync here, chunk after chunk, without Celery."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sync", action="store_true", help="Run every chunk in this process, without Celery."
        )

    def handle(self, *args, sync: bool, **options):
        run = forecast_run_sync() if sync else ForecastRun.objects.get(pk=forecast_run_enqueue())
        run.refresh_from_db()
        if run.status == ForecastRun.Status.RUNNING:
            self.stdout.write(
                f"Forecast run {run.pk}: {run.chunks} chunks queued on the inference queue."
            )
            return
        self.stdout.write(
            f"Forecast run {run.pk} {run.status}: {run.series_count} series in {run.chunks} "
            f"chunks, {run.seconds:.1f} s; served by {run.provenance}."
        )
        if run.status == ForecastRun.Status.FAILED:
            raise CommandError(run.error or "No chunk succeeded.")

from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from catalog.models import Variant


class ForecastRun(models.Model):
    """One batch forecast of every SKU that sold: its chunks ran as one Celery chord."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        PARTIAL = "partial", "Partial (some chunks failed)"
        FAILED = "failed", "Failed"

    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    history_end = models.DateField(help_text="The last day of history; forecasts start the next.")
    horizon = models.PositiveSmallIntegerField(help_text="Days forecast.")
    provenance = models.JSONField(
        default=dict, help_text="The predictor served when the run started."
    )
    chunks = models.PositiveIntegerField(default=0)
    # The first variant id of each chunk done (chunks are disjoint, so it names one): a set, so
    # that a chunk run twice counts once.
    chunks_done = models.JSONField(default=list, blank=True)
    chunks_failed = models.JSONField(default=list, blank=True)
    series_count = models.PositiveIntegerField(default=0)
    workers = models.JSONField(
        default=list, blank=True, help_text="Host names of the Celery workers that ran chunks."
    )
    seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"forecast run {self.pk} ({self.status})"

    @property
    def worker_count(self) -> int | None:
        """How many workers ran chunks; None where it is not known (tasks run in-process)."""
        return len(self.workers) or None


class SkuForecastQuerySet(models.QuerySet):
    def current(self) -> "SkuForecastQuerySet":
        """Each variant's rows of the last run that forecast it (one per market it sold in)."""
        last_run = (
            SkuForecast.objects.filter(variant=OuterRef("variant"))
            .order_by("-run_id")
            .values("run_id")[:1]
        )
        return self.filter(run_id=Subquery(last_run))


class SkuForecast(models.Model):
    """The daily demand forecast of one SKU in one market, from `first_date` on: quantiles
    P10, P50, P90 as lists of floats (units per day), and what made them."""

    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="forecasts")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="forecasts")
    market = models.ForeignKey("storefront.Market", on_delete=models.CASCADE)
    first_date = models.DateField()
    p10 = models.JSONField()
    p50 = models.JSONField()
    p90 = models.JSONField()
    # {"source": "model" | "baseline:<name>", "model_version": ...}
    provenance = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = SkuForecastQuerySet.as_manager()

    class Meta:
        ordering = ["variant_id", "market_id", "-run_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "variant", "market"], name="one_forecast_per_run_sku_market"
            )
        ]
        indexes = [models.Index(fields=["variant", "run"])]

    def __str__(self) -> str:
        return f"{self.variant_id}:{self.market_id} from {self.first_date}"


class ForecastedSku(Variant):
    """A SKU as its forecast screen shows it: stock, cover, stockout risk, reorder suggestion."""

    class Meta:
        proxy = True
        ordering = []  # the admin orders it: by SKU, or the soonest stockout first
        verbose_name = "SKU forecast"
        verbose_name_plural = "SKU forecasts"

"""The model registry: every trained version of every capability, and every training run.

A version's files are immutable once written (see `ml/artifacts.py`); the row records where they
are and their checksums, so that a file changed on disk is refused when loaded.
"""

from django.db import models
from django.db.models import Q


class ModelVersion(models.Model):
    class Status(models.TextChoices):
        CANDIDATE = "candidate"
        ACTIVE = "active"
        RETIRED = "retired"

    capability = models.CharField(max_length=64, db_index=True)
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CANDIDATE)
    metrics = models.JSONField(default=dict, help_text="The candidate's held-out metrics.")
    gate = models.JSONField(
        default=dict, help_text="The quality gate's decision and every number it compared."
    )
    data_window = models.JSONField(
        default=dict, help_text="What the version was trained on: {start, end, rows, ...}."
    )
    inputs = models.JSONField(
        default=dict, help_text="Versions of other components this one was built from."
    )
    artifact_path = models.CharField(max_length=500)
    files = models.JSONField(default=dict, help_text="sha256 of every artifact file.")
    libraries = models.JSONField(default=dict)
    device = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["capability", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["capability", "version"], name="model_version_unique_per_capability"
            ),
            models.UniqueConstraint(
                fields=["capability"],
                condition=Q(status="active"),
                name="model_version_one_active_per_capability",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.capability} v{self.version} ({self.status})"


class TrainingRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    capability = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    force = models.BooleanField(
        default=False, help_text="Promote even when the quality gate says no."
    )
    requested_by = models.CharField(max_length=150, blank=True)
    progress = models.FloatField(default=0.0)
    device = models.CharField(max_length=120, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    log_tail = models.TextField(blank=True)
    error = models.TextField(blank=True)
    model_version = models.OneToOneField(
        ModelVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="training_run"
    )

    class Meta:
        ordering = ["-queued_at", "-id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"training run {self.pk} of {self.capability} ({self.status})"

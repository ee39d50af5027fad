"""Reads of the model registry."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet

from ml_models.models import ModelVersion, TrainingRun
from storefront.errors import NotFound

logger = logging.getLogger(__name__)


def active_pointer_cache_key(capability: str) -> str:
    return f"ml:active:{capability}"


def active_pointer_build(version: ModelVersion | None) -> dict:
    """What a process needs to load the active version without another query."""
    if version is None:
        return {"version": None}
    return {"version": version.version, "path": version.artifact_path, "files": version.files}


def active_pointer_get(*, capability: str) -> dict:
    """The active version of `capability` as `{"version", "path", "files"}` (`version` None when
    none is active), from the shared cache, which promotions update at once; on a miss or a cache
    that does not answer, from the database."""
    key = active_pointer_cache_key(capability)
    try:
        pointer = cache.get(key)
    except Exception as exc:  # a cache outage must not stop predictions
        logger.warning("model pointer cache unavailable: %s", exc)
        pointer = None
    if pointer is not None:
        return pointer
    pointer = active_pointer_build(model_version_active_get(capability=capability))
    try:
        cache.set(key, pointer, timeout=settings.ML_ACTIVE_POINTER_CACHE_SECONDS)
    except Exception as exc:
        logger.warning("model pointer cache unavailable: %s", exc)
    return pointer


def model_version_active_get(*, capability: str) -> ModelVersion | None:
    return ModelVersion.objects.filter(
        capability=capability, status=ModelVersion.Status.ACTIVE
    ).first()


def model_version_get(*, capability: str, version: int) -> ModelVersion:
    found = ModelVersion.objects.filter(capability=capability, version=version).first()
    if found is None:
        raise NotFound(
            f"{capability} has no version {version}.",
            code="model_version_not_found",
            details={"version": [f"No version {version} of {capability}."]},
        )
    return found


def model_versions_list(*, capability: str | None = None) -> QuerySet[ModelVersion]:
    versions = ModelVersion.objects.all()
    if capability:
        versions = versions.filter(capability=capability)
    return versions.order_by("capability", "-version")


def training_runs_list(*, capability: str | None = None) -> QuerySet[TrainingRun]:
    runs = TrainingRun.objects.select_related("model_version")
    if capability:
        runs = runs.filter(capability=capability)
    return runs.order_by("-queued_at", "-id")

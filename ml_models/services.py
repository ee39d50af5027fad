"""Writes of the ML platform: training runs, the quality gate, promotion, rollback, reaping.

A training run goes queued -> running -> succeeded | failed. While it runs, a heartbeat thread
stamps it; a run whose stamps stop (a killed worker) is failed by `training_runs_reap`, which
also deletes what it left on disk. A run registers at most one version, in the same transaction
that may promote it, with the run's row locked: a retried or duplicated task cannot register or
promote twice.
"""

import logging
import shutil
import threading
from collections import deque
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Max
from django.utils import timezone

from ml_models.capabilities import (
    LIVE,
    Capability,
    Learned,
    ProgressReport,
    capability_get,
    capability_names_expand,
    dataset_get,
    datasets_shared,
)
from ml_models.ml.artifacts import (
    ArtifactError,
    artifact_publish,
    artifact_verify,
    staging_dir,
    staging_remove,
    versions_published,
)
from ml_models.ml.gate import gate_decide
from ml_models.ml.runtime import libraries_versions, tensorflow_device_setup
from ml_models.models import ModelVersion, TrainingRun
from ml_models.selectors import (
    active_pointer_build,
    active_pointer_cache_key,
    active_pointer_get,
    model_version_active_get,
    model_version_get,
)
from storefront.errors import Conflict

logger = logging.getLogger(__name__)

LOG_TAIL_LINES = 60
# Errors after which the same run may simply be tried again.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


# --- promotion and rollback -------------------------------------------------------------------


def model_version_promote(
    *, capability: str, version: int, force: bool = False, actor: str = ""
) -> ModelVersion:
    """Makes `version` the active one. A version the quality gate rejected needs `force`; a
    version whose files are missing or altered is refused whatever the flag."""
    target = model_version_get(capability=capability, version=version)
    if target.status == ModelVersion.Status.ACTIVE:
        raise Conflict(f"{target} is already active.", code="already_active")
    if not force and not target.gate.get("passed"):
        reasons = "; ".join(target.gate.get("reasons") or ["it was never evaluated"])
        raise Conflict(
            f"The quality gate rejected {capability} v{version}: {reasons}. "
            "Promote with --force to override.",
            code="gate_failed",
            details={"gate": target.gate},
        )
    return _version_activate(target, actor=actor, reason="forced" if force else "promoted")


def model_version_rollback(*, capability: str, actor: str = "") -> ModelVersion:
    """Re-activates the version that was active before the current one."""
    current = model_version_active_get(capability=capability)
    if current is None:
        raise Conflict(f"{capability} has no active version to roll back.", code="none_active")
    previous = (
        ModelVersion.objects.filter(capability=capability, activated_at__isnull=False)
        .exclude(pk=current.pk)
        .order_by("-activated_at")
        .first()
    )
    if previous is None:
        raise Conflict(
            f"No version of {capability} was active before v{current.version}.",
            code="no_previous_version",
        )
    return _version_activate(previous, actor=actor, reason=f"rollback from v{current.version}")


def _artifact_check(version: ModelVersion) -> None:
    try:
        artifact_verify(Path(version.artifact_path), expected_files=version.files)
    except ArtifactError as exc:
        raise Conflict(
            f"{version.capability} v{version.version} cannot be activated: {exc}",
            code="artifact_invalid",
            details={"artifact": [str(exc)]},
        ) from exc


def _version_activate(version: ModelVersion, *, actor: str, reason: str) -> ModelVersion:
    """Retires the active version and activates `version`, with the capability's versions locked
    so that concurrent promotions queue up; the database allows only one active version anyway."""
    _artifact_check(version)
    with transaction.atomic():
        list(
            ModelVersion.objects.select_for_update()
            .filter(capability=version.capability)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        version.refresh_from_db()
        ModelVersion.objects.filter(
            capability=version.capability, status=ModelVersion.Status.ACTIVE
        ).exclude(pk=version.pk).update(status=ModelVersion.Status.RETIRED)
        version.status = ModelVersion.Status.ACTIVE
        version.activated_at = timezone.now()
        version.save(update_fields=["status", "activated_at"])
        transaction.on_commit(lambda: _active_pointer_publish(version))
    logger.info(
        "%s v%s activated (%s) by %s",
        version.capability,
        version.version,
        reason,
        actor or "the platform",
        extra={"capability": version.capability, "model_version": version.version},
    )
    return version


def _active_pointer_publish(version: ModelVersion) -> None:
    """Tells every process at once, through the shared cache, which version to serve."""
    try:
        cache.set(
            active_pointer_cache_key(version.capability),
            active_pointer_build(version),
            timeout=settings.ML_ACTIVE_POINTER_CACHE_SECONDS,
        )
    except Exception as exc:
        logger.warning(
            "could not publish the active version of %s (processes pick it up within %s s): %s",
            version.capability,
            settings.ML_ACTIVE_POINTER_CACHE_SECONDS,
            exc,
        )


# --- training runs ----------------------------------------------------------------------------


def training_runs_create(
    *, capability: str, force: bool = False, requested_by: str = "", only_missing: bool = False
) -> list[TrainingRun]:
    """Queued runs for `capability`, or `all`, or a capability and its components, in the
    order they must run (a component after what it is built from); with `only_missing`, only
    for those with no active version (a set-up step that can run again)."""
    names = capability_names_expand(capability)
    if only_missing:
        names = [name for name in names if model_version_active_get(capability=name) is None]
    return [
        TrainingRun.objects.create(capability=name, force=force, requested_by=requested_by)
        for name in names
    ]


def training_runs_enqueue(
    *, capability: str, force: bool = False, requested_by: str = "", only_missing: bool = False
) -> list[TrainingRun]:
    """Creates the runs and hands them, in order, to one task on the training queue."""
    from ml_models.tasks import train_models

    with transaction.atomic():
        runs = training_runs_create(
            capability=capability,
            force=force,
            requested_by=requested_by,
            only_missing=only_missing,
        )
        if runs:
            train_models.delay_on_commit([run.pk for run in runs])
    return runs


def training_runs_execute(
    *, run_ids: list[int], echo: ProgressReport | None = None, tune: bool = False
) -> None:
    """Runs queued runs in order; once one fails, the ones after it (built from it) fail too.
    After a transient error they stay queued for the retry of the whole list. The runs share
    their datasets (a model's index is built on the data the model was). With `tune`, no run is
    told what the active version learned, so each tunes afresh."""
    with datasets_shared():
        for position, run_id in enumerate(run_ids):
            try:
                run = training_run_execute(run_id=run_id, echo=echo, tune=tune)
            except TRANSIENT_ERRORS:
                raise
            except BaseException:
                _runs_skip(run_ids[position + 1 :], after=run_id)
                raise
            if run.status != TrainingRun.Status.SUCCEEDED:
                _runs_skip(run_ids[position + 1 :], after=run_id)
                return


def _runs_skip(run_ids: list[int], *, after: int) -> None:
    failed = TrainingRun.objects.get(pk=after)
    TrainingRun.objects.filter(pk__in=run_ids, status=TrainingRun.Status.QUEUED).update(
        status=TrainingRun.Status.FAILED,
        finished_at=timezone.now(),
        error=f"Not run: training run {after} of {failed.capability} failed first.",
    )


def training_run_execute(
    *, run_id: int, echo: ProgressReport | None = None, tune: bool = False
) -> TrainingRun:
    """Trains, evaluates, registers and (through the gate) promotes one queued run. The
    capability is told what its active version learned (`Dataset.learned`), unless `tune`.

    A run that is not queued (finished, or running elsewhere) is left alone, so a duplicated
    task does nothing. A transient database error puts the run back in the queue for a retry
    and re-raises; any other error fails the run. Either way nothing stays on disk.
    """
    run = _run_claim(run_id)
    if run is None:
        logger.info("training run %s is not queued; nothing to do", run_id)
        return TrainingRun.objects.get(pk=run_id)
    staging = staging_dir(settings.MODEL_ARTIFACT_ROOT, run.capability, run.pk)
    heartbeat = _Heartbeat(run.pk)
    heartbeat.start()
    try:
        capability = capability_get(run.capability)
        staging_remove(staging)  # what an earlier attempt of this run left
        (staging / "artifact").mkdir(parents=True)
        (staging / "work").mkdir()
        _run_train_and_register(run, capability, staging, _RunProgress(run.pk, echo), tune=tune)
    except BaseException as exc:
        _run_end_after_error(run, exc, transient=isinstance(exc, TRANSIENT_ERRORS))
        raise
    finally:
        heartbeat.stop()
        staging_remove(staging)
    run.refresh_from_db()
    return run


def _run_claim(run_id: int) -> TrainingRun | None:
    now = timezone.now()
    claimed = TrainingRun.objects.filter(pk=run_id, status=TrainingRun.Status.QUEUED).update(
        status=TrainingRun.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        attempts=F("attempts") + 1,
        error="",
    )
    return TrainingRun.objects.get(pk=run_id) if claimed else None


def _run_train_and_register(
    run: TrainingRun,
    capability: Capability,
    staging: Path,
    progress: "_RunProgress",
    *,
    tune: bool,
) -> None:
    device = tensorflow_device_setup() if capability.uses_tensorflow else "CPU (no TensorFlow)"
    TrainingRun.objects.filter(pk=run.pk).update(device=device)
    progress(0.01, f"building the dataset; training on {device}")
    dataset = dataset_get(capability, LIVE)
    progress(0.1, f"dataset ready: {dataset.window}")
    if not tune:
        dataset = replace(dataset, learned=_learned_get(capability.name))
    model = capability.train(
        dataset,
        workdir=staging / "work",
        report=lambda fraction, message: progress(0.1 + 0.7 * fraction, message),
    )
    artifact = staging / "artifact"
    capability.save(model, artifact)
    predictor = capability.load(artifact)  # scored exactly as it will be served
    progress(0.85, "evaluating the candidate, the baseline and the active version")
    metrics = capability.evaluate(predictor, dataset)
    gate = _gate_run(capability, dataset, metrics)
    decision = "promoted" if gate["passed"] else "forced" if run.force else "rejected"
    gate["decision"] = decision
    logger.info(
        "quality gate for %s: %s (%s)",
        capability.name,
        decision,
        "; ".join(gate["reasons"]) or "beats the baseline and the active version",
        extra={"capability": capability.name, "gate": gate},
    )
    progress(0.95, f"quality gate: {decision} {'; '.join(gate['reasons'])}".strip())
    version = _version_register(run, capability, artifact, dataset, metrics, gate, device)
    progress(1.0, f"registered {capability.name} v{version.version} ({version.status})")


def _learned_get(capability: str) -> Learned | None:
    active = model_version_active_get(capability=capability)
    return None if active is None else Learned(version=active.version, record=active.metrics)


def _gate_run(capability: Capability, dataset, metrics: dict) -> dict:
    metric = capability.primary_metric
    baseline = capability.evaluate(capability.baseline(dataset), dataset)
    active = _active_rescore(capability, dataset)
    gate = gate_decide(
        metric=metric,
        higher_is_better=capability.higher_is_better,
        candidate=metrics.get(metric),
        baseline=baseline[metric],
        active=active["metrics"][metric] if active and "metrics" in active else None,
        tolerance=(
            settings.ML_GATE_TOLERANCE
            if capability.gate_tolerance is None
            else capability.gate_tolerance
        ),
    )
    gate["baseline_name"] = capability.baseline_name
    gate["baseline_metrics"] = baseline
    gate["active_version"] = active
    return gate


def _active_rescore(capability: Capability, dataset) -> dict | None:
    """The active version scored on the candidate's held-out data: an older window's metrics
    are not comparable. A broken active version is reported, and the candidate is then held
    to the baseline alone."""
    active = model_version_active_get(capability=capability.name)
    if active is None:
        return None
    try:
        artifact_verify(Path(active.artifact_path), expected_files=active.files)
        predictor = capability.load(Path(active.artifact_path))
        return {"version": active.version, "metrics": capability.evaluate(predictor, dataset)}
    except Exception as exc:
        logger.warning("active %s v%s could not be re-scored: %s", capability.name, active, exc)
        return {"version": active.version, "error": f"{type(exc).__name__}: {exc}"}


def _version_register(
    run: TrainingRun,
    capability: Capability,
    artifact: Path,
    dataset,
    metrics: dict,
    gate: dict,
    device: str,
) -> ModelVersion:
    inputs = {name: active_pointer_get(capability=name)["version"] for name in capability.inputs}
    libraries = libraries_versions()
    published: Path | None = None
    try:
        with transaction.atomic():
            run = TrainingRun.objects.select_for_update().get(pk=run.pk)
            if run.status != TrainingRun.Status.RUNNING or run.model_version_id:
                raise Conflict(f"{run} already finished; not registering it twice.")
            newest = ModelVersion.objects.filter(capability=capability.name).aggregate(
                newest=Max("version")
            )["newest"]
            number, published, manifest = artifact_publish(
                artifact,
                root=settings.MODEL_ARTIFACT_ROOT,
                capability=capability.name,
                metadata={
                    "training_run": run.pk,
                    "created_at": timezone.now().isoformat(),
                    "data_window": dataset.window,
                    "metrics": metrics,
                    "inputs": inputs,
                    "libraries": libraries,
                    "device": device,
                },
                after_version=newest or 0,
            )
            version = ModelVersion.objects.create(
                capability=capability.name,
                version=number,
                metrics=metrics,
                gate=gate,
                data_window=dataset.window,
                inputs=inputs,
                artifact_path=str(published),
                files=manifest["files"],
                libraries=libraries,
                device=device,
            )
            if gate["decision"] != "rejected":
                _version_activate(version, actor=run.requested_by, reason=gate["decision"])
            run.model_version = version
            run.status = TrainingRun.Status.SUCCEEDED
            run.finished_at = timezone.now()
            run.save(update_fields=["model_version", "status", "finished_at"])
    except BaseException:
        if published is not None:
            shutil.rmtree(published, ignore_errors=True)
        raise
    return version


def _run_end_after_error(run: TrainingRun, exc: BaseException, *, transient: bool) -> None:
    status = TrainingRun.Status.QUEUED if transient else TrainingRun.Status.FAILED
    message = f"{type(exc).__name__}: {exc}"
    logger.error("training run %s of %s: %s", run.pk, run.capability, message)
    try:
        TrainingRun.objects.filter(pk=run.pk, status=TrainingRun.Status.RUNNING).update(
            status=status, finished_at=None if transient else timezone.now(), error=message
        )
    except DatabaseError:
        logger.exception("could not record the end of training run %s", run.pk)


class _RunProgress:
    """Records progress, a heartbeat and the last lines of the log on the run."""

    def __init__(self, run_id: int, echo: ProgressReport | None) -> None:
        self.run_id = run_id
        self.echo = echo
        self.lines: deque[str] = deque(maxlen=LOG_TAIL_LINES)

    def __call__(self, fraction: float, message: str) -> None:
        fraction = min(max(float(fraction), 0.0), 1.0)
        now = timezone.now()
        self.lines.append(f"{now:%H:%M:%S} {fraction:4.0%} {message}")
        TrainingRun.objects.filter(pk=self.run_id).update(
            progress=fraction, heartbeat_at=now, log_tail="\n".join(self.lines)
        )
        # DEBUG: the run row (training_status, the admin) and `retrain --sync` show progress.
        logger.debug("training run %s: %.0f%% %s", self.run_id, fraction * 100, message)
        if self.echo is not None:
            self.echo(fraction, message)


class _Heartbeat(threading.Thread):
    """Stamps the run every ML_HEARTBEAT_SECONDS from its own thread, so a long epoch with no
    progress to report is not mistaken for a dead worker."""

    def __init__(self, run_id: int) -> None:
        super().__init__(name=f"training-heartbeat-{run_id}", daemon=True)
        self.run_id = run_id
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(settings.ML_HEARTBEAT_SECONDS):
                TrainingRun.objects.filter(
                    pk=self.run_id, status=TrainingRun.Status.RUNNING
                ).update(heartbeat_at=timezone.now())
        except DatabaseError:
            logger.exception("heartbeat of training run %s stopped", self.run_id)
        finally:
            connection.close()  # this thread's own connection

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=10)


def training_runs_reap(*, now=None) -> list[int]:
    """Fails running runs whose heartbeat stopped and deletes what they left on disk: their
    staging directories, and version directories no registry row claims (a worker killed
    between publishing and committing). Returns the ids of the runs failed."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.ML_HEARTBEAT_TIMEOUT_SECONDS)
    reaped = []
    for run in TrainingRun.objects.filter(
        status=TrainingRun.Status.RUNNING, heartbeat_at__lt=cutoff
    ):
        failed = TrainingRun.objects.filter(
            pk=run.pk, status=TrainingRun.Status.RUNNING, heartbeat_at__lt=cutoff
        ).update(
            status=TrainingRun.Status.FAILED,
            finished_at=now,
            error=(
                f"The worker stopped sending heartbeats at {run.heartbeat_at:%Y-%m-%d %H:%M:%S}"
                " UTC (killed or lost); the run was abandoned."
            ),
        )
        if failed:
            staging_remove(staging_dir(settings.MODEL_ARTIFACT_ROOT, run.capability, run.pk))
            logger.error("training run %s of %s had no heartbeat; failed", run.pk, run.capability)
            reaped.append(run.pk)
    _artifacts_orphaned_remove(cutoff)
    return reaped


def _artifacts_orphaned_remove(cutoff) -> None:
    root = Path(settings.MODEL_ARTIFACT_ROOT)
    if not root.is_dir():
        return
    running = set(
        TrainingRun.objects.filter(status=TrainingRun.Status.RUNNING).values_list("pk", flat=True)
    )
    for capability_dir in (entry for entry in root.iterdir() if entry.is_dir()):
        capability = capability_dir.name
        registered = set(
            ModelVersion.objects.filter(capability=capability).values_list("version", flat=True)
        )
        for number in versions_published(root, capability):
            path = capability_dir / str(number)
            if number not in registered and _modified_before(path, cutoff):
                shutil.rmtree(path, ignore_errors=True)
                logger.warning("removed %s: no registry row claims it", path)
        for leftover in capability_dir.glob(".staging-*"):
            run_id = leftover.name.removeprefix(".staging-")
            if run_id.isdigit() and int(run_id) not in running:
                staging_remove(leftover)


def _modified_before(path: Path, cutoff) -> bool:
    return path.stat().st_mtime < cutoff.timestamp()

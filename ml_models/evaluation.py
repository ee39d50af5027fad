"""The `evaluate` report: the model and every baseline or peer on one split, in one process.

Nothing is written to the registry: the model is trained, saved to a temporary directory and
loaded back from it, so the numbers are those of the artifact that would be served.
"""

import logging
import os
import tempfile
import time
from pathlib import Path

from ml_models.capabilities import Capability

logger = logging.getLogger(__name__)

# Variables that would point a throwaway process at shared services.
SHARED_SERVICES = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "CELERY_TASK_ALWAYS_EAGER",
    "CACHE_DIR",
    "MODEL_ARTIFACT_ROOT",
    "MEDIA_ROOT",
)


def throwaway_environment(scratch: Path, *, capabilities: list[str]) -> dict[str, str]:
    """This process's environment with the database, cache, broker and artifacts moved into
    `scratch`: a process started with it (an evaluation on the demo store, a benchmark) reads
    and writes nothing shared. Tasks run in-process there, as no broker is named."""
    environment = {key: value for key, value in os.environ.items() if key not in SHARED_SERVICES}
    return environment | {
        "DJANGO_SETTINGS_MODULE": "storefront.settings.base",
        "DATABASE_URL": f"sqlite:///{scratch / 'db.sqlite3'}",
        "CACHE_DIR": str(scratch / "cache"),
        "MODEL_ARTIFACT_ROOT": str(scratch / "artifacts"),
        "MEDIA_ROOT": str(scratch / "media"),
        "ML_CAPABILITIES": ",".join(capabilities),
    }


def evaluation_report(
    *, capability: Capability, dataset_name: str, build_as: str, options: dict | None = None
) -> dict:
    """`build_as` is the dataset the capability builds (`live` for the demo store, which is the
    live database of a throwaway copy); `dataset_name` is what the report calls it; `options`
    go to `dataset_build` (those in the capability's `dataset_options`)."""
    started = time.perf_counter()
    dataset = capability.dataset_build(build_as, **(options or {}))
    seconds = {"dataset": time.perf_counter() - started}
    logger.info("%s: dataset %s ready: %s", capability.name, dataset_name, dataset.window)

    with tempfile.TemporaryDirectory(prefix=f"evaluate-{capability.name}-") as scratch:
        started = time.perf_counter()
        model = capability.train(
            dataset,
            workdir=_mkdir(Path(scratch) / "work"),
            report=_progress_log,
        )
        artifact = _mkdir(Path(scratch) / "artifact")
        capability.save(model, artifact)
        predictor = capability.load(artifact)
        seconds["train"] = time.perf_counter() - started

        started = time.perf_counter()
        results = {"model": capability.evaluate(predictor, dataset)}
        for name, peer in capability.peers(dataset).items():
            logger.info("%s: scoring %s", capability.name, name)
            results[name] = capability.evaluate(peer, dataset)
        seconds["evaluate"] = time.perf_counter() - started

    return {
        "capability": capability.name,
        "dataset": dataset_name,
        "protocol": dataset.protocol,
        "primary_metric": capability.primary_metric,
        "results": results,
        "window": dataset.window,
        "seconds": {name: round(value, 2) for name, value in seconds.items()},
    }


def _progress_log(fraction: float, message: str) -> None:
    logger.info("training %3.0f%% %s", 100 * fraction, message)


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True)
    return path

"""One predictor per capability per process, loaded on first use, swapped when another version
is promoted.

Each call looks at the shared cache (at most every ML_LOADER_POLL_SECONDS) for the active
version; a promotion by any process (a command, a worker, the admin) writes it there. A new
version's predictor is built completely, checksums verified, before it replaces the old one in
a single assignment, so a request sees the old predictor or the new one, never half of one. A
version that fails to load is logged and skipped while the previous predictor keeps serving;
with no version active, the capability's baseline serves and the provenance says so.
"""

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from ml_models.capabilities import capability_get, provenance
from ml_models.ml.artifacts import artifact_verify
from ml_models.selectors import active_pointer_get

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Served:
    """A predictor and where it came from."""

    predictor: Any
    source: str  # "model" or "baseline:<name>"
    model_version: int | None

    @property
    def provenance(self) -> dict:
        return provenance(source=self.source, model_version=self.model_version)


_served: dict[str, Served] = {}
_checked_at: dict[str, float] = {}
_refused: dict[str, int] = {}  # capability -> a version that failed to load; not retried
_build_lock = threading.Lock()


def predictor_get(capability: str) -> Served:
    """The predictor this process serves for `capability` right now."""
    current = _served.get(capability)
    now = time.monotonic()
    if current is not None and now - _checked_at.get(capability, 0.0) < _poll_seconds():
        return current
    with _build_lock:
        current = _served.get(capability)
        pointer = active_pointer_get(capability=capability)
        _checked_at[capability] = time.monotonic()
        wanted = pointer["version"]
        if current is not None and current.model_version == wanted:
            return current
        if wanted is None:
            replacement = _fallback_serve(capability)
        elif _refused.get(capability) == wanted:
            replacement = current or _fallback_serve(capability)
        else:
            replacement = (
                _served_build(capability, pointer) or current or _fallback_serve(capability)
            )
        _served[capability] = replacement
        return replacement


def _served_build(capability: str, pointer: dict) -> Served | None:
    version = pointer["version"]
    try:
        path = Path(pointer["path"])
        artifact_verify(path, expected_files=pointer["files"])
        predictor = capability_get(capability).load(path)
    except Exception as exc:
        _refused[capability] = version
        logger.error(
            "%s v%s refused: %s; the previous predictor keeps serving",
            capability,
            version,
            exc,
            extra={"capability": capability, "model_version": version},
        )
        return None
    _refused.pop(capability, None)
    logger.info("%s v%s loaded", capability, version)
    return Served(predictor=predictor, source="model", model_version=version)


def _fallback_serve(capability: str) -> Served:
    current = _served.get(capability)
    if current is not None and current.model_version is None:
        return current
    chosen = capability_get(capability)
    logger.warning("%s: no model active; serving the baseline", capability)
    return Served(
        predictor=chosen.fallback(), source=f"baseline:{chosen.baseline_name}", model_version=None
    )


def _poll_seconds() -> float:
    return settings.ML_LOADER_POLL_SECONDS


def loaders_reset() -> None:
    """Forgets every loaded predictor (tests; a process that wants to reload from scratch)."""
    with _build_lock:
        _served.clear()
        _checked_at.clear()
        _refused.clear()

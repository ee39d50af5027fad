"""Dense Keras networks exported to numpy, so a request runs a few matrix products instead of
Keras: microseconds, no TensorFlow in the web process.

Training stays in Keras; `dense_stack_export` reads the trained weights out, and the resulting
`DenseStack` is saved in the artifact and served. Layers without weights at inference (Input,
Dropout) are skipped; any other layer is refused, so an export never silently drops math.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # stable for large |x|, unlike 1 / (1 + exp(-x))


def _softmax(x: np.ndarray) -> np.ndarray:
    shifted = np.exp(x - x.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


ACTIVATIONS = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0.0),
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "softmax": _softmax,
}
_INFERENCE_NO_OPS = {"InputLayer", "Dropout"}


@dataclass(frozen=True)
class DenseStack:
    kernels: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    activations: tuple[str, ...]

    def __call__(self, features: np.ndarray) -> np.ndarray:
        values = np.asarray(features, dtype=np.float32)
        for kernel, bias, activation in zip(
            self.kernels, self.biases, self.activations, strict=True
        ):
            values = ACTIVATIONS[activation](values @ kernel + bias)
        return values

    def save(self, path: Path) -> None:
        arrays = {f"kernel_{i}": kernel for i, kernel in enumerate(self.kernels)}
        arrays |= {f"bias_{i}": bias for i, bias in enumerate(self.biases)}
        np.savez(path, activations=np.array(self.activations), **arrays)

    @classmethod
    def load(cls, path: Path) -> "DenseStack":
        with np.load(path) as arrays:
            activations = tuple(str(name) for name in arrays["activations"])
            layers = range(len(activations))
            return cls(
                kernels=tuple(arrays[f"kernel_{i}"] for i in layers),
                biases=tuple(arrays[f"bias_{i}"] for i in layers),
                activations=activations,
            )


def dense_stack_export(model) -> DenseStack:
    """The Dense layers of a trained Keras model, as float32 numpy arrays."""
    kernels, biases, activations = [], [], []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind in _INFERENCE_NO_OPS:
            continue
        if kind != "Dense":
            raise ValueError(f"cannot export a {kind} layer ({layer.name}) to numpy")
        activation = layer.get_config()["activation"]
        if activation not in ACTIVATIONS:
            raise ValueError(f"cannot export the activation {activation!r} of {layer.name}")
        kernel, bias = layer.get_weights() if layer.use_bias else (layer.get_weights()[0], None)
        kernels.append(np.asarray(kernel, dtype=np.float32))
        biases.append(
            np.zeros(kernel.shape[1], np.float32) if bias is None else bias.astype(np.float32)
        )
        activations.append(activation)
    return DenseStack(tuple(kernels), tuple(biases), tuple(activations))

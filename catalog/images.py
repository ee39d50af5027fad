"""Validation and normalisation of product photos uploaded by merchants.

An uploaded image is untrusted input that ends up in front of every shopper, so it is checked and
re-encoded before anything stores it:

- Limits are checked in the cheapest order: the byte size before reading, the dimensions in the
  header before any pixel is decoded, so a small file that would expand to gigabytes of pixels (a
  decompression bomb) is refused without spending the memory.
- Only the formats browsers show everywhere are accepted, and only their decoders see the bytes;
  the format is detected from the content, because a file name or a client's content type is
  whatever the uploader says it is.
- A damaged or truncated file is refused rather than half-decoded into a grey band, because a
  merchant would rather re-upload than sell with a broken picture.
- The result is always a plain RGB JPEG with no metadata: one format for the storefront, no
  camera EXIF (GPS position, serial numbers) leaking to the public, and the orientation that EXIF
  asked for baked into the pixels, since it is gone with the rest of the metadata.

This module is pure: it neither touches the database nor stores files, so callers decide where
the bytes go and tests need nothing but Pillow.
"""

import hashlib
import io
import struct
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from storefront.errors import InvalidInput

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
ALLOWED_FORMATS_FOR_HUMANS = "JPEG, PNG, WebP or GIF"

# Pillow reports a JPEG that carries a multi-picture index (many phone cameras write one) as MPO;
# it is still a JPEG for browsers and for the merchant, and its first picture is the photo.
FORMAT_ALIASES = {"MPO": "JPEG"}

JPEG_SAVE_OPTIONS = {"quality": 88, "optimize": True, "progressive": True}
FLATTEN_BACKGROUND = (255, 255, 255)
SIXTEEN_BIT_GREY_MODES = ("I;16", "I;16B", "I;16L", "I;16N")

# What Pillow's parsers raise on malformed input besides OSError (which includes
# UnidentifiedImageError), SyntaxError and ValueError.
DAMAGED_FILE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error)

FIELD = "image"


@dataclass(frozen=True)
class NormalizedImage:
    content: bytes
    thumbnail: bytes
    width: int
    height: int
    source_format: str
    sha256: str


@dataclass(frozen=True)
class ImageLimits:
    max_bytes: int
    max_pixels: int
    min_side: int
    max_side: int
    thumbnail_size: int


def image_normalize(upload: Any) -> NormalizedImage:
    """Check an uploaded photo and re-encode it as a clean RGB JPEG plus a thumbnail.

    `upload` is a file-like object (a Django UploadedFile or io.BytesIO); its `.size`, when it has
    one, is checked before anything is read. Raises InvalidInput with a code saying what is wrong.
    """
    limits = read_limits()
    data = read_upload_within_limit(upload, limits.max_bytes)
    image, source_format = decode_checked(data, limits)
    picture = to_plain_rgb(image)
    content = encode_jpeg(picture)
    return NormalizedImage(
        content=content,
        thumbnail=encode_jpeg(make_thumbnail(picture, limits.thumbnail_size)),
        width=picture.width,
        height=picture.height,
        source_format=source_format,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def read_limits() -> ImageLimits:
    return ImageLimits(
        max_bytes=getattr(settings, "CATALOG_IMAGE_MAX_BYTES", 10 * 1024 * 1024),
        max_pixels=getattr(settings, "CATALOG_IMAGE_MAX_PIXELS", 40_000_000),
        min_side=getattr(settings, "CATALOG_IMAGE_MIN_SIDE", 64),
        max_side=getattr(settings, "CATALOG_IMAGE_MAX_SIDE", 12_000),
        thumbnail_size=getattr(settings, "CATALOG_IMAGE_THUMBNAIL_SIZE", 320),
    )


def invalid_image(code: str, message: str) -> InvalidInput:
    return InvalidInput(message, code=code, details={FIELD: [message]})


def too_large_error(max_bytes: int) -> InvalidInput:
    return invalid_image(
        "image_too_large",
        f"The image is larger than the {format_byte_count(max_bytes)} the store accepts. "
        "Please upload a smaller file.",
    )


def format_byte_count(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):g} MB"
    if count >= 1024:
        return f"{count / 1024:g} KB"
    return f"{count} bytes"


def damaged_file_error() -> InvalidInput:
    return invalid_image(
        "image_invalid",
        "The image file is damaged or truncated. Please export it again and re-upload it.",
    )


def unreadable_file_error() -> InvalidInput:
    return invalid_image(
        "image_invalid",
        f"The file is not an image the store can read ({ALLOWED_FORMATS_FOR_HUMANS}).",
    )


def too_many_pixels_error(max_pixels: int) -> InvalidInput:
    return invalid_image(
        "image_too_many_pixels",
        f"The image has too many pixels; the store accepts at most {max_pixels / 1e6:g} "
        "megapixels. Please resize it and re-upload it.",
    )


def read_upload_within_limit(upload: Any, max_bytes: int) -> bytes:
    """Read the whole upload, refusing it as soon as it is known to exceed `max_bytes`.

    A declared `.size` is trusted only to refuse early; the read itself stops at max_bytes + 1
    whatever the size claims, so a stream that lies about its size cannot fill the memory.
    """
    declared_size = getattr(upload, "size", None)
    if isinstance(declared_size, int) and declared_size > max_bytes:
        raise too_large_error(max_bytes)
    rewind(upload)
    data = read_at_most(upload, max_bytes + 1)
    if not data:
        raise invalid_image("image_empty", "The uploaded file is empty.")
    if len(data) > max_bytes:
        raise too_large_error(max_bytes)
    return data


def rewind(upload: Any) -> None:
    """Start from the first byte even if a previous check already read the upload."""
    seekable = getattr(upload, "seekable", None)
    if callable(seekable) and seekable():
        upload.seek(0)


def read_at_most(stream: Any, limit: int) -> bytes:
    """Read up to `limit` bytes, looping because a raw stream may return fewer than asked."""
    chunks: list[bytes] = []
    remaining = limit
    while remaining > 0:
        chunk = stream.read(remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def decode_checked(data: bytes, limits: ImageLimits) -> tuple[Image.Image, str]:
    """Check the header, then the file structure, then decode the upright first frame.

    Returns the image and the detected source format.
    """
    try:
        with decompression_bomb_warnings_as_errors():
            source_format = check_header(data, limits)
            verify_file_structure(data)
            image = decode_first_frame(data)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Only reachable when the settings allow more pixels than Pillow's own limit does.
        raise too_many_pixels_error(effective_max_pixels(limits.max_pixels)) from None
    return image, source_format


@contextmanager
def decompression_bomb_warnings_as_errors() -> Iterator[None]:
    """Make Pillow's DecompressionBombWarning an exception for the code inside only.

    Pillow's global Image.MAX_IMAGE_PIXELS is left as it is: other code in the process reads it.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        yield


def effective_max_pixels(max_pixels: int) -> int:
    pillow_limit = Image.MAX_IMAGE_PIXELS
    return min(max_pixels, pillow_limit) if pillow_limit else max_pixels


def open_lazily(data: bytes, formats: tuple[str, ...] | None = ALLOWED_FORMATS) -> Image.Image:
    """Parse the header only: Image.open decodes no pixels until load()."""
    return Image.open(io.BytesIO(data), formats=formats)


def check_header(data: bytes, limits: ImageLimits) -> str:
    """Check format, pixel count and sides from the header, before any pixel is decoded.

    Returns the detected source format.
    """
    try:
        with open_lazily(data) as image:
            source_format = FORMAT_ALIASES.get(image.format or "", image.format or "")
            width, height = image.size
    except UnidentifiedImageError:
        raise format_not_allowed_or_unreadable(data) from None
    except DAMAGED_FILE_ERRORS:
        raise damaged_file_error() from None
    check_pixel_count(width, height, limits.max_pixels)
    check_sides(width, height, limits)
    return source_format


def format_not_allowed_or_unreadable(data: bytes) -> InvalidInput:
    """Tell a merchant who uploaded a BMP or TIFF which formats to use instead.

    Only the header is parsed with Pillow's other plugins; their pixels are never decoded.
    """
    try:
        with open_lazily(data, formats=None) as image:
            detected = image.format
    except (*DAMAGED_FILE_ERRORS, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return unreadable_file_error()
    return invalid_image(
        "image_format_not_allowed",
        f"{detected} images are not accepted. Please upload a {ALLOWED_FORMATS_FOR_HUMANS} file.",
    )


def check_pixel_count(width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise too_many_pixels_error(max_pixels)


def check_sides(width: int, height: int, limits: ImageLimits) -> None:
    if min(width, height) < limits.min_side:
        raise invalid_image(
            "image_dimensions",
            f"The image is {width}x{height} pixels; each side must be at least "
            f"{limits.min_side} pixels.",
        )
    if max(width, height) > limits.max_side:
        raise invalid_image(
            "image_dimensions",
            f"The image is {width}x{height} pixels; no side may be longer than "
            f"{limits.max_side} pixels.",
        )


def verify_file_structure(data: bytes) -> None:
    """Let the format's own checks (PNG chunk checksums, for one) look for damage.

    verify() leaves the image unusable, which is why decoding opens the bytes again.
    """
    try:
        with open_lazily(data) as image:
            image.verify()
    except DAMAGED_FILE_ERRORS:
        raise damaged_file_error() from None


def decode_first_frame(data: bytes) -> Image.Image:
    """Decode every pixel of the first frame (all a GIF or animated WebP contributes), upright.

    Pillow refuses a truncated file here as long as ImageFile.LOAD_TRUNCATED_IMAGES is False,
    its default, which this module relies on and never changes.
    """
    try:
        with open_lazily(data) as image:
            image.load()
            return upright(image)
    except DAMAGED_FILE_ERRORS:
        raise damaged_file_error() from None


def upright(image: Image.Image) -> Image.Image:
    """A copy rotated or flipped as the EXIF orientation says, since the EXIF is not kept."""
    return ImageOps.exif_transpose(image) or image.copy()


def to_plain_rgb(image: Image.Image) -> Image.Image:
    """An RGB copy with transparency flattened onto white and no metadata attached."""
    if image.mode in SIXTEEN_BIT_GREY_MODES:
        image = sixteen_bit_grey_to_eight_bit(image)
    rgb = flatten_onto_white(image) if has_transparency(image) else image.convert("RGB")
    rgb.info = {}
    return rgb


def sixteen_bit_grey_to_eight_bit(image: Image.Image) -> Image.Image:
    """Scale 0..65535 down to 0..255; a plain convert would clip nearly everything to white."""
    grey = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    grey.info.pop("transparency", None)  # a 16-bit value that no longer matches any pixel
    return grey


def has_transparency(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info


def flatten_onto_white(image: Image.Image) -> Image.Image:
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, FLATTEN_BACKGROUND)
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def make_thumbnail(image: Image.Image, box_side: int) -> Image.Image:
    """Shrink to fit a box_side square, keeping the aspect ratio; never enlarges."""
    thumbnail = image.copy()
    thumbnail.thumbnail((box_side, box_side), Image.Resampling.LANCZOS)
    return thumbnail


def encode_jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", **JPEG_SAVE_OPTIONS)
    return buffer.getvalue()

import hashlib
import io
import struct
import warnings
from functools import cache

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from catalog.images import NormalizedImage, image_normalize
from storefront.errors import InvalidInput

RED = (255, 0, 0)
BLUE = (0, 0, 255)
ORIENTATION_TAG = 0x0112
GPS_IFD_TAG = 0x8825


def encode(image: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def solid(size=(200, 100), color=RED, mode="RGB") -> Image.Image:
    return Image.new(mode, size, color)


def noisy_jpeg() -> bytes:
    """A JPEG with enough detail that cutting it in half loses real scan data."""
    noise = Image.effect_noise((400, 300), 80).convert("RGB")
    return encode(noise, "JPEG", quality=95)


def noisy_png() -> bytes:
    return encode(Image.effect_noise((400, 300), 80), "PNG")


@cache
def one_bit_png(width: int, height: int) -> bytes:
    """A header declaring width x height, cheap to build: a blank 1-bit image compresses to KBs."""
    return encode(Image.new("1", (width, height), 0), "PNG")


def normalize(data: bytes) -> NormalizedImage:
    return image_normalize(io.BytesIO(data))


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def assert_invalid(data: bytes, code: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        normalize(data)
    error = caught.value
    assert error.code == code
    assert error.details["image"] == [error.message]
    return error


def assert_close(actual, expected, tolerance=12):
    assert all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True)), actual


# Refusals.


def test_zero_bytes_is_refused_as_empty():
    assert_invalid(b"", "image_empty")


def test_text_is_not_an_image():
    error = assert_invalid(b"name,price\nmug,12.00\n" * 10, "image_invalid")
    assert "JPEG, PNG, WebP or GIF" in error.message


def test_truncated_jpeg_is_refused_as_damaged():
    data = noisy_jpeg()
    error = assert_invalid(data[: len(data) // 2], "image_invalid")
    assert "damaged or truncated" in error.message


def test_truncated_png_is_refused_as_damaged():
    data = noisy_png()
    error = assert_invalid(data[: len(data) // 2], "image_invalid")
    assert "damaged or truncated" in error.message


def with_broken_idat_checksum(png: bytes) -> bytes:
    """The pixels still decode; only the checksum that Image.verify() checks is wrong."""
    data = bytearray(png)
    position = 8  # after the PNG signature
    while True:
        (length,) = struct.unpack(">I", data[position : position + 4])
        if data[position + 4 : position + 8] == b"IDAT":
            data[position + 8 + length] ^= 0xFF
            return bytes(data)
        position += 12 + length


def test_png_with_a_bad_chunk_checksum_is_refused_as_damaged():
    data = with_broken_idat_checksum(noisy_png())
    opened(data)  # load() alone would accept it
    error = assert_invalid(data, "image_invalid")
    assert "damaged or truncated" in error.message


def test_png_with_corrupted_pixel_data_is_refused_as_damaged():
    data = bytearray(noisy_png())
    data[len(data) // 2] ^= 0xFF
    assert_invalid(bytes(data), "image_invalid")


def test_truncated_files_are_refused_without_changing_pillows_global_setting():
    data = noisy_jpeg()
    assert_invalid(data[: len(data) // 2], "image_invalid")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_file_over_the_byte_limit_is_refused(settings):
    data = noisy_png()
    settings.CATALOG_IMAGE_MAX_BYTES = len(data) - 1
    assert_invalid(data, "image_too_large")


def test_file_at_the_byte_limit_is_accepted(settings):
    data = encode(solid(), "PNG")
    settings.CATALOG_IMAGE_MAX_BYTES = len(data)
    assert normalize(data).source_format == "PNG"


def test_declared_size_over_the_limit_is_refused_before_reading(settings):
    settings.CATALOG_IMAGE_MAX_BYTES = 1000

    class NeverRead(io.BytesIO):
        size = 1001

        def read(self, *args):
            raise AssertionError("the upload should not be read")

    with pytest.raises(InvalidInput) as caught:
        image_normalize(NeverRead())
    assert caught.value.code == "image_too_large"
    assert "image" in caught.value.details


def test_a_stream_without_size_is_read_no_further_than_the_limit_plus_one(settings):
    settings.CATALOG_IMAGE_MAX_BYTES = 1000

    class CountingStream(io.RawIOBase):
        """Endless zeros that count what was read; returns short reads like a socket."""

        bytes_read = 0

        def readable(self):
            return True

        def read(self, size=-1):
            assert size is not None and size >= 0, "an unbounded read"
            chunk = b"\0" * min(size, 300)
            self.bytes_read += len(chunk)
            return chunk

    stream = CountingStream()
    with pytest.raises(InvalidInput) as caught:
        image_normalize(stream)
    assert caught.value.code == "image_too_large"
    assert "image" in caught.value.details
    assert stream.bytes_read == 1001


def test_header_over_the_pixel_limit_is_refused_as_a_bomb():
    # 20000 x 20000 = 400 megapixels declared by a file of a few KB.
    data = one_bit_png(20_000, 20_000)
    assert len(data) < 1024 * 1024
    assert_invalid(data, "image_too_many_pixels")


def test_pixel_limit_comes_from_settings(settings):
    settings.CATALOG_IMAGE_MAX_PIXELS = 100 * 100 - 1
    assert_invalid(encode(solid((100, 100)), "PNG"), "image_too_many_pixels")


def test_pixel_count_is_checked_before_any_pixel_is_decoded(settings, monkeypatch):
    settings.CATALOG_IMAGE_MAX_PIXELS = 1_000_000

    def refuse_to_decode(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse_to_decode)
    assert_invalid(one_bit_png(2000, 2000), "image_too_many_pixels")


def test_pillows_own_bomb_error_is_refused_when_settings_allow_more(settings):
    # Over twice Pillow's default MAX_IMAGE_PIXELS: Image.open raises DecompressionBombError.
    settings.CATALOG_IMAGE_MAX_PIXELS = 10**10
    settings.CATALOG_IMAGE_MAX_SIDE = 10**6
    assert 2 * Image.MAX_IMAGE_PIXELS < 20_000 * 20_000
    assert_invalid(one_bit_png(20_000, 20_000), "image_too_many_pixels")


def test_pillows_bomb_warning_is_refused_and_the_warning_filters_are_restored(settings):
    # Between Pillow's limit and twice it, Image.open only warns; the warning must refuse too.
    settings.CATALOG_IMAGE_MAX_PIXELS = 10**10
    settings.CATALOG_IMAGE_MAX_SIDE = 10**6
    assert Image.MAX_IMAGE_PIXELS < 10_000 * 10_000 < 2 * Image.MAX_IMAGE_PIXELS
    filters_before = list(warnings.filters)
    max_image_pixels_before = Image.MAX_IMAGE_PIXELS

    assert_invalid(one_bit_png(10_000, 10_000), "image_too_many_pixels")

    assert warnings.filters == filters_before
    assert max_image_pixels_before == Image.MAX_IMAGE_PIXELS


@pytest.mark.parametrize(
    ("image_format", "detected"),
    [("BMP", "BMP"), ("TIFF", "TIFF"), ("ICO", "ICO"), ("PPM", "PPM")],
)
def test_formats_pillow_reads_but_the_store_does_not_accept_are_refused(image_format, detected):
    error = assert_invalid(encode(solid((64, 64)), image_format), "image_format_not_allowed")
    assert detected in error.message
    assert "JPEG, PNG, WebP or GIF" in error.message


@pytest.mark.parametrize("size", [(63, 200), (200, 63), (10, 10)])
def test_image_with_a_side_below_the_minimum_is_refused(size):
    assert_invalid(encode(solid(size), "PNG"), "image_dimensions")


def test_image_with_a_side_above_the_maximum_is_refused(settings):
    settings.CATALOG_IMAGE_MAX_SIDE = 150
    assert_invalid(encode(solid((200, 100)), "PNG"), "image_dimensions")


def test_minimum_side_comes_from_settings(settings):
    settings.CATALOG_IMAGE_MIN_SIDE = 8
    assert normalize(encode(solid((10, 10)), "PNG")).width == 10


# Normalisation.


def test_jpeg_with_exif_orientation_6_is_rotated_and_loses_its_exif():
    # Left half red, right half blue; orientation 6 means "rotate 90 degrees clockwise to view".
    image = solid((200, 100), RED)
    image.paste(BLUE, (100, 0, 200, 100))
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = 6
    exif.get_ifd(GPS_IFD_TAG)[2] = (48.0, 51.0, 24.0)  # GPSLatitude: must not survive
    data = encode(image, "JPEG", exif=exif.tobytes(), quality=95)

    result = normalize(data)

    assert (result.width, result.height) == (100, 200)
    output = opened(result.content)
    assert output.size == (100, 200)
    assert_close(output.getpixel((50, 20)), RED)
    assert_close(output.getpixel((50, 180)), BLUE)
    assert not output.getexif()
    assert "exif" not in output.info
    assert b"Exif" not in result.content
    assert b"Exif" not in result.thumbnail


def test_output_is_a_progressive_rgb_jpeg_without_metadata():
    data = encode(solid(), "JPEG", comment=b"shot at 12 Elm Street", icc_profile=b"profile")
    assert opened(data).info["comment"]
    output = opened(normalize(data).content)
    assert output.format == "JPEG"
    assert output.mode == "RGB"
    assert output.info.get("progressive") or output.info.get("progression")
    assert "icc_profile" not in output.info
    assert "comment" not in output.info


def test_transparent_pixels_of_an_rgba_png_become_white():
    image = solid((100, 100), (0, 0, 0, 0), mode="RGBA")
    image.paste((0, 0, 255, 255), (50, 0, 100, 100))

    result = normalize(encode(image, "PNG"))

    output = opened(result.content)
    assert output.mode == "RGB"
    assert_close(output.getpixel((10, 50)), (255, 255, 255))
    assert_close(output.getpixel((90, 50)), BLUE)
    assert result.source_format == "PNG"


def test_transparent_palette_entry_of_a_palette_png_becomes_white():
    image = Image.new("P", (100, 100), 0)
    image.putpalette([0, 0, 0, *RED] + [0, 0, 0] * 254)
    image.paste(1, (50, 0, 100, 100))
    data = encode(image, "PNG", transparency=0)
    assert opened(data).mode == "P"

    output = opened(normalize(data).content)

    assert_close(output.getpixel((10, 50)), (255, 255, 255))
    assert_close(output.getpixel((90, 50)), RED)


def test_half_transparent_grey_png_is_blended_onto_white():
    image = solid((100, 100), (0, 128), mode="LA")
    output = opened(normalize(encode(image, "PNG")).content)
    assert_close(output.getpixel((50, 50)), (127, 127, 127), tolerance=4)


def test_cmyk_jpeg_becomes_rgb():
    data = encode(solid((100, 100), (0, 255, 255, 0), mode="CMYK"), "JPEG", quality=95)
    assert opened(data).mode == "CMYK"

    result = normalize(data)

    output = opened(result.content)
    assert output.mode == "RGB"
    assert_close(output.getpixel((50, 50)), RED)
    assert result.source_format == "JPEG"


def test_sixteen_bit_greyscale_png_keeps_its_mid_tones():
    data = encode(solid((100, 100), 32768, mode="I;16"), "PNG")
    output = opened(normalize(data).content)
    assert_close(output.getpixel((50, 50)), (128, 128, 128), tolerance=3)


def test_animated_gif_keeps_only_its_first_frame():
    frames = [solid((100, 100), RED), solid((100, 100), BLUE)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    assert getattr(opened(data), "n_frames", 1) == 2

    result = normalize(data)

    assert result.source_format == "GIF"
    output = opened(result.content)
    assert getattr(output, "n_frames", 1) == 1
    assert_close(output.getpixel((50, 50)), RED)


def test_webp_is_accepted():
    result = normalize(encode(solid((120, 80), BLUE), "WEBP", quality=95))
    assert result.source_format == "WEBP"
    assert (result.width, result.height) == (120, 80)
    assert_close(opened(result.content).getpixel((60, 40)), BLUE)


def test_animated_webp_keeps_only_its_first_frame():
    frames = [solid((100, 100), RED), solid((100, 100), BLUE)]
    data = encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], lossless=True)

    result = normalize(data)

    assert result.source_format == "WEBP"
    assert_close(opened(result.content).getpixel((50, 50)), RED)


def test_format_is_detected_from_the_bytes_not_the_file_name():
    upload = SimpleUploadedFile("photo.jpg", encode(solid(), "PNG"), content_type="image/jpeg")
    assert image_normalize(upload).source_format == "PNG"


def test_a_bmp_named_like_a_jpeg_is_still_refused():
    upload = SimpleUploadedFile("photo.jpg", encode(solid(), "BMP"), content_type="image/jpeg")
    with pytest.raises(InvalidInput) as caught:
        image_normalize(upload)
    assert caught.value.code == "image_format_not_allowed"
    assert "image" in caught.value.details


def test_an_upload_already_read_by_someone_else_is_read_from_the_start():
    upload = SimpleUploadedFile("photo.png", encode(solid(), "PNG"))
    upload.read()
    assert image_normalize(upload).source_format == "PNG"


def test_thumbnail_fits_the_box_and_keeps_the_aspect_ratio():
    result = normalize(encode(solid((1000, 500)), "JPEG"))

    thumbnail = opened(result.thumbnail)
    assert thumbnail.format == "JPEG"
    assert thumbnail.mode == "RGB"
    assert thumbnail.size == (320, 160)
    assert (result.width, result.height) == (1000, 500)


def test_thumbnail_of_a_portrait_image_fits_the_box_from_settings(settings):
    settings.CATALOG_IMAGE_THUMBNAIL_SIZE = 100
    thumbnail = opened(normalize(encode(solid((300, 900)), "PNG")).thumbnail)
    assert thumbnail.size == (33, 100)


def test_thumbnail_never_enlarges_a_small_image():
    thumbnail = opened(normalize(encode(solid((100, 80)), "PNG")).thumbnail)
    assert thumbnail.size == (100, 80)


def test_sha256_is_the_hash_of_the_content():
    result = normalize(encode(solid(), "PNG"))
    assert result.sha256 == hashlib.sha256(result.content).hexdigest()


def test_the_same_input_gives_the_same_sha256_twice():
    data = noisy_jpeg()
    first, second = normalize(data), normalize(data)
    assert first.sha256 == second.sha256
    assert first.content == second.content
    assert first.thumbnail == second.thumbnail


def test_the_result_is_immutable():
    result = normalize(encode(solid(), "PNG"))
    with pytest.raises(AttributeError):
        result.width = 1  # type: ignore[misc]


def test_a_multi_picture_jpeg_from_a_phone_counts_as_jpeg():
    frames = [solid((100, 100), RED), solid((100, 100), BLUE)]
    data = encode(frames[0], "MPO", save_all=True, append_images=frames[1:])
    assert opened(data).format == "MPO"

    result = normalize(data)

    assert result.source_format == "JPEG"
    assert_close(opened(result.content).getpixel((50, 50)), RED)

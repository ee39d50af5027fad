"""Demo product photos (`storefront.demo.images`): valid PNGs of the right size, deterministic for
an rng state, varied a little by the seed and a lot by the category, in the attribute colour.
No database."""

import hashlib
import io
import itertools

import numpy as np
import pytest
from PIL import Image

from storefront.demo.images import CATEGORIES, COLOURS, colour_rgb, product_image

EXPECTED_CATEGORIES = {
    "apparel", "shoes", "electronics", "home_kitchen", "beauty", "coffee_tea", "toys", "gift_cards",
}  # fmt: skip
KINDS = {
    "apparel": ["shirt", "hoodie"],
    "shoes": ["sneaker", "boot"],
    "electronics": ["headphones", "phone", "charger", "speaker"],
    "home_kitchen": ["mug", "pan", "plate"],
    "beauty": ["serum", "cream"],
    "coffee_tea": ["beans", "tea"],
    "toys": ["blocks", "ball"],
    "gift_cards": ["card"],
}


def _png(category: str, colour: str = "red", kind: str = "", seed: int = 0, size: int = 480):
    attributes = {"colour": colour, "kind": kind}
    rng = np.random.default_rng(seed)
    return product_image(category=category, attributes=attributes, rng=rng, size=size)


def _pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=float)


def _image(category: str, **kwargs) -> np.ndarray:
    return _pixels(_png(category, **kwargs))


def _mad(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).mean())


def _foreground_mean(pixels: np.ndarray) -> np.ndarray:
    """The mean colour of the pixels that clearly differ from the background (a corner)."""
    background = pixels[0, 0]
    mask = np.abs(pixels - background).max(axis=2) > 40
    assert mask.mean() > 0.05, "the product should cover a good part of the picture"
    return pixels[mask].mean(axis=0)


def test_the_categories_and_colours_are_the_catalogues():
    assert set(CATEGORIES) == EXPECTED_CATEGORIES
    assert set(KINDS) == EXPECTED_CATEGORIES
    named = "black white grey navy blue sky green olive red burgundy pink orange yellow beige"
    assert set(named.split()) | {"brown", "purple", "silver", "gold"} <= set(COLOURS)
    for rgb in COLOURS.values():
        assert len(rgb) == 3 and all(0 <= v <= 255 for v in rgb)


@pytest.mark.parametrize(("category", "kind"), [(c, k) for c, ks in KINDS.items() for k in ks])
def test_png_of_the_requested_size(category, kind):
    data = _png(category, kind=kind)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert image.size == (480, 480)
    assert image.mode == "RGB"


@pytest.mark.parametrize("size", [64, 200, 512])
def test_other_sizes(size):
    assert Image.open(io.BytesIO(_png("toys", size=size))).size == (size, size)


@pytest.mark.parametrize("category", CATEGORIES)
def test_same_seed_same_bytes(category):
    for seed in (0, 7):
        assert _png(category, kind="x", seed=seed) == _png(category, kind="x", seed=seed)


def test_same_rng_state_same_bytes_and_the_rng_advances():
    rng_a, rng_b = np.random.default_rng(3), np.random.default_rng(3)
    attributes = {"colour": "navy", "kind": "beans"}
    first = [product_image(category="coffee_tea", attributes=attributes, rng=rng_a)]
    first.append(product_image(category="coffee_tea", attributes=attributes, rng=rng_a))
    second = [product_image(category="coffee_tea", attributes=attributes, rng=rng_b)]
    second.append(product_image(category="coffee_tea", attributes=attributes, rng=rng_b))
    assert first == second
    assert first[0] != first[1]


@pytest.mark.parametrize("category", CATEGORIES)
def test_other_seeds_differ_but_little(category):
    base = _image(category, colour="green")
    for seed in (1, 2, 3):
        other = _image(category, colour="green", seed=seed)
        assert 0 < _mad(base, other) < 30


def test_categories_differ_a_lot():
    # the same seed places and tilts every category alike: what differs is the drawing
    within, across = [], []
    for colour in ("red", "navy"):
        images = {c: _image(c, colour=colour) for c in CATEGORIES}
        for a, b in itertools.combinations(CATEGORIES, 2):
            difference = _mad(images[a], images[b])
            assert difference > 10, (colour, a, b, difference)
            across.append(difference)
        for c in CATEGORIES:
            within.append(_mad(images[c], _image(c, colour=colour, seed=1)))
    assert np.mean(across) > 1.5 * np.mean(within)


def test_kinds_choose_the_drawing():
    images = {kind: _image("electronics", kind=kind) for kind in KINDS["electronics"]}
    for a, b in itertools.combinations(images, 2):
        assert _mad(images[a], images[b]) > 8, (a, b)
    # kinds are matched by the words in them, whatever the case
    assert _png("home_kitchen", kind="Ceramic MUG") == _png("home_kitchen", kind="mug")
    assert _png("electronics", kind="wireless headphones") == _png("electronics", kind="headset")


@pytest.mark.parametrize("colour", ["red", "navy", "green", "yellow", "sky"])
@pytest.mark.parametrize("category", CATEGORIES)
def test_the_product_is_in_the_attribute_colour(category, colour):
    # details (soles, caps, labels, patterns, chips) pull the mean away: a generous tolerance
    for seed in (0, 1):
        mean = _foreground_mean(_image(category, colour=colour, seed=seed))
        assert np.abs(mean - COLOURS[colour]).max() < 55, (mean.round(), COLOURS[colour])


@pytest.mark.parametrize("category", ["home_kitchen", "toys", "electronics"])
def test_plain_products_are_close_to_the_colour(category):
    for colour in ("red", "navy", "green"):
        mean = _foreground_mean(_image(category, colour=colour))
        assert np.abs(mean - COLOURS[colour]).max() < 25, (colour, mean.round())


def test_colours_change_the_picture_not_the_shape():
    red, navy = _image("shoes", colour="red"), _image("shoes", colour="navy")
    assert _mad(red, navy) > 5
    masks = [np.abs(p - p[0, 0]).max(axis=2) > 40 for p in (red, navy)]
    assert (masks[0] == masks[1]).mean() > 0.95


def test_unknown_colour_is_stable_and_derived_from_its_name():
    digest = hashlib.sha256(b"mauve").digest()
    rgb = colour_rgb("mauve")
    assert rgb == tuple(40 + b * 176 // 255 for b in digest[:3])
    assert colour_rgb(" Mauve ") == rgb
    assert colour_rgb("Red") == COLOURS["red"]
    assert colour_rgb("mauve") != colour_rgb("teal")
    mean = _foreground_mean(_image("home_kitchen", colour="mauve"))
    assert np.abs(mean - rgb).max() < 30


@pytest.mark.parametrize("category", CATEGORIES)
def test_unknown_kind_and_colour_do_not_crash(category):
    data = _png(category, colour="chartreuse-ish", kind="something-new")
    assert Image.open(io.BytesIO(data)).size == (480, 480)
    # an unknown kind draws the category's default
    assert _png(category, kind="something-new") == _png(category, kind="")


def test_missing_attributes_fall_back():
    rng = np.random.default_rng(0)
    data = product_image(category="beauty", attributes={}, rng=rng)
    assert Image.open(io.BytesIO(data)).size == (480, 480)


def test_unknown_category_is_refused():
    with pytest.raises(ValueError, match="unknown product category"):
        _png("furniture")


def test_background_is_light_and_tinted_by_the_rng():
    corners = {tuple(_image("toys", seed=seed)[0, 0]) for seed in range(6)}
    assert len(corners) > 1
    for corner in corners:
        assert min(corner) > 220

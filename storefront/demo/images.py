"""Demo product photos: a flat drawing of the product on a light background, as PNG bytes.

`product_image(...)` draws the category's silhouette for the kind (`SHAPES`) in the colour
(`colour_rgb`), outlined darker, over a soft shadow; the `rng` varies the background tint,
position, scale and tilt and (apparel, gift cards) adds stripes or dots. Same rng state, same
bytes. Shapes are unit-coordinate polygons, rotated and placed by `_Pen`, drawn at twice the size
and reduced (cheap antialiasing): about 10 ms at 480 px.
"""

import hashlib
import io
import math

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter

RGB = tuple[int, int, int]

COLOURS: dict[str, RGB] = {
    "black": (34, 34, 38), "white": (250, 250, 250), "grey": (136, 138, 142), "navy": (28, 42, 92),
    "blue": (40, 96, 200), "sky": (120, 184, 232), "green": (46, 140, 72), "olive": (112, 118, 52),
    "red": (200, 36, 44), "burgundy": (98, 20, 40), "pink": (236, 140, 176), "brown": (120, 78, 46),
    "orange": (240, 128, 32), "yellow": (244, 204, 48), "beige": (216, 196, 160),
    "gold": (212, 170, 60), "purple": (112, 56, 160), "silver": (192, 194, 198),
}  # fmt: skip
_BLACK, _WHITE, _BEAN, _CHIP = (0, 0, 0), (255, 255, 255), (92, 56, 30), (214, 180, 92)
_SS = 2  # supersampling factor


def colour_rgb(colour: str) -> RGB:
    """The RGB of a colour id; an unknown id gets a stable mid-range colour from its name."""
    if (key := colour.strip().lower()) in COLOURS:
        return COLOURS[key]
    digest = hashlib.sha256(key.encode()).digest()
    return (40 + digest[0] * 176 // 255, 40 + digest[1] * 176 // 255, 40 + digest[2] * 176 // 255)


def _mix(c: RGB, other: RGB, t: float) -> RGB:
    return tuple(round(a + (o - a) * t) for a, o in zip(c, other, strict=True))  # type: ignore


def _paints(c: RGB) -> dict[str, RGB]:
    """The shades a shape names: the colour, its outline, darker and lighter tones, contrast."""
    pale = 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2] > 150
    return {
        "fill": c, "line": _mix(c, _BLACK, 0.3), "dark": _mix(c, _BLACK, 0.2),
        "darker": _mix(c, _BLACK, 0.35), "screen": _mix(c, _BLACK, 0.5),
        "light": _mix(c, _WHITE, 0.2), "lighter": _mix(c, _WHITE, 0.5),
        "label": _mix(c, _WHITE, 0.72),
        "sole": _mix(c, _BLACK, 0.6) if pale else _mix(c, _WHITE, 0.75),
        "contrast": _mix(c, _BLACK, 0.35) if pale else _mix(c, _WHITE, 0.4),
    }  # fmt: skip


def _ellipse_pts(box, a0: float = 0, a1: float = 360, n: int = 40) -> np.ndarray:
    """Points on the ellipse in `box`, angles in degrees clockwise from 3 o'clock."""
    x0, y0, x1, y1 = box
    t = np.radians(np.linspace(a0, a1, n))
    rx, ry = (x1 - x0) / 2, (y1 - y0) / 2
    return np.column_stack((x0 + rx + rx * np.cos(t), y0 + ry + ry * np.sin(t)))


def _rrect_pts(box, r: float) -> np.ndarray:
    x0, y0, x1, y1 = box
    corners = ((x0 + r, y0 + r, 180), (x1 - r, y0 + r, 270), (x1 - r, y1 - r, 0),
               (x0 + r, y1 - r, 90))  # fmt: skip
    return np.vstack([_ellipse_pts((x - r, y - r, x + r, y + r), a, a + 90, 7 if r > 0 else 1)
                      for x, y, a in corners])  # fmt: skip


def _ring_pts(box, width: float, a0: float, a1: float) -> np.ndarray:
    """A thick elliptic arc from `a0` to `a1` degrees, centred on `box`'s ellipse."""
    (x0, y0, x1, y1), h = box, width / 2
    outer = _ellipse_pts((x0 - h, y0 - h, x1 + h, y1 + h), a0, a1)
    return np.vstack((outer, _ellipse_pts((x0 + h, y0 + h, x1 - h, y1 - h), a1, a0)))


class _Pen:
    """Draws unit-coordinate polygons on the canvas, rotated about and moved to (cx, cy)."""

    def __init__(self, image: Image.Image, cx: float, cy: float, k: float, degrees: float, line):
        self.draw, self.w, self.cx, self.cy, self.k = ImageDraw.Draw(image), image.width, cx, cy, k
        a = math.radians(degrees)
        self.rot = np.array([[math.cos(a), math.sin(a)], [-math.sin(a), math.cos(a)]]) * k
        self.lw, self.line = max(2, round(self.w / 170)), line

    def pts(self, coords) -> list[float]:
        xy = (np.asarray(coords, dtype=float) - 0.5) @ self.rot + (self.cx, self.cy)
        return (xy * self.w).ravel().tolist()

    def poly(self, coords, fill: RGB, outline: bool = True) -> list[float]:
        pts = self.pts(coords)
        self.draw.polygon(pts, fill=fill, outline=self.line if outline else None, width=self.lw)
        return pts

    def stroke(self, coords, width: float, fill: RGB) -> None:
        self.draw.line(self.pts(coords), fill=fill, width=max(1, round(width * self.k * self.w)))


# fmt: off
# A shape: [(op, *geometry, paint)]; ops "P" polygon (points), "R" rounded rectangle (box, radius),
# "E" ellipse (box), "A" thick arc (box, width, from, to degrees), lower case not outlined; "L" line
# (points, width); "beans" (box). "*" marks the body, which patterns cover. A paint: a `_paints`
# name or an RGB. SHAPES: per category, [(words to find in the kind, shape)], the first default.
_NECK = ("L", [(0.42, 0.23), (0.46, 0.265), (0.54, 0.265), (0.58, 0.23)], 0.008, "line")
_COLLAR = [(0.60, 0.22), (0.56, 0.27), (0.50, 0.29), (0.44, 0.27), (0.40, 0.22)]
_SOLE_LACES = [("R", (0.15, 0.69, 0.87, 0.77), 0.02, "sole")] + [
    ("L", [(x, y), (x + 0.05, y + 0.04)], 0.008, "line") for x, y in
    ((0.47, 0.47), (0.53, 0.51), (0.59, 0.55))]
_TOE = [(0.46, 0.46), (0.56, 0.54), (0.74, 0.59), (0.83, 0.63), (0.85, 0.70)]
_GRILLE = [("e", (x - 0.008, y - 0.008, x + 0.008, y + 0.008), "line")
           for x in (0.38, 0.44, 0.5, 0.56, 0.62) for y in (0.4, 0.47, 0.54, 0.61, 0.68)]
_BLOCKS = [(op, (x + d, y + d, x + 0.27 - d, y + 0.27 - d), r, paint)
           for x, y in ((0.22, 0.53), (0.51, 0.53), (0.365, 0.25))
           for op, d, r, paint in (("R", 0, 0.015, "fill"), ("R", 0.05, 0.01, "light"))]
_CYLINDER = [("E", (0.32, 0.70, 0.68, 0.82), "fill"), ("r", (0.32, 0.29, 0.68, 0.76), 0, "fill"),
             ("L", [(0.32, 0.29), (0.32, 0.76)], 0.008, "line"),
             ("L", [(0.68, 0.29), (0.68, 0.76)], 0.008, "line"),
             ("E", (0.32, 0.23, 0.68, 0.35), "contrast")]

SHAPES: dict[str, list[tuple[tuple[str, ...], list]]] = {
    "apparel": [
        ((), [("*P", [(0.28, 0.25), (0.15, 0.40), (0.24, 0.48), (0.32, 0.41), (0.32, 0.80),
                      (0.68, 0.80), (0.68, 0.41), (0.76, 0.48), (0.85, 0.40), (0.72, 0.25),
                      *_COLLAR], "fill"), _NECK]),
        (("hoodie", "sweat", "jumper", "long"),
         [("*P", [(0.28, 0.25), (0.17, 0.64), (0.25, 0.66), (0.32, 0.43), (0.32, 0.80),
                  (0.68, 0.80), (0.68, 0.43), (0.75, 0.66), (0.83, 0.64), (0.72, 0.25),
                  *_COLLAR], "fill"), _NECK])],
    "shoes": [
        ((), [("*P", [(0.18, 0.70), (0.17, 0.52), (0.20, 0.40), (0.34, 0.43), *_TOE], "fill"),
              *_SOLE_LACES]),
        (("boot",), [("*P", [(0.18, 0.70), (0.17, 0.52), (0.22, 0.24), (0.42, 0.24),
                             (0.44, 0.46), *_TOE], "fill"), *_SOLE_LACES])],
    "electronics": [
        (("headphone", "headset", "earbud", "earphone"),
         [("A", (0.25, 0.20, 0.75, 0.72), 0.05, 180, 360, "fill"),
          *[("R", (x, 0.40, x + 0.12, 0.68), 0.04, "fill") for x in (0.19, 0.69)],
          *[("R", (x, 0.43, x + 0.05, 0.65), 0.02, "dark") for x in (0.26, 0.69)]]),
        (("charger", "adapter", "plug", "power"),
         [*[("R", (x, 0.22, x + 0.03, 0.40), 0, COLOURS["silver"]) for x in (0.42, 0.55)],
          ("*R", (0.34, 0.38, 0.66, 0.74), 0.05, "fill"),
          ("L", [(0.5, 0.74), (0.5, 0.81)], 0.03, "line")]),
        (("phone", "tablet", "reader", "watch"),
         [("*R", (0.34, 0.16, 0.66, 0.82), 0.05, "fill"),
          ("r", (0.365, 0.21, 0.635, 0.76), 0.02, "screen"),
          ("e", (0.485, 0.775, 0.515, 0.805), "line")]),
        (("speaker", "radio"), [*_CYLINDER, *_GRILLE])],
    "home_kitchen": [
        (("mug", "cup"), [("A", (0.56, 0.40, 0.80, 0.68), 0.05, -100, 100, "fill"),
                          ("*R", (0.28, 0.30, 0.66, 0.80), 0.04, "fill"),
                          ("E", (0.28, 0.26, 0.66, 0.34), "dark")]),
        (("pan", "skillet", "wok", "frying"),
         [("P", [(0.58, 0.53), (0.88, 0.46), (0.89, 0.50), (0.59, 0.59)], "fill"),
          ("E", (0.16, 0.34, 0.64, 0.80), "fill"), ("E", (0.21, 0.39, 0.59, 0.75), "darker")]),
        (("plate", "bowl", "dish"),
         [("E", (0.16, 0.32, 0.84, 0.78), "fill"), ("E", (0.28, 0.41, 0.72, 0.69), "light")])],
    "beauty": [
        ((), [("R", (0.43, 0.16, 0.57, 0.27), 0.015, "contrast"),
              ("R", (0.455, 0.26, 0.545, 0.36), 0, "fill"),
              ("*R", (0.35, 0.34, 0.65, 0.82), 0.06, "fill"),
              ("r", (0.39, 0.52, 0.61, 0.68), 0.01, "label")]),
        (("jar", "cream", "balm", "butter", "mask"),
         [("*R", (0.28, 0.44, 0.72, 0.80), 0.05, "fill"),
          ("R", (0.26, 0.34, 0.74, 0.46), 0.02, "contrast"),
          ("r", (0.34, 0.56, 0.66, 0.70), 0.01, "label")])],
    "coffee_tea": [
        ((), [("*P", [(0.31, 0.28), (0.69, 0.28), (0.72, 0.80), (0.28, 0.80)], "fill"),
              ("R", (0.30, 0.20, 0.70, 0.29), 0.01, "dark"),
              ("L", [(0.31, 0.245), (0.69, 0.245)], 0.006, "line"),
              ("r", (0.38, 0.44, 0.62, 0.66), 0.01, "label"),
              ("beans", (0.42, 0.48, 0.58, 0.62), _BEAN)]),
        (("tin", "tea", "matcha", "caddy"),
         [*_CYLINDER, ("r", (0.36, 0.46, 0.64, 0.64), 0.01, "label"),
          ("beans", (0.40, 0.50, 0.60, 0.60), _BEAN)])],
    "toys": [
        ((), _BLOCKS),
        (("ball",), [("E", (0.24, 0.26, 0.76, 0.78), "fill"),
                     ("A", (0.37, 0.27, 0.63, 0.77), 0.035, 100, 260, "contrast"),
                     ("e", (0.34, 0.34, 0.42, 0.40), "lighter")])],
    "gift_cards": [
        ((), [("*R", (0.16, 0.31, 0.84, 0.73), 0.035, "fill"),
              ("r", (0.166, 0.60, 0.834, 0.65), 0, "darker"),
              ("R", (0.23, 0.41, 0.33, 0.50), 0.012, _CHIP),
              ("L", [(0.23, 0.455), (0.33, 0.455)], 0.004, _BEAN),
              ("L", [(0.28, 0.41), (0.28, 0.50)], 0.004, _BEAN)])],
}
_POINTS = {"p": lambda g: g[0], "r": lambda g: _rrect_pts(*g), "e": lambda g: _ellipse_pts(g[0]),
           "a": lambda g: _ring_pts(*g)}
_BEAN_PTS = _ellipse_pts((-0.022, -0.015, 0.022, 0.015), n=12)
# fmt: on
CATEGORIES = tuple(SHAPES)


def _pattern(image: Image.Image, pen: _Pen, body: list[float], colour: RGB, rng) -> None:
    """Stripes (straight or slanted) or dots in `colour`, clipped to the body polygon."""
    mask, marks = Image.new("L", image.size, 0), Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).polygon(body, fill=255)
    draw, w, step = ImageDraw.Draw(marks), image.width, round(rng.uniform(0.045, 0.07) * pen.w)
    if rng.random() < 0.6:
        slant = step * 2 if rng.random() < 0.5 else 0
        for y in range(-slant, w, step):
            draw.line([(0, y), (w, y + slant)], fill=255, width=max(2, step // 3))
    else:
        r = max(2, step // 5)
        for y in range(0, w, step):
            for x in range(y // step % 2 * step // 2, w, step):
                draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
    image.paste(colour, mask=ImageChops.multiply(mask, marks))
    pen.draw.polygon(body, outline=pen.line, width=pen.lw)


def product_image(
    *, category: str, attributes: dict, rng: np.random.Generator, size: int = 480
) -> bytes:
    """A `size` x `size` PNG of a product of `category` in `attributes["colour"]`, drawn as the
    shape for `attributes["kind"]` (the category's default shape for a kind it does not know)."""
    if category not in SHAPES:
        raise ValueError(f"unknown product category {category!r}; expected one of {CATEGORIES}")
    kind, shapes = str(attributes.get("kind", "")).strip().lower(), SHAPES[category]
    shape = next((s for words, s in shapes if any(w in kind for w in words)), shapes[0][1])
    paints = _paints(colour_rgb(str(attributes.get("colour", ""))))
    tint = tuple(np.clip(np.array([244, 241, 236]) + rng.integers(-7, 8, 3), 0, 255).tolist())
    cx, cy, k, degrees = rng.uniform((0.47, 0.47, 0.92, -4.0), (0.53, 0.53, 1.08, 4.0)).tolist()
    patterned = rng.random() < {"apparel": 0.4, "gift_cards": 0.5}.get(category, 0.0)
    # the backdrop, with a soft shadow drawn small and scaled up (a cheap blur)
    canvas, small = Image.new("RGB", (size, size), tint), max(8, size // 8)
    shadow = Image.new("L", (small, small), 0)
    box = (cx - 0.3 * k, cy + 0.26 * k, cx + 0.3 * k, cy + 0.36 * k)
    ImageDraw.Draw(shadow).ellipse([v * small for v in box], fill=150)
    shadow = shadow.filter(ImageFilter.GaussianBlur(1.0)).resize(canvas.size, Image.BILINEAR)
    canvas.paste(_mix(tint, _BLACK, 0.2), mask=shadow)
    canvas = canvas.resize((size * _SS, size * _SS), Image.NEAREST)
    pen = _Pen(canvas, cx, cy, k, degrees, paints["line"])
    for op, *geometry, paint in shape:
        fill, name = paints[paint] if isinstance(paint, str) else paint, op.lstrip("*").lower()
        if name == "beans":
            for x, y in rng.uniform(geometry[0][:2], geometry[0][2:], (rng.integers(3, 7), 2)):
                pen.poly(np.add(_BEAN_PTS, (x, y)), fill, outline=False)
                pen.stroke([(x - 0.014, y), (x + 0.014, y)], 0.004, _mix(fill, _BLACK, 0.4))
        elif name == "l":
            pen.stroke(*geometry, fill)
        else:
            pts = pen.poly(_POINTS[name](geometry), fill, outline=op[-1].isupper())
            if op[0] == "*" and patterned:
                _pattern(canvas, pen, pts, paints["contrast"], rng)
    out = io.BytesIO()
    canvas.reduce(_SS).save(out, format="PNG", compress_level=3)
    return out.getvalue()

"""Comparing a screenshot with its baseline (Pillow): a pixel counts as changed when a colour channel moved more
than anti-aliasing moves it, and a page fails when more than a small share of its pixels changed."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops

CHANNEL_TOLERANCE = 40  # of 255: text edges drawn a little differently are not a change
SHARE_TOLERANCE = 0.001  # 0.1 % of the page's pixels (about 40 characters' worth on a phone)
MARK = (230, 0, 90)


@dataclass(frozen=True)
class Difference:
    share: float  # of the larger image's pixels
    size: tuple[int, int]
    baseline_size: tuple[int, int]

    @property
    def matches(self) -> bool:
        return self.size == self.baseline_size and self.share <= SHARE_TOLERANCE


def _on_canvas(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    if image.size == size:
        return image
    canvas = Image.new("RGB", size, MARK)
    canvas.paste(image, (0, 0))
    return canvas


def _changed_mask(actual: Image.Image, baseline: Image.Image) -> tuple[Image.Image, tuple[int, int]]:
    size = (max(actual.width, baseline.width), max(actual.height, baseline.height))
    difference = ImageChops.difference(_on_canvas(actual, size), _on_canvas(baseline, size))
    # the largest channel's difference per pixel, then changed (255) or not (0)
    r, g, b = difference.split()
    largest = ImageChops.lighter(ImageChops.lighter(r, g), b)
    return largest.point(lambda v: 255 if v > CHANNEL_TOLERANCE else 0), size


def load(data: bytes | Path) -> Image.Image:
    with Image.open(io.BytesIO(data) if isinstance(data, bytes) else data) as image:
        return image.convert("RGB")


def compare(actual: Image.Image, baseline: Image.Image) -> Difference:
    mask, size = _changed_mask(actual, baseline)
    changed = mask.histogram()[255]
    return Difference(share=changed / (size[0] * size[1]), size=actual.size, baseline_size=baseline.size)


def diff_image(actual: Image.Image, baseline: Image.Image) -> Image.Image:
    """The actual page faded, with every changed pixel marked."""
    mask, size = _changed_mask(actual, baseline)
    faded = Image.blend(_on_canvas(actual, size), Image.new("RGB", size, (255, 255, 255)), 0.7)
    return Image.composite(Image.new("RGB", size, MARK), faded, mask)


def _largest_error(image: Image.Image, other: Image.Image) -> int:
    return max(high for _low, high in ImageChops.difference(image, other).getextrema())


def save_png(image: Image.Image, path: Path) -> None:
    """As a 256-colour PNG when that changes no pixel's channel by more than a quarter of the tolerance (a page has few
    colours: black text, white, the theme's; only the anti-aliasing's shades move a little), else as it is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    palette = image.quantize(colors=256, method=Image.Quantize.MAXCOVERAGE, dither=Image.Dither.NONE)
    if _largest_error(palette.convert("RGB"), image) <= CHANNEL_TOLERANCE // 4:
        image = palette
    image.save(path, format="PNG", optimize=True)

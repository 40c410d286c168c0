"""The screenshot comparison itself, on small made-up pictures."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from tests.visual.compare import CHANNEL_TOLERANCE, compare, diff_image, load, save_png


def page(width: int = 200, height: int = 100) -> Image.Image:
    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 120, 30), fill=(0, 0, 191))
    for x in range(10, 190, 3):  # "text": anti-aliased greys
        draw.line((x, 50, x + 1, 60), fill=(x % 200, x % 200, x % 200))
    return image


def test_the_same_page_and_anti_aliasing_shades_match() -> None:
    assert compare(page(), page()).matches and compare(page(), page()).share == 0
    shaded = page()
    shaded.putpixel((11, 50), tuple(min(255, c + CHANNEL_TOLERANCE) for c in shaded.getpixel((11, 50))))
    assert compare(shaded, page()).share == 0


def test_a_changed_region_or_size_is_a_difference_with_its_share() -> None:
    moved = page()
    ImageDraw.Draw(moved).rectangle((130, 10, 149, 19), fill=(0, 0, 0))  # 20 × 10 of 200 × 100 pixels
    difference = compare(moved, page())
    assert not difference.matches and difference.share == 0.01
    taller = compare(page(height=110), page())
    assert not taller.matches and taller.size == (200, 110) and taller.baseline_size == (200, 100)
    assert taller.share == 200 * 10 / (200 * 110)  # the new strip is all change
    marked = diff_image(moved, page())
    assert marked.getpixel((135, 15)) == (230, 0, 90) and marked.getpixel((5, 5)) == (255, 255, 255)


def test_a_saved_baseline_matches_what_was_saved(tmp_path: Path) -> None:
    original = page()
    save_png(original, tmp_path / "page.png")
    saved = load(tmp_path / "page.png")
    assert Image.open(tmp_path / "page.png").mode == "P"  # few colours: a palette
    assert compare(saved, original).share == 0

"""Brand images follow Home Assistant's brand rules (served from brand/ since 2026.3).

Icons are square: 256 px, @2x 512 px. Logos are landscape or square, their shortest side
128..256 px (@2x 256..512 px), @2x exactly twice the size. All are PNG with transparency,
trimmed: no empty border around the content.
"""

from pathlib import Path

from PIL import Image
import pytest

BRAND = Path(__file__).resolve().parent.parent / "custom_components" / "devicehub" / "brand"
LOGOS = ("logo", "dark_logo")


def open_png(name: str) -> Image.Image:
    image = Image.open(BRAND / f"{name}.png")
    assert image.format == "PNG"
    assert image.mode == "RGBA"
    return image


def test_icons_are_square_256_and_512() -> None:
    assert open_png("icon").size == (256, 256)
    assert open_png("icon@2x").size == (512, 512)


@pytest.mark.parametrize("name", LOGOS)
def test_logo_sizes(name: str) -> None:
    single, double = open_png(name), open_png(f"{name}@2x")
    assert single.width >= single.height  # landscape or square
    assert 128 <= min(single.size) <= 256
    assert 256 <= min(double.size) <= 512
    assert double.size == (single.width * 2, single.height * 2)


@pytest.mark.parametrize("name", [f"{n}{s}" for n in LOGOS for s in ("", "@2x")])
def test_logos_are_trimmed_on_transparency(name: str) -> None:
    image = open_png(name)
    alpha = image.getchannel("A")
    assert alpha.getpixel((0, 0)) == 0  # the background is transparent
    assert alpha.getbbox() == (0, 0, *image.size)  # content touches every edge


def test_dark_logo_is_lighter_than_logo() -> None:
    """The dark-theme logo's word is light, the light-theme one's is dark."""

    def word_luminance(name: str) -> float:
        image = open_png(name)
        word = image.crop((image.height + 10, 0, image.width, image.height)).convert("LA")
        pixels = [lum for lum, alpha in word.get_flattened_data() if alpha == 255]
        return sum(pixels) / len(pixels)

    assert word_luminance("dark_logo") > 200 > 120 > word_luminance("logo")

"""Draw the brand logos beside the icon: logo.png, dark_logo.png and their @2x versions.

    .venv/bin/python scripts/make_brand.py

A logo is the icon followed by the word "devicehub" (DejaVu Sans Bold, Debian's
fonts-dejavu-core), trimmed to its content on a transparent background, landscape, with its
shortest side 128 px (256 px @2x) as Home Assistant's brand rules ask. The light-theme logo
writes the word in the icon's blue, the dark-theme one in near-white. The icon has its own
opaque tile, so it needs no dark variant.
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BRAND = Path(__file__).resolve().parent.parent / "custom_components" / "devicehub" / "brand"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
WORD = "devicehub"
HEIGHT = 128  # the shortest side of logo.png; @2x doubles it
INK = {"logo": (0, 104, 160, 255), "dark_logo": (240, 244, 248, 255)}


def trimmed(image: Image.Image) -> Image.Image:
    """The image cut to its non-transparent content."""
    box = image.getchannel("A").getbbox()
    assert box is not None
    return image.crop(box)


def logo(height: int, ink: tuple[int, int, int, int]) -> Image.Image:
    """The icon and the word side by side, `height` pixels high."""
    icon = trimmed(Image.open(BRAND / "icon@2x.png").convert("RGBA"))
    icon = icon.resize((height, height), Image.Resampling.LANCZOS)
    font = ImageFont.truetype(str(FONT), size=round(height * 0.56))
    left, top, right, bottom = font.getbbox(WORD)
    gap = round(height * 0.16)
    canvas = Image.new("RGBA", (height + gap + right - left, height), (0, 0, 0, 0))
    canvas.alpha_composite(icon, (0, 0))
    text_y = (height - (bottom - top)) // 2 - top
    ImageDraw.Draw(canvas).text((height + gap - left, text_y), WORD, font=font, fill=ink)
    return trimmed(canvas)


def main() -> None:
    for name, ink in INK.items():
        double = logo(HEIGHT * 2, ink)
        # The 1x logo is the @2x one halved, so the two stay exactly 1:2.
        single = double.resize((double.width // 2, HEIGHT), Image.Resampling.LANCZOS)
        double.crop((0, 0, single.width * 2, HEIGHT * 2)).save(
            BRAND / f"{name}@2x.png", optimize=True
        )
        single.save(BRAND / f"{name}.png", optimize=True)


if __name__ == "__main__":
    main()

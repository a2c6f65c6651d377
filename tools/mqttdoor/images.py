"""Small, valid stranger pictures made with Pillow."""

import io
from typing import Literal

from PIL import Image, ImageDraw

type ImageFormat = Literal["png", "jpeg"]


def make_picture(
    image_format: ImageFormat = "jpeg", width: int = 64, height: int = 48, seed: int = 0
) -> bytes:
    """Return an encoded picture; `seed` varies its colours so successive strangers differ."""
    background = ((seed * 47) % 256, (seed * 91 + 60) % 256, (seed * 13 + 120) % 256)
    picture = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(picture)
    # A pale "face" so the picture is not a flat colour (JPEG of a flat colour is degenerate).
    draw.ellipse((width // 4, height // 6, 3 * width // 4, 5 * height // 6), fill=(235, 205, 180))
    buffer = io.BytesIO()
    picture.save(buffer, format=image_format.upper())
    return buffer.getvalue()


def make_png(width: int = 64, height: int = 48, seed: int = 0) -> bytes:
    return make_picture("png", width, height, seed)


def make_jpeg(width: int = 64, height: int = 48, seed: int = 0) -> bytes:
    return make_picture("jpeg", width, height, seed)

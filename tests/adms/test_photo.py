"""ATTPHOTO uploads."""

from datetime import datetime

import pytest

from custom_components.devicehub.adms import (
    MAX_PHOTO_BYTES,
    BodyTooLargeError,
    MalformedBodyError,
    RefusalReason,
    parse_attphoto,
)

from .samples import sample

JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 37 + b"\xff\xd9"  # 9480 bytes


def _body(image: bytes = JPEG, size: int | None = None) -> bytes:
    header = sample("spec_attphoto_header.txt").replace(
        b"size=9512", b"size=%d" % (size or len(image))
    )
    return header + b"\0" + image


def test_the_specification_layout() -> None:
    photo = parse_attphoto(_body())
    assert photo.name == "20150731103012-123.jpg"
    assert (photo.user_id, photo.time) == ("123", datetime(2015, 7, 31, 10, 30, 12))
    assert photo.image == JPEG
    assert (photo.size, photo.content_type) == (len(JPEG), "image/jpeg")


def test_a_name_without_user() -> None:
    body = b"PIN=20150731103012.jpg\nSN=1\nsize=%d\nCMD=realupload\0" % len(JPEG) + JPEG
    photo = parse_attphoto(body)
    assert (photo.name, photo.user_id, photo.time) == ("20150731103012.jpg", None, None)


@pytest.mark.parametrize(
    "body",
    [
        _body(size=100),  # size does not match
        _body(image=b"GIF89a" + bytes(20)),  # not a JPEG
        b"PIN=x.jpg\nSN=1\nsize=4\n\0\xff\xd8\xff\xe0",  # no CMD=uploadphoto
        b"SN=1\nsize=4\nCMD=uploadphoto\0\xff\xd8\xff\xe0",  # no name
        b"\xff\xd8\xff" * 400,
        b"",
    ],
)
def test_bytes_that_fit_no_layout_are_refused(body: bytes) -> None:
    with pytest.raises(MalformedBodyError) as caught:
        parse_attphoto(body)
    assert caught.value.reason is RefusalReason.BAD_PHOTO


def test_photo_cap() -> None:
    assert MAX_PHOTO_BYTES == 2 * 1024 * 1024
    with pytest.raises(BodyTooLargeError):
        parse_attphoto(_body(image=b"\xff\xd8\xff" + bytes(MAX_PHOTO_BYTES)))

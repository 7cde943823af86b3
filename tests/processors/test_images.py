"""Resized images have the requested size and orientation; bad images fail clearly."""

from __future__ import annotations

import os

import pytest
from PIL import Image

from core.model import TaskState
from core.processors.images import fit_size
from tests.processors.conftest import out_policy, run_job, write

ORIENTATION = 0x0112
MAKE = 0x010F


def _draw(path, size, mode="RGB", fmt="PNG", orientation=None):
    """A picture with a red left half, so orientation can be checked by colour."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    im = Image.new(mode, size, (0, 0, 255, 255)[: len(mode)] if mode != "L" else 128)
    if mode != "L":
        red = (255, 0, 0, 255)[: len(mode)]
        im.paste(Image.new(mode, (size[0] // 2, size[1]), red), (0, 0))
    exif = Image.Exif()
    exif[MAKE] = "Brigade test camera"
    if orientation:
        exif[ORIENTATION] = orientation
    im.save(path, fmt, exif=exif.tobytes()) if fmt in ("JPEG", "WEBP", "PNG") else im.save(path, fmt)
    return str(path)


def test_fit_size_keeps_the_aspect_ratio():
    assert fit_size((4000, 3000), 800, 800, False) == (800, 600)
    assert fit_size((3000, 4000), 800, 0, False) == (800, 1067)
    assert fit_size((100, 50), 800, 800, False) == (100, 50)
    assert fit_size((100, 50), 800, 800, True) == (800, 400)


def test_resize_fits_the_box_in_every_format(engine, tmp_path):
    paths = [
        _draw(tmp_path / "in" / "wide photo.jpg", (1200, 600), fmt="JPEG"),
        _draw(tmp_path / "in" / "tall.png", (300, 900)),
        _draw(tmp_path / "in" / "alpha ü.png", (500, 500), mode="RGBA"),
        _draw(tmp_path / "in" / "small.tif", (40, 30), fmt="TIFF"),
    ]
    for fmt, ext in (("jpeg", ".jpg"), ("png", ".png"), ("webp", ".webp"), ("tiff", ".tif")):
        params = {"width": 200, "height": 200, "format": fmt, "quality": 80}
        run = run_job(engine, "resize", paths, params, out_policy(tmp_path, folder=str(tmp_path / fmt)))
        expected = {"wide photo": (200, 100), "tall": (67, 200), "alpha ü": (200, 200), "small": (40, 30)}
        for path in paths:
            result = run.result(path)
            stem = os.path.splitext(os.path.basename(path))[0]
            assert result["output"] == str(tmp_path / fmt / (stem + ext))
            with Image.open(result["output"]) as im:
                assert im.size == expected[stem]
                assert im.format == {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "tiff": "TIFF"}[fmt]


@pytest.mark.parametrize("orientation", [6, 8, 3])
def test_exif_orientation_is_applied_and_reset(engine, tmp_path, orientation):
    # Stored 400x200 with the red half on the left; orientation 6/8 rotate it upright.
    path = _draw(tmp_path / "in" / "camera.jpg", (400, 200), fmt="JPEG", orientation=orientation)
    run = run_job(engine, "resize", [path], {"width": 100, "height": 100}, out_policy(tmp_path))
    with Image.open(run.result(path)["output"]) as im:
        exif = im.getexif()
        assert exif.get(ORIENTATION, 1) == 1
        assert exif.get(MAKE) == "Brigade test camera"  # metadata kept unless asked
        rgb = im.convert("RGB")
        if orientation in (6, 8):
            assert im.size == (50, 100)
            top, bottom = rgb.getpixel((25, 5)), rgb.getpixel((25, 95))
            red_on_top = top[0] > 200 and bottom[2] > 200
            assert red_on_top == (orientation == 6)
        else:
            assert im.size == (100, 50)
            assert rgb.getpixel((95, 25))[0] > 200  # rotated 180: red on the right


def test_thumbnail_strip_metadata_and_convert(engine, tmp_path):
    path = _draw(tmp_path / "in" / "big.jpg", (1000, 750), fmt="JPEG", orientation=1)
    thumbs = run_job(engine, "thumbnail", [path], {"size": 64, "strip_metadata": True}, out_policy(tmp_path))
    with Image.open(thumbs.result(path)["output"]) as im:
        assert im.size == (64, 48)
        assert MAKE not in im.getexif()
    png = run_job(
        engine, "convert-image", [path], {"format": "png"}, out_policy(tmp_path, folder=str(tmp_path / "p"))
    )
    with Image.open(png.result(path)["output"]) as im:
        assert (im.format, im.size) == ("PNG", (1000, 750))


def test_corrupt_and_truncated_images_fail_with_a_reason(engine, tmp_path):
    good = _draw(tmp_path / "in" / "good.jpg", (800, 600), fmt="JPEG")
    with open(good, "rb") as f:
        data = f.read()
    truncated = write(tmp_path / "in" / "truncated.jpg", data[: len(data) // 2])
    garbage = write(tmp_path / "in" / "garbage.png", b"\x89PNG\r\n\x1a\n" + os.urandom(200))
    text = write(tmp_path / "in" / "notes.jpg", b"not an image at all")
    run = run_job(engine, "resize", [good, truncated, garbage, text], {"width": 100}, out_policy(tmp_path))
    assert run.state(good) == TaskState.DONE
    assert "truncated" in run.reason(truncated)
    assert run.state(garbage) == TaskState.FAILED
    assert "corrupt" in run.reason(garbage) or "not an image" in run.reason(garbage)
    assert "not an image Pillow can read" in run.reason(text)
    assert sorted(os.listdir(tmp_path / "out")) == ["good.jpg"]

"""Image jobs against ImageMagick's identify and exiftool."""

from __future__ import annotations

import pytest

from tests.interop.conftest import tool
from tests.processors import imaging
from tests.processors.conftest import out_policy, run_job

PRIVATE = ("GPSLatitude", "Creator", "By-line", "Caption-Abstract", "Comment", "Make")


def _exif(path: str) -> str:
    return tool("exiftool", "-a", "-G1", "-s", path).stdout


@pytest.mark.parametrize(
    ("name", "fmt", "magick"),
    [("a.gif", "GIF", "GIF"), ("a.webp", "WEBP", "WEBP"), ("p.tif", "TIFF", "TIFF")],
)
def test_identify_sees_the_kept_format_and_every_frame(engine, tmp_path, name, fmt, magick):
    path = imaging.animation(str(tmp_path / "in" / name), fmt)
    run = run_job(engine, "thumbnail", [path], {"size": 16}, out_policy(tmp_path))
    frames = tool("identify", "-format", "%m %w %h\n", run.result(path)["output"]).stdout.split("\n")
    assert [f for f in frames if f] == [f"{magick} 16 12"] * 3


def test_identify_sees_16_bit_grey_scaled_and_cmyk_converted(engine, tmp_path):
    ramp = imaging.gray16_png(str(tmp_path / "in" / "ramp.png"))
    cmyk = imaging.cmyk_jpeg(str(tmp_path / "in" / "print.jpg"))
    run = run_job(
        engine, "convert-image", [ramp, cmyk], {"format": "jpeg", "quality": 100}, out_policy(tmp_path)
    )
    mean = float(tool("identify", "-format", "%[fx:mean]", run.result(ramp)["output"]).stdout)
    assert 0.45 < mean < 0.55  # a ramp from black to white, not white
    png = run_job(
        engine, "convert-image", [cmyk], {"format": "png"}, out_policy(tmp_path, folder=str(tmp_path / "p"))
    )
    described = tool("identify", "-verbose", png.result(cmyk)["output"]).stdout
    assert "Colorspace: sRGB" in described and "CMYK" not in described


@pytest.mark.parametrize("fmt", ["keep", "png", "webp", "tiff"])
def test_exiftool_finds_nothing_private_after_strip_and_everything_otherwise(engine, tmp_path, fmt):
    path = imaging.tagged_jpeg(str(tmp_path / "in" / "tagged.jpg"))
    assert all(tag in _exif(path) for tag in PRIVATE)
    params = {"size": 32, "format": fmt}
    stripped = run_job(engine, "thumbnail", [path], {**params, "strip_metadata": True}, out_policy(tmp_path))
    found = _exif(stripped.result(path)["output"])
    assert not [tag for tag in PRIVATE if tag in found], found
    kept = run_job(engine, "thumbnail", [path], params, out_policy(tmp_path, folder=str(tmp_path / "k")))
    found = _exif(kept.result(path)["output"])
    expected = {
        "keep": PRIVATE,
        "tiff": ("GPSLatitude", "Creator", "By-line", "Make"),
        "png": PRIVATE,
        "webp": ("GPSLatitude", "Creator", "Make"),
    }[fmt]
    assert [tag for tag in expected if tag not in found] == [], found


def test_a_geotagged_jpeg_to_tiff_keeps_its_position_for_exiftool(engine, tmp_path):
    path = imaging.tagged_jpeg(str(tmp_path / "in" / "geo.jpg"))
    run = run_job(engine, "convert-image", [path], {"format": "tiff"}, out_policy(tmp_path))
    out = run.result(path)["output"]
    assert "48 deg 51' 24.24\" N" in tool(
        "exiftool", "-GPSLatitude", "-GPSLatitudeRef", "-n", "-s", out
    ).stdout or ("48.85" in tool("exiftool", "-n", "-GPSLatitude", out).stdout)
    tool("identify", out)

"""Image jobs write a faithful image (format, frames, depth, colour, metadata) or fail clearly."""

from __future__ import annotations

import io
import os
import struct
import zlib

import pytest
from PIL import Image, ImageCms

from core.model import TaskState
from tests.processors import imaging
from tests.processors.conftest import leftovers, out_policy, run_job, write


def _iptc_of(im: Image.Image) -> bytes | None:
    from core.processors.imagemeta import _read_iptc

    return _read_iptc(im, getattr(im, "tag_v2", None))


def test_16_bit_grey_is_scaled_into_8_bit_formats(engine, tmp_path):
    path = imaging.gray16_png(str(tmp_path / "in" / "ramp.png"))
    for fmt in ("jpeg", "webp"):
        run = run_job(engine, "convert-image", [path], {"format": fmt, "quality": 100}, out_policy(tmp_path))
        with Image.open(run.result(path)["output"]) as im:
            grey = im.convert("L")
            assert abs(grey.getpixel((128, 4)) - 128) <= 3 and grey.getpixel((10, 4)) <= 14
            assert grey.getpixel((255, 4)) >= 250


@pytest.mark.parametrize(("name", "fmt"), [("a.gif", "GIF"), ("a.webp", "WEBP"), ("pages.tif", "TIFF")])
def test_keep_keeps_the_format_and_every_frame(engine, tmp_path, name, fmt):
    path = imaging.animation(str(tmp_path / "in" / name), fmt)
    run = run_job(engine, "resize", [path], {"width": 16, "height": 16}, out_policy(tmp_path))
    with Image.open(run.result(path)["output"]) as im:
        assert im.format == fmt and im.n_frames == 3 and im.size == (16, 12)
        colours = []
        for i in range(3):
            im.seek(i)
            colours.append(im.convert("RGB").getpixel((8, 6)))
    assert colours[0][0] > 200 and colours[1][1] > 200 and colours[2][2] > 200


def test_keep_writes_bmp_as_bmp_and_an_animation_into_jpeg_fails(engine, tmp_path):
    bmp = str(tmp_path / "in" / "b.bmp")
    os.makedirs(tmp_path / "in")
    Image.new("RGB", (40, 30), (1, 2, 3)).save(bmp, "BMP")
    gif = imaging.animation(str(tmp_path / "in" / "a.gif"), "GIF")
    run = run_job(engine, "thumbnail", [bmp], {"size": 20}, out_policy(tmp_path))
    with Image.open(run.result(bmp)["output"]) as im:
        assert im.format == "BMP"
    run = run_job(engine, "convert-image", [gif], {"format": "jpeg"}, out_policy(tmp_path))
    assert run.state(gif) == TaskState.FAILED and "3 frames" in run.reason(gif)
    assert leftovers(tmp_path) == [] and not (tmp_path / "out" / "a.jpg").exists()


def test_strip_metadata_strips_exif_gps_xmp_iptc_and_comments(engine, tmp_path):
    path = imaging.tagged_jpeg(str(tmp_path / "in" / "tagged.jpg"))
    for fmt in ("keep", "png", "webp", "tiff"):
        params = {"width": 40, "height": 40, "strip_metadata": True, "format": fmt}
        run = run_job(engine, "resize", [path], params, out_policy(tmp_path, folder=str(tmp_path / fmt)))
        out = run.result(path)["output"]
        with Image.open(out) as im:
            exif = im.getexif()  # a TIFF's own tags (width, compression...) are EXIF-like: not these
            assert imaging.MAKE not in exif and imaging.GPS_IFD not in exif, fmt
            assert not {"xmp", "XML:com.adobe.xmp", "comment", "Comment"} & set(im.info), fmt
            assert _iptc_of(im) is None, fmt
        data = open(out, "rb").read()  # noqa: SIM115 - read once
        assert imaging.COMMENT not in data and b"Ann Example" not in data, fmt


@pytest.mark.parametrize("fmt", ["keep", "png", "webp", "tiff"])
def test_metadata_is_kept_when_not_stripping(engine, tmp_path, fmt):
    path = imaging.tagged_jpeg(str(tmp_path / "in" / "tagged.jpg"))
    params = {"width": 40, "height": 40, "format": fmt}
    run = run_job(engine, "resize", [path], params, out_policy(tmp_path))
    with Image.open(run.result(path)["output"]) as im:
        assert im.getexif()[imaging.MAKE] == "Brigade test camera"
        assert im.getexif().get_ifd(imaging.GPS_IFD)[1] == "N"
        xmp = im.info.get("xmp") or im.info.get("XML:com.adobe.xmp") or getattr(im, "tag_v2", {}).get(700)
        assert b"Ann Example" in (xmp.encode() if isinstance(xmp, str) else xmp)
        if fmt in ("keep", "tiff"):
            assert _iptc_of(im) == imaging.IPTC


def test_a_geotagged_jpeg_converts_to_tiff(engine, tmp_path):
    path = imaging.tagged_jpeg(str(tmp_path / "in" / "geo.jpg"))
    run = run_job(engine, "convert-image", [path], {"format": "tiff"}, out_policy(tmp_path))
    with Image.open(run.result(path)["output"]) as im:
        assert im.format == "TIFF" and im.getexif().get_ifd(imaging.GPS_IFD)[3] == "E"


def test_cmyk_goes_through_its_profile_into_rgb(engine, tmp_path):
    path = imaging.cmyk_jpeg(str(tmp_path / "in" / "print.jpg"))
    with Image.open(path) as src:
        src.load()
        profile = ImageCms.ImageCmsProfile(io.BytesIO(src.info["icc_profile"]))
        expected = ImageCms.profileToProfile(src, profile, ImageCms.createProfile("sRGB"), outputMode="RGB")
        naive = src.convert("RGB")
    run = run_job(engine, "convert-image", [path], {"format": "png"}, out_policy(tmp_path))
    with Image.open(run.result(path)["output"]) as im:
        assert im.mode == "RGB"
        embedded = ImageCms.ImageCmsProfile(io.BytesIO(im.info["icc_profile"]))
        assert embedded.profile.xcolor_space.strip() == "RGB"
        assert im.tobytes() == expected.tobytes()
        assert im.tobytes() != naive.tobytes()


def _png_header_only(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr  # a header that claims the size, and almost no pixel data
    idat = b"IDAT" + zlib.compress(b"\0" * 64)
    chunks = [chunk, idat, b"IEND"]
    body = b"".join(struct.pack(">I", len(c) - 4) + c + struct.pack(">I", zlib.crc32(c)) for c in chunks)
    return b"\x89PNG\r\n\x1a\n" + body


def test_images_over_pillows_limit_need_max_megapixels(engine, tmp_path):
    huge = write(tmp_path / "in" / "huge.png", _png_header_only(20_000, 20_000))  # 400 MP, no pixel data
    run = run_job(engine, "thumbnail", [huge], {}, out_policy(tmp_path))
    assert run.state(huge) == TaskState.FAILED and "max_megapixels" in run.reason(huge)
    allowed = run_job(engine, "thumbnail", [huge], {"max_megapixels": 500}, out_policy(tmp_path))
    assert allowed.state(huge) == TaskState.FAILED and "max_megapixels" not in allowed.reason(huge)
    assert "truncated" in allowed.reason(huge) or "corrupt" in allowed.reason(huge)
    small = imaging.gray16_png(str(tmp_path / "in" / "ramp.png"))
    lowered = run_job(engine, "thumbnail", [small], {"max_megapixels": 1}, out_policy(tmp_path))
    assert lowered.state(small) == TaskState.DONE


def test_16_bit_grey_resized_stays_16_bit_in_png(engine, tmp_path):
    path = imaging.gray16_png(str(tmp_path / "in" / "ramp.png"))
    run = run_job(engine, "resize", [path], {"width": 128, "height": 128}, out_policy(tmp_path))
    with Image.open(run.result(path)["output"]) as im:
        assert im.mode.startswith("I") and im.size == (128, 4) and im.getextrema()[1] > 60_000


def test_an_animated_gif_converts_to_an_animated_png(engine, tmp_path):
    path = imaging.animation(str(tmp_path / "in" / "a.gif"), "GIF")
    run = run_job(engine, "convert-image", [path], {"format": "png"}, out_policy(tmp_path))
    with Image.open(run.result(path)["output"]) as im:
        assert im.format == "PNG" and im.n_frames == 3

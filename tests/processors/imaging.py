"""Generated image corpora: CMYK with its own ICC profile, 16-bit grey, animations, EXIF/GPS/XMP/IPTC."""

from __future__ import annotations

import itertools
import os
import struct

from PIL import Image, ImageCms, TiffImagePlugin

MAKE = 0x010F
GPS_IFD = 0x8825
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
    b"<dc:creator><rdf:Seq><rdf:li>Ann Example</rdf:li></rdf:Seq></dc:creator>"
    b"</rdf:Description></rdf:RDF></x:xmpmeta>"
)
# IPTC-IIM: record 2 dataset 80 (By-line) and 120 (Caption-Abstract).
IPTC = b"\x1c\x02\x50\x00\x0bAnn Example" + b"\x1c\x02\x78\x00\x0dA test scene."
COMMENT = b"taken at home"


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _lab_bytes(rgb: tuple[float, float, float]) -> bytes:
    """sRGB (0-1) to 8-bit ICC Lab, roughly: enough for a profile that behaves like a printer's."""
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    x = (0.4124 * lin[0] + 0.3576 * lin[1] + 0.1805 * lin[2]) / 0.9505
    y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    z = (0.0193 * lin[0] + 0.1192 * lin[1] + 0.9505 * lin[2]) / 1.089

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    lightness, a, b = 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))
    return bytes(max(0, min(255, round(v))) for v in (lightness * 2.55, a + 128, b + 128))


def cmyk_profile() -> bytes:
    """A small ICC v2 input profile from CMYK to Lab (a 2-point lut8 grid)."""
    clut = b""
    for c, m, y, k in itertools.product((0, 1), repeat=4):  # the first channel varies slowest
        # A warm press: cyan prints greener than the naive formula says.
        clut += _lab_bytes(((1 - c) * (1 - k), (1 - 0.6 * m) * (1 - k) * (1 - 0.2 * c), (1 - y) * (1 - k)))
    ramp = bytes(range(256))
    matrix = b"".join(_s15(v) for v in (1, 0, 0, 0, 1, 0, 0, 0, 1))
    a2b0 = b"mft1" + bytes(4) + bytes((4, 3, 2, 0)) + matrix + ramp * 4 + clut + ramp * 3
    text = b"Brigade test CMYK"
    desc = (
        b"desc" + bytes(4) + struct.pack(">I", len(text) + 1) + text + b"\0" + bytes(8) + bytes(3) + bytes(67)
    )
    cprt = b"text" + bytes(4) + b"No copyright\0"
    wtpt = b"XYZ " + bytes(4) + _s15(0.9642) + _s15(1.0) + _s15(0.8249)
    tags = [(b"desc", desc), (b"cprt", cprt), (b"wtpt", wtpt), (b"A2B0", a2b0)]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for sig, data in tags:
        data += bytes(-len(data) % 4)
        table += sig + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = offset + len(body)
    header = (
        struct.pack(">I", size)
        + bytes(4)
        + struct.pack(">I", 0x02100000)
        + b"scnrCMYKLab "
        + struct.pack(">6H", 2024, 1, 1, 0, 0, 0)
        + b"acsp"
        + bytes(24)
        + struct.pack(">I", 0)
        + _s15(0.9642)
        + _s15(1.0)
        + _s15(0.8249)
        + bytes(48)
    )
    assert len(header) == 128
    profile = header + struct.pack(">I", len(tags)) + table + body
    ImageCms.ImageCmsProfile(__import__("io").BytesIO(profile))  # fails here if lcms refuses it
    return profile


def cmyk_jpeg(path: str) -> str:
    """A CMYK JPEG with four colour patches and its ICC profile."""
    im = Image.new("CMYK", (64, 16))
    for i, ink in enumerate(((255, 0, 0, 0), (0, 255, 0, 0), (0, 0, 255, 0), (0, 0, 0, 128))):
        im.paste(Image.new("CMYK", (16, 16), ink), (16 * i, 0))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    im.save(path, "JPEG", icc_profile=cmyk_profile(), quality=100)
    return path


def gray16_png(path: str) -> str:
    """A 16-bit grey ramp from 0 to 65535, left to right."""
    im = Image.new("I;16", (256, 8))
    im.putdata([x * 257 for _ in range(8) for x in range(256)])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    im.save(path, "PNG")
    return path


def frames(n: int = 3, size: tuple[int, int] = (32, 24)) -> list[Image.Image]:
    colours = ((255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0))
    return [Image.new("RGB", size, colours[i % len(colours)]) for i in range(n)]


def animation(path: str, fmt: str, n: int = 3) -> str:
    """An animated GIF or WebP, or a multi-page TIFF, of ``n`` plain colours."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    first, *rest = frames(n)
    extra = {"duration": 100, "loop": 0} if fmt in ("GIF", "WEBP") else {}
    if fmt == "WEBP":
        extra["lossless"] = True
    first.save(path, fmt, save_all=True, append_images=rest, **extra)
    return path


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[MAKE] = "Brigade test camera"
    rational = TiffImagePlugin.IFDRational
    exif[GPS_IFD] = {
        0: b"\x02\x02\x00\x00",
        1: "N",
        2: (rational(48), rational(51), rational(2424, 100)),
        3: "E",
        4: (rational(2), rational(21), rational(700, 100)),
        6: rational(3512, 100),
    }
    return exif


def tagged_jpeg(path: str, size: tuple[int, int] = (80, 60)) -> str:
    """A JPEG with EXIF (GPS included), XMP, IPTC and a comment."""
    from core.processors.imagemeta import _photoshop_segment

    os.makedirs(os.path.dirname(path), exist_ok=True)
    im = Image.new("RGB", size, (200, 120, 40))
    im.save(path, "JPEG", exif=gps_exif(), xmp=XMP, comment=COMMENT, extra=_photoshop_segment(IPTC))
    return path

"""Image metadata (EXIF with GPS, XMP, IPTC, comments): read from the source, written or stripped.

Pillow keeps some metadata in ``Image.info`` and writes some of it again by
itself (a JPEG comment, for instance), and drops the rest. Here every kind is
read once into a :class:`Metadata`, and the save options for the output
format are built from it: all of it when kept, none of it when stripped (a
privacy promise: nothing about the camera, the place or the author survives).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

# What ``Image.info`` may carry into a save without being metadata about the picture's origin.
_NEUTRAL_INFO = ("icc_profile", "dpi", "transparency", "duration", "loop", "background", "disposal")
_PHOTOSHOP = b"Photoshop 3.0\x00"
_IPTC_RESOURCE = 0x0404
TIFF_XMP = 700
TIFF_IPTC = 33723
_EXIF_IFDS = (0x8769, 0x8825, 0xA005)  # Exif, GPS and interoperability sub-directories


@dataclass(slots=True)
class Metadata:
    """The descriptive metadata of one image (``None``: it has none of that kind)."""

    exif: Any = None  # PIL.Image.Exif
    xmp: bytes | None = None
    iptc: bytes | None = None  # IPTC-IIM records, as in a JPEG's Photoshop block or a TIFF tag
    comment: bytes | None = None

    @property
    def has_sub_ifds(self) -> bool:
        """Whether the EXIF holds sub-directories (camera settings, GPS)."""
        return self.exif is not None and any(tag in self.exif for tag in _EXIF_IFDS)


def read_metadata(im: Any, oriented: Any) -> Metadata:
    """Collect the metadata of ``im`` (as opened); EXIF from ``oriented`` (orientation reset)."""
    exif = oriented.getexif()
    xmp = im.info.get("xmp") or im.info.get("XML:com.adobe.xmp")
    tags = getattr(im, "tag_v2", None)
    if xmp is None and tags is not None:
        xmp = tags.get(TIFF_XMP)
    comment = im.info.get("comment")
    return Metadata(
        exif=exif if len(exif) else None,
        xmp=xmp.encode() if isinstance(xmp, str) else xmp,
        iptc=_read_iptc(im, tags),
        comment=comment.encode() if isinstance(comment, str) else comment,
    )


def _read_iptc(im: Any, tags: Any) -> bytes | None:
    if tags is not None and TIFF_IPTC in tags:
        value = tags[TIFF_IPTC]
        if isinstance(value, bytes):
            return value
        return b"".join(struct.pack(">I", v) for v in value)  # stored as LONGs by some writers
    for marker, payload in getattr(im, "applist", ()):
        if marker == "APP13" and payload.startswith(_PHOTOSHOP):
            return _iim_from_photoshop(payload[len(_PHOTOSHOP) :])
    return None


def _iim_from_photoshop(data: bytes) -> bytes | None:
    """The IPTC record of a Photoshop image-resource block (``8BIM`` resources)."""
    pos = 0
    while pos + 12 <= len(data) and data[pos : pos + 4] == b"8BIM":
        (rid,) = struct.unpack(">H", data[pos + 4 : pos + 6])
        name_len = data[pos + 6]
        pos += 6 + (name_len + 2 if name_len % 2 == 0 else name_len + 1)
        (size,) = struct.unpack(">I", data[pos : pos + 4])
        pos += 4
        if rid == _IPTC_RESOURCE:
            return data[pos : pos + size]
        pos += size + size % 2
    return None


def _photoshop_segment(iim: bytes) -> bytes:
    """A JPEG APP13 segment holding ``iim`` as Photoshop resource 0x0404."""
    resource = b"8BIM" + struct.pack(">H", _IPTC_RESOURCE) + b"\x00\x00" + struct.pack(">I", len(iim)) + iim
    payload = _PHOTOSHOP + resource + b"\x00" * (len(iim) % 2)
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def _png_raw_profile(kind: str, data: bytes) -> str:
    """ImageMagick's "Raw profile type" text, which exiftool and ImageMagick read back."""
    hexed = data.hex()
    lines = [hexed[i : i + 72] for i in range(0, len(hexed), 72)]
    return f"\n{kind}\n{len(data):8d}\n" + "\n".join(lines) + "\n"


def strip_info(image: Any) -> None:
    """Drop every metadata entry from ``image.info`` (Pillow would write some of them back)."""
    image.info = {k: v for k, v in image.info.items() if k in _NEUTRAL_INFO}


def save_options(meta: Metadata, pil_format: str, logger: Any = None) -> dict[str, Any]:
    """The keyword arguments that write ``meta`` into a ``pil_format`` file."""
    options: dict[str, Any] = {}
    if meta.exif is not None and pil_format in ("JPEG", "WEBP", "PNG", "TIFF", "MPO"):
        options["exif"] = meta.exif.tobytes()
    if pil_format in ("JPEG", "MPO"):
        if meta.xmp:
            options["xmp"] = meta.xmp
        if meta.iptc:
            options["extra"] = _photoshop_segment(meta.iptc)
        if meta.comment:
            options["comment"] = meta.comment
    elif pil_format == "WEBP":
        if meta.xmp:
            options["xmp"] = meta.xmp
    elif pil_format == "PNG":
        options["pnginfo"] = _png_info(meta)
    elif pil_format == "TIFF":
        options.update(_tiff_tags(meta))
    elif pil_format == "GIF" and meta.comment:
        options["comment"] = meta.comment
    lost = [k for k in _kinds(meta) if k not in _KEPT.get(pil_format, ())]
    if lost and logger is not None:
        logger.warning("%s has no place for the %s of this image: not kept", pil_format, " and ".join(lost))
    return options


def _tiff_tags(meta: Metadata) -> dict[str, Any]:
    """XMP and IPTC as TIFF tags, in the EXIF directory (a separate ``tiffinfo`` would replace it)."""
    if not (meta.xmp or meta.iptc):
        return {}
    from PIL import Image

    tags = Image.Exif()
    if meta.exif is not None:
        tags.load(meta.exif.tobytes())
    if meta.xmp:
        tags[TIFF_XMP] = meta.xmp
    if meta.iptc:
        tags[TIFF_IPTC] = meta.iptc
    return {"exif": tags}


_KEPT = {
    "JPEG": ("EXIF", "XMP", "IPTC", "comment"),
    "MPO": ("EXIF", "XMP", "IPTC", "comment"),
    "TIFF": ("EXIF", "XMP", "IPTC"),
    "PNG": ("EXIF", "XMP", "IPTC", "comment"),
    "WEBP": ("EXIF", "XMP"),
    "GIF": ("comment",),
}


def _kinds(meta: Metadata) -> list[str]:
    named = (("EXIF", meta.exif), ("XMP", meta.xmp), ("IPTC", meta.iptc), ("comment", meta.comment))
    return [name for name, value in named if value]


def _png_info(meta: Metadata) -> Any:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    if meta.xmp:
        info.add_itxt("XML:com.adobe.xmp", meta.xmp.decode("utf-8", "replace"), zip=False)
    if meta.iptc:
        info.add_text("Raw profile type iptc", _png_raw_profile("IPTC profile", meta.iptc), zip=True)
    if meta.comment:
        info.add_text("Comment", meta.comment.decode("latin-1"))
    return info

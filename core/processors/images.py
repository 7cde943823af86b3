"""Image jobs (Pillow): resize to fit, thumbnail, convert format; EXIF orientation honoured.

Every job reads one image, applies its change, and saves it in the chosen
format through the output policy. A corrupt or truncated image fails its
task with a reason that says so.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from core.params import Param, ParamError, Params, ParamType
from core.processor import Processor, TaskContext

FORMATS = ("keep", "jpeg", "png", "webp", "tiff")
EXTENSION = {"jpeg": ".jpg", "png": ".png", "webp": ".webp", "tiff": ".tif"}
PIL_FORMAT = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "tiff": "TIFF"}
_BY_PIL = {v: k for k, v in PIL_FORMAT.items()} | {"MPO": "jpeg"}


class ImageError(ValueError):
    """The input is not a readable image."""


def _common_params() -> tuple[Param, ...]:
    return (
        Param("format", ParamType.CHOICE, "keep", label="Format", help="Output format.", choices=FORMATS),
        Param(
            "quality",
            ParamType.INT,
            90,
            label="Quality",
            help="JPEG and WebP quality.",
            minimum=1,
            maximum=100,
        ),
        Param(
            "strip_metadata",
            ParamType.BOOL,
            False,
            label="Strip metadata",
            help="Drop EXIF, XMP and comments (the colour profile is kept).",
        ),
    )


class _ImageJob(Processor):
    """Shared steps: open and check, orient, change, save."""

    result_columns = ("width", "height")
    writes_outputs = True

    @classmethod
    def output_name(cls, name: str, params: Mapping[str, Any]) -> str | None:
        """The input's stem with the new format's extension (the same one for ``keep``)."""
        fmt = params.get("format", "keep")
        if fmt == "keep":
            return name
        return os.path.splitext(name)[0] + EXTENSION[fmt]

    def change(self, image: Any, params: Mapping[str, Any]) -> Any:
        """Return the changed image (the base class changes nothing)."""
        return image

    def run(self, path: str, params: Mapping[str, Any], ctx: TaskContext) -> Mapping[str, Any]:
        """Read, orient, change and save one image."""
        name = self.output_name(os.path.basename(path), params) or ""
        ctx.output_path(name)  # skip before decoding if the output exists and the rule says so
        image, source_format = open_image(path)
        ctx.check_cancelled()
        image = self.change(image, params)
        fmt = params["format"] if params["format"] != "keep" else _BY_PIL.get(source_format or "", "png")
        with ctx.stage_output(name) as out:
            save(image, out.temp, fmt, params)
        return {
            "output": out.path,
            "width": image.width,
            "height": image.height,
            "format": fmt,
        }


def open_image(path: str) -> tuple[Any, str | None]:
    """Open, fully decode and orient ``path``; raise ``ImageError`` with a clear reason."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            source_format = im.format
            im.load()
            oriented = ImageOps.exif_transpose(im)  # a new image with Orientation reset to 1
            oriented.info.setdefault("icc_profile", im.info.get("icc_profile"))
    except UnidentifiedImageError:
        raise ImageError("not an image Pillow can read (unknown or corrupt header)") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"corrupt or truncated image: {exc}") from None
    return oriented, source_format


def save(image: Any, target: str, fmt: str, params: Mapping[str, Any]) -> None:
    """Save ``image`` as ``fmt`` with quality and metadata as asked."""
    options: dict[str, Any] = {}
    icc = image.info.get("icc_profile")
    if icc:
        options["icc_profile"] = icc
    if not params.get("strip_metadata"):
        exif = image.getexif()
        if exif:
            options["exif"] = exif.tobytes()
    if fmt in ("jpeg", "webp"):
        options["quality"] = params.get("quality", 90)
    if fmt == "jpeg":
        image = _without_alpha(image)
    elif fmt == "tiff":
        options["compression"] = "tiff_deflate"
    elif image.mode in ("CMYK", "YCbCr", "LAB", "HSV"):
        # PNG and WebP hold no such modes; Pillow would refuse or guess.
        image = image.convert("RGB")
    image.save(target, format=PIL_FORMAT[fmt], **options)


def _without_alpha(image: Any) -> Any:
    """JPEG has no alpha: flatten transparent images onto white."""
    from PIL import Image

    if image.mode in ("RGB", "L", "CMYK"):
        return image
    if "A" in image.getbands() or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _check_size(values: Mapping[str, Any]) -> None:
    if not values["width"] and not values["height"]:
        raise ParamError("parameters 'width' and 'height': give at least one (0 means no limit)")


class Resize(_ImageJob):
    """Fit each image within width x height, keeping its aspect ratio."""

    name = "resize"
    title = "Resize images"
    description = "Fit each image within WIDTH x HEIGHT, keeping its aspect ratio; optionally convert it."
    params = Params(
        (
            Param("width", ParamType.INT, 1920, label="Width", help="Largest width (0: any).", minimum=0),
            Param("height", ParamType.INT, 1080, label="Height", help="Largest height (0: any).", minimum=0),
            Param(
                "upscale",
                ParamType.BOOL,
                False,
                label="Enlarge small images",
                help="Also enlarge images smaller than the box.",
            ),
            *_common_params(),
        ),
        checks=(_check_size,),
    )

    def change(self, image: Any, params: Mapping[str, Any]) -> Any:
        """Scale to fit the box."""
        from PIL import Image

        size = fit_size(image.size, params["width"], params["height"], params["upscale"])
        if size == image.size:
            return image
        resized = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        resized.info = dict(image.info)
        return resized


def fit_size(size: tuple[int, int], width: int, height: int, upscale: bool) -> tuple[int, int]:
    """The largest size with ``size``'s aspect ratio inside ``width`` x ``height`` (0: no limit)."""
    w, h = size
    scales = [s for s in ((width / w) if width else None, (height / h) if height else None) if s is not None]
    scale = min(scales)
    if scale >= 1 and not upscale:
        return size
    return max(1, round(w * scale)), max(1, round(h * scale))


class Thumbnail(_ImageJob):
    """Small previews: fit within a square, never enlarged."""

    name = "thumbnail"
    title = "Thumbnails"
    description = "Make a thumbnail of each image that fits within SIZE x SIZE (never enlarged)."
    params = (
        Param(
            "size", ParamType.INT, 256, label="Size", help="Largest side in pixels.", minimum=8, maximum=4096
        ),
        *_common_params(),
    )

    def change(self, image: Any, params: Mapping[str, Any]) -> Any:
        """Shrink in place with Pillow's thumbnail (fast reduction, then resampling)."""
        info = dict(image.info)
        image.thumbnail((params["size"], params["size"]))
        image.info = info
        return image


class ConvertImage(_ImageJob):
    """Convert images between formats."""

    name = "convert-image"
    title = "Convert images"
    description = "Save each image as JPEG, PNG, WebP or TIFF, with the chosen quality and metadata."
    params = (
        Param("format", ParamType.CHOICE, "png", label="Format", help="Output format.", choices=FORMATS[1:]),
        *_common_params()[1:],
    )

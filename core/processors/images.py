"""Image jobs (Pillow): resize to fit, thumbnail, convert format; EXIF orientation honoured.

Every job reads one image, applies its change to each frame, and saves it in
the chosen format through the output policy. What it writes is faithful or
the task fails: ``keep`` keeps the real format and every frame (animated GIF
and WebP, multi-page TIFF); 16-bit images are scaled, not clipped, into 8-bit
formats; CMYK goes through its ICC profile into RGB; metadata is kept, or all
of it stripped (``core.processors.imagemeta``). A corrupt or truncated image
fails its task with a reason that says so.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from typing import Any

from core.params import Param, ParamError, Params, ParamType
from core.processor import Processor, TaskContext
from core.processors.imagemeta import Metadata, read_metadata, save_options, strip_info

FORMATS = ("keep", "jpeg", "png", "webp", "tiff")
EXTENSION = {"jpeg": ".jpg", "png": ".png", "webp": ".webp", "tiff": ".tif"}
PIL_FORMAT = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "tiff": "TIFF"}
_SIXTEEN_BIT = ("I;16", "I;16B", "I;16L", "I;16N", "I")
_HIGH_DEPTH_FORMATS = ("PNG", "TIFF")  # hold 16-bit grey as it is
_CMYK_FORMATS = ("JPEG", "TIFF")  # hold CMYK as it is


class ImageError(ValueError):
    """The input is not a readable image, or cannot be written faithfully as asked."""


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
            help="Drop EXIF (GPS included), XMP, IPTC and comments (the colour profile is kept).",
        ),
        Param(
            "max_megapixels",
            ParamType.INT,
            0,
            label="Largest image (megapixels)",
            help="0: Pillow's safety limit (about 179 MP); more allows larger images (needing more memory).",
            minimum=0,
            maximum=100_000,
        ),
    )


class _ImageJob(Processor):
    """Shared steps: open and check, orient, change every frame, save."""

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
        frames, source_format, meta = open_image(path, params.get("max_megapixels", 0))
        pil_format = target_format(params["format"], source_format, len(frames))
        ctx.check_cancelled()
        frames = [self.change(frame, params) for frame in frames]
        with ctx.stage_output(name) as out:
            save(frames, out.temp, pil_format, params, meta, ctx.logger)
        return {
            "output": out.path,
            "width": frames[0].width,
            "height": frames[0].height,
            "format": pil_format.lower(),
            "frames": len(frames),
        }


def target_format(asked: str, source_format: str | None, frames: int) -> str:
    """The Pillow format to write, or ``ImageError`` when it cannot hold the image faithfully."""
    from PIL import Image

    Image.preinit()  # the writers Pillow registers lazily: the common ones, then all if needed
    if asked != "keep":
        pil_format = PIL_FORMAT[asked]
    else:
        pil_format = "JPEG" if source_format == "MPO" else (source_format or "")
        if pil_format not in Image.SAVE:
            Image.init()
        if pil_format not in Image.SAVE:
            raise ImageError(f"Pillow cannot write {source_format or 'this'} images; choose a format")
    if frames > 1 and pil_format not in Image.SAVE_ALL:
        Image.init()
    if frames > 1 and pil_format not in Image.SAVE_ALL:
        raise ImageError(
            f"the image has {frames} frames and {pil_format} holds one; choose webp, png or tiff"
        )
    return pil_format


def open_image(path: str, max_megapixels: int = 0) -> tuple[list[Any], str | None, Metadata]:
    """Open and fully decode every frame of ``path``, oriented; raise ``ImageError`` with a clear reason."""
    from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

    if max_megapixels:
        # The limit is this job's own: Pillow's is lifted for the open, checked below instead.
        Image.MAX_IMAGE_PIXELS = None
    try:
        with Image.open(path) as im:
            if max_megapixels and im.width * im.height > max_megapixels * 1_000_000:
                raise ImageError(
                    f"{im.width}x{im.height} is over the limit of {max_megapixels} megapixels "
                    "(max_megapixels)"
                )
            source_format = im.format
            frames = []
            for frame in ImageSequence.Iterator(im):
                frame.load()
                oriented = ImageOps.exif_transpose(frame)  # a new image with Orientation reset to 1
                oriented.info.setdefault("icc_profile", im.info.get("icc_profile"))
                frames.append(oriented)
            meta = read_metadata(im, frames[0])
    except Image.DecompressionBombError as exc:
        raise ImageError(f"{exc}; allow larger images with -p max_megapixels=N") from None
    except UnidentifiedImageError:
        raise ImageError("not an image Pillow can read (unknown or corrupt header)") from None
    except (OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, ImageError):
            raise
        raise ImageError(f"corrupt or truncated image: {exc}") from None
    return frames, source_format, meta


def save(
    frames: list[Any],
    target: str,
    pil_format: str,
    params: Mapping[str, Any],
    meta: Metadata,
    logger: Any = None,
) -> None:
    """Save ``frames`` as ``pil_format`` with quality and metadata as asked."""
    frames = [_for_format(frame, pil_format) for frame in _one_mode(frames)]
    first = frames[0]
    options: dict[str, Any] = {}
    if params.get("strip_metadata"):
        for frame in frames:
            strip_info(frame)
    else:
        options.update(save_options(meta, pil_format, logger))
    icc = first.info.get("icc_profile")
    if icc:
        options["icc_profile"] = icc
    if pil_format in ("JPEG", "WEBP"):
        options["quality"] = params.get("quality", 90)
    if pil_format == "TIFF":
        # libtiff's deflate cannot write EXIF sub-directories (GPS): Pillow's own writer can, uncompressed.
        options["compression"] = None if meta.has_sub_ifds and "exif" in options else "tiff_deflate"
    if len(frames) > 1:
        options.update(save_all=True, append_images=frames[1:])
        durations = [f.info.get("duration") for f in frames]
        if all(d is not None for d in durations):
            options["duration"] = durations
        if "loop" in first.info:
            options["loop"] = first.info["loop"]
    first.save(target, format=pil_format, **options)


def _one_mode(frames: list[Any]) -> list[Any]:
    """Frames in one mode: a GIF's later frames come out RGB(A) beside a palette first frame."""
    if len({f.mode for f in frames}) <= 1:
        return frames
    alpha = any("A" in f.getbands() or "transparency" in f.info for f in frames)
    mode = "RGBA" if alpha else "RGB"
    return [f if f.mode == mode else _keep_info(f, f.convert(mode)) for f in frames]


def _for_format(image: Any, pil_format: str) -> Any:
    """``image`` in a mode ``pil_format`` holds, converted faithfully (or unchanged)."""
    if image.mode in _SIXTEEN_BIT and pil_format not in _HIGH_DEPTH_FORMATS:
        return _to_8bit(image)
    if image.mode == "CMYK" and pil_format not in _CMYK_FORMATS:
        return _cmyk_to_rgb(image)
    if pil_format == "JPEG":
        return _without_alpha(image)
    if image.mode in ("YCbCr", "LAB", "HSV") and pil_format in ("PNG", "WEBP"):
        return _keep_info(image, image.convert("RGB"))  # PNG and WebP hold no such modes
    return image


def _keep_info(source: Any, image: Any) -> Any:
    image.info = dict(source.info)
    return image


def _to_8bit(image: Any) -> Any:
    """Scale 16-bit grey to 8 bits (65535 becomes 255); a plain conversion would clip it to white."""
    if image.mode == "I":
        wide = image
        # A 32-bit "I" image says nothing of its range: one whose values fit 8 bits stays as it is.
        scale = 1 / 257 if wide.getextrema()[1] > 255 else 1
    else:
        wide, scale = image.convert("I"), 1 / 257
    return _keep_info(image, wide.point(lambda v: v * scale).convert("L"))


def _cmyk_to_rgb(image: Any) -> Any:
    """Convert CMYK to sRGB through the image's ICC profile (Pillow's plain formula without one)."""
    from io import BytesIO

    from PIL import ImageCms

    icc = image.info.get("icc_profile")
    if not icc:
        rgb = _keep_info(image, image.convert("RGB"))
        rgb.info.pop("icc_profile", None)
        return rgb
    srgb = ImageCms.createProfile("sRGB")
    try:
        rgb = ImageCms.profileToProfile(image, ImageCms.ImageCmsProfile(BytesIO(icc)), srgb, outputMode="RGB")
    except ImageCms.PyCMSError as exc:
        raise ImageError(f"the image's CMYK colour profile cannot be used: {exc}") from None
    rgb = _keep_info(image, rgb)
    rgb.info["icc_profile"] = ImageCms.ImageCmsProfile(srgb).tobytes()  # the CMYK one would lie now
    return rgb


def _without_alpha(image: Any) -> Any:
    """JPEG has no alpha: flatten transparent images onto white."""
    from PIL import Image

    if image.mode in ("RGB", "L", "CMYK"):
        return image
    if "A" in image.getbands() or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return _keep_info(image, background)
    return _keep_info(image, image.convert("RGB"))


class _Resampling:
    """An image being resampled: ``image`` to change; ``result`` in the original mode, with its info."""

    def __init__(self, image: Any) -> None:
        self.source = image
        # Pillow resamples 16-bit grey only as 32-bit "I"; it goes back to 16 bits afterwards.
        self.image = image.convert("I") if image.mode.startswith("I;16") else image
        self.result: Any = None


@contextlib.contextmanager
def _resamplable(image: Any) -> Iterator[_Resampling]:
    work = _Resampling(image)
    yield work
    result = work.image
    if result.mode != image.mode:
        result = result.convert("I;16")
    result.info = dict(image.info)
    work.result = result


def _check_size(values: Mapping[str, Any]) -> None:
    if not values["width"] and not values["height"]:
        raise ParamError("give a width, a height or both (0 means no limit)", "width", "height")


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
        with _resamplable(image) as work:
            work.image = work.image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        return work.result


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
        with _resamplable(image) as work:
            work.image.thumbnail((params["size"], params["size"]))
        return work.result


class ConvertImage(_ImageJob):
    """Convert images between formats."""

    name = "convert-image"
    title = "Convert images"
    description = "Save each image as JPEG, PNG, WebP or TIFF, with the chosen quality and metadata."
    params = (
        Param("format", ParamType.CHOICE, "png", label="Format", help="Output format.", choices=FORMATS[1:]),
        *_common_params()[1:],
    )

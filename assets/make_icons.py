"""Generate Brigade's icon files from the master SVG.

Run ``python assets/make_icons.py`` after editing ``assets/icons/brigade.svg``
and commit what it writes: PNGs in every size a desktop asks for, a Windows
``.ico`` and a macOS ``.icns``. The SVG is rasterised by Qt's SVG renderer
(offscreen, no display needed); Pillow packs the rasters into ``.ico`` and
``.icns``, each size drawn from the vector rather than scaled from one bitmap,
so the small sizes stay sharp.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PIL import Image

ICONS = Path(__file__).resolve().parent / "icons"
MASTER = ICONS / "brigade.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)


def rasterise(svg: Path, sizes: tuple[int, ...]) -> dict[int, Image.Image]:
    """Render ``svg`` at each size with QtSvg; return Pillow RGBA images by size."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QIODevice
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not a valid SVG")
    images = {}
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(0)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        images[size] = _to_pillow(bytes(buffer.data().data()))
    del app
    return images


def _to_pillow(png: bytes) -> Image.Image:
    from io import BytesIO

    with Image.open(BytesIO(png)) as im:
        return im.convert("RGBA")


def write_all(out: Path = ICONS) -> list[Path]:
    """Write every PNG size, ``brigade.ico`` and ``brigade.icns`` into ``out``."""
    images = rasterise(MASTER, tuple(sorted(set(PNG_SIZES + ICO_SIZES + ICNS_SIZES))))
    written = []
    for size in PNG_SIZES:
        path = out / f"brigade-{size}.png"
        images[size].save(path, optimize=True)
        written.append(path)
    ico = out / "brigade.ico"
    largest = images[ICO_SIZES[-1]]
    largest.save(ico, sizes=[(s, s) for s in ICO_SIZES], append_images=[images[s] for s in ICO_SIZES[:-1]])
    written.append(ico)
    icns = out / "brigade.icns"
    images[ICNS_SIZES[-1]].save(icns, append_images=[images[s] for s in ICNS_SIZES[:-1]])
    written.append(icns)
    return written


if __name__ == "__main__":
    for path in write_all():
        print(f"wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")

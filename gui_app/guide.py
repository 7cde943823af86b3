"""Help → User guide: Brigade's guide (its README and ``docs/*.md``) in a window of the app.

The guide is Markdown, which Qt's text browser renders itself, so it reads the
same from a checkout and from the installed app (the build copies the files
into the bundle's ``guide/``), with no Markdown viewer needed on the system.
Links to the web open in the browser.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QUrl
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QDialog, QHBoxLayout, QListWidget, QTextBrowser, QWidget

BUNDLE_FOLDER = "guide"  # under the frozen app's _internal (sys._MEIPASS)
GUIDE = "README.md"
IMAGE_MARGIN = 16  # pixels of the text browser's margin on each side of a picture


def guide_root() -> Path | None:
    """The folder holding the guide of this copy: the bundle's ``guide/`` or the checkout."""
    frozen = getattr(sys, "_MEIPASS", None)
    roots = [Path(frozen) / BUNDLE_FOLDER] if frozen else []
    roots.append(Path(__file__).resolve().parents[1])
    return next((r for r in roots if (r / GUIDE).is_file()), None)


def guide_path() -> Path | None:
    """The guide's first page (the README) in this copy, or None."""
    root = guide_root()
    return root / GUIDE if root is not None else None


def chapters(root: Path) -> list[Path]:
    """The guide's pages: the README first, then the topics of ``docs/``."""
    return [root / GUIDE, *sorted((root / "docs").glob("*.md"))]


def page_title(path: Path) -> str:
    """A page's first heading, or its file name."""
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.startswith("# "):
                return line[2:].strip()
    return path.stem


class GuideWindow(QDialog):
    """The guide's pages listed on the left, the chosen one rendered on the right."""

    def __init__(self, root: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guideWindow")
        # The menu item's own words (and translation), without its keyboard mnemonic.
        menu_item = QCoreApplication.translate("Actions", "&User guide")
        self.setWindowTitle(re.sub(r"\(&\w\)|&", "", menu_item))
        self.pages = chapters(root)
        self.contents = QListWidget()
        self.contents.addItems([page_title(p) for p in self.pages])
        self.contents.setMaximumWidth(220)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)  # the web in the browser; the guide's own pages here
        self.browser.setSearchPaths([str(root), str(root / "docs")])
        layout = QHBoxLayout(self)
        layout.addWidget(self.contents)
        layout.addWidget(self.browser, 1)
        self.contents.currentRowChanged.connect(self.show_page)
        self.contents.setCurrentRow(0)
        self.resize(980, 720)

    def show_page(self, row: int) -> None:
        if 0 <= row < len(self.pages):
            self.browser.setSource(QUrl.fromLocalFile(str(self.pages[row])))
            self._fit_images(self.browser.viewport().width() - 2 * IMAGE_MARGIN)

    def _fit_images(self, width: int) -> None:
        """Scale the page's pictures down to ``width`` (Markdown cannot size them; the README's is wide)."""
        document = self.browser.document()
        block = document.begin()
        while block.isValid():
            fragments = block.begin()
            while not fragments.atEnd():
                fragment = fragments.fragment()
                image = fragment.charFormat().toImageFormat()
                if image.isValid() and width > 0:
                    cursor = QTextCursor(document)
                    cursor.setPosition(fragment.position())
                    cursor.setPosition(
                        fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor
                    )
                    image.setWidth(width)  # the height follows, keeping the picture's proportions
                    cursor.setCharFormat(image)
                fragments += 1
            block = block.next()


def open_guide(parent: QWidget | None = None) -> str:
    """Show the guide (one window per parent); return why it could not be, or ``""``."""
    root = guide_root()
    if root is None:
        return QCoreApplication.translate("Guide", "The guide is not installed with this copy of Brigade")
    window = parent.findChild(GuideWindow, "guideWindow") if parent is not None else None
    if window is None:
        window = GuideWindow(root, parent)
        window.setWindowFlag(Qt.WindowType.Window)
    window.show()
    window.raise_()
    window.activateWindow()
    return ""

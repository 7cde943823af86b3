"""What the bundle leaves out: shared by the Qt hooks here and the spec.

Qt
--
The stock PySide6 hooks collect every plugin of a module (and the system
libraries those plugins link to), and every Qt translation. Filtering in the
hooks, before PyInstaller follows library dependencies, keeps out not only a
plugin but also what only it needed (the GTK theme plugin alone drags in GTK,
cairo and pango).

System libraries
----------------
PyInstaller copies every shared library a binary links to, down to X11 and
glib. Libraries that every Linux desktop has, with a stable ABI, are left to
the system instead (the same rule AppImage's exclude list follows): bundling
them wastes space and can break, e.g. an old bundled fontconfig reading a newer
system's configuration. The .deb declares them in ``Depends`` (make_deb.py
finds their packages). Libraries that are often missing (the xcb-util family
Qt needs, libxkbcommon, OpenSSL 3, libffi 8, SQLite) stay in the bundle.
"""

from __future__ import annotations

import fnmatch
import os
import re

# Matched against the lower-case, "/"-separated path of a file.
DROP_PATTERNS = (
    "*/plugins/platformthemes/*gtk3*",  # GTK, cairo, pango: the portal theme stays
    "*/plugins/printsupport/*",  # CUPS; Brigade does not print
    "*/plugins/sqldrivers/*",
    "*/plugins/qmltooling/*",
    "*/plugins/designer/*",
    "*/plugins/egldeviceintegrations/*",  # EGLFS: no window system at all
    "*/plugins/generic/*",  # evdev/tuio input without a window system
    "*/plugins/networkinformation/*",
    "*/plugins/tls/*",
    # Qt reads only the app's own icons (SVG, PNG, ICO); images of the jobs go through Pillow.
    "*/plugins/imageformats/*qpdf*",
    "*/plugins/imageformats/*qtga*",
    "*/plugins/imageformats/*qwbmp*",
    "*/plugins/imageformats/*qtiff*",
    "*/plugins/imageformats/*qwebp*",
    "*/plugins/imageformats/*qicns*",
    "*/plugins/platforminputcontexts/*virtualkeyboard*",  # a QML plugin
    "*/plugins/platforms/*qeglfs*",
    "*/plugins/platforms/*qlinuxfb*",
    "*/plugins/platforms/*qminimalegl*",
    "*/plugins/platforms/*qvnc*",
    "*/plugins/platforms/*qvkkhrdisplay*",
    "*/opengl32sw.dll",  # Windows: Mesa's software OpenGL; Brigade's widgets draw without OpenGL
    "*/plugins/wayland-graphics-integration-server/*",
    "*/qml/*",
    "*qt6pdf*",
    "*qt6qml*",
    "*qt6quick*",
    "*qt6eglfs*",
    "*qt6waylandcompositor*",
)

# Qt's own translations (standard dialogs, shortcuts): only Brigade's languages.
KEEP_TRANSLATIONS = ("qt_zh_CN.qm", "qtbase_zh_CN.qm")


def wanted(path: str) -> bool:
    """Whether the file at ``path`` (source or bundle destination) belongs in the bundle."""
    norm = "/" + path.replace("\\", "/").lower()
    if norm.endswith(".qm") and "/translations/" in norm and "pyside6" in norm:
        return os.path.basename(path) in KEEP_TRANSLATIONS
    return not any(fnmatch.fnmatch(norm, pattern) for pattern in DROP_PATTERNS)


def trimmed_qt_dependencies(hook_file: str) -> tuple[list, list, list]:
    """The stock hook's ``(hiddenimports, binaries, datas)`` without the unwanted files."""
    from PyInstaller.utils.hooks.qt import add_qt6_dependencies

    hiddenimports, binaries, datas = add_qt6_dependencies(hook_file)
    keep = [entry for entry in binaries if wanted(entry[0])]
    return hiddenimports, keep, [entry for entry in datas if wanted(entry[0])]


# fmt: off
SYSTEM_LIBS = (
    "libX11.so.*", "libX11-xcb.so.*", "libXau.so.*", "libXdmcp.so.*", "libXext.so.*", "libXrender.so.*",
    "libxcb.so.*", "libxcb-glx.so.*", "libxcb-randr.so.*", "libxcb-render.so.*", "libxcb-shape.so.*",
    "libxcb-shm.so.*", "libxcb-sync.so.*", "libxcb-xfixes.so.*", "libxcb-xkb.so.*",
    "libfontconfig.so.*", "libfreetype.so.*", "libexpat.so.*", "libz.so.*", "libbz2.so.*",
    "liblzma.so.*", "libzstd.so.*", "liblz4.so.*", "libbrotli*.so.*", "libpng16.so.*",
    "libglib-2.0.so.*", "libgthread-2.0.so.*", "libgobject-2.0.so.*", "libgio-2.0.so.*",
    "libgmodule-2.0.so.*", "libpcre2-8.so.*", "libdbus-1.so.*", "libsystemd.so.*", "libgcrypt.so.*",
    "libgpg-error.so.*", "libcap.so.*", "libbsd.so.*", "libmd.so.*", "libuuid.so.*", "libblkid.so.*",
    "libmount.so.*", "libselinux.so.*", "libgcc_s.so.*", "libtinfo.so.*", "libreadline.so.*",
    "libkrb5*.so.*", "libk5crypto.so.*", "libgssapi_krb5.so.*", "libcom_err.so.*", "libkeyutils.so.*",
)
# fmt: on


def is_system_lib(dest: str) -> bool:
    """Whether the bundle destination ``dest`` is a top-level library left to the system (Linux)."""
    norm = dest.replace("\\", "/")
    return "/" not in norm and any(fnmatch.fnmatchcase(norm, pattern) for pattern in SYSTEM_LIBS)


# Items of Qt's ICU data package that Brigade never reads (see icu_trim.py): display
# names of currencies, languages, regions, units and time zones, transliterators,
# spelled-out numbers, legacy character-set converters (Qt on Unix decodes only
# UTF and Latin-1 itself) and the word-break dictionaries (Qt breaks text itself).
# The locale data of the main tree (``de.res``, ``zh_Hant_TW.res``...): ``QLocale`` uses
# Qt's own CLDR tables, and collation reads its own tree (``coll/``), which stays.
# fmt: off
ICU_DROP = (
    "curr/*", "lang/*", "region/*", "unit/*", "zone/*", "translit/*", "rbnf/*", "*.cnv", "brkitr/*.dict",
)
# fmt: on
ICU_DROP_LOCALE = re.compile(r"^(?!res_index)[a-z]{2,3}(_[A-Za-z0-9]+)*\.res$")

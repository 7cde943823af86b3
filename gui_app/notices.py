"""Third-party notices: every component Brigade ships, its licence, and the licence texts.

Read from the installed distributions' metadata (``importlib.metadata``): the
packages ``brigade`` requires, recursively, with the licence files their
wheels carry (``*.dist-info/licenses/``, ``LICENSE*``, ``COPYING*``,
``NOTICE*``); Python's own licence; and Qt's LGPLv3 notice with how to replace
the Qt libraries (``gui_app/licences/``: the PySide6 wheels carry no licence
text). The frozen app has no distribution metadata, so ``packaging/build.py``
writes these notices into the bundle (``licences/notices.json`` beside the
modules, plus one text file each) and ``load_notices`` reads them from there.
No Qt here: the build imports this module.
"""

from __future__ import annotations

import importlib.metadata as metadata
import json
import re
import sys
import sysconfig
from dataclasses import asdict, dataclass
from pathlib import Path
from string import Template

LICENCES = Path(__file__).resolve().parent / "licences"
BUNDLE_FOLDER = "licences"  # under the frozen app's _internal (sys._MEIPASS)
INDEX = "notices.json"
QT_NAME = "Qt for Python (PySide6)"
LICENCE_FILE = re.compile(r"^(LICEN[CS]E|COPYING|NOTICE|COPYRIGHT)", re.IGNORECASE)
REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
# The PySide6 distributions: covered by the Qt notice, which carries the texts they lack.
QT_DISTRIBUTIONS = {"pyside6", "pyside6-essentials", "pyside6-addons", "shiboken6"}


@dataclass(frozen=True, slots=True)
class Notice:
    """One shipped component: its name and version, its licence (as declared) and the full texts."""

    name: str
    version: str
    licence: str
    text: str


def load_notices() -> list[Notice]:
    """The notices of this app: from the bundle when frozen, else from the installed metadata."""
    bundled = getattr(sys, "_MEIPASS", None)
    if bundled is not None:
        return read_notices(Path(bundled) / BUNDLE_FOLDER)
    return collect_notices()


def collect_notices(root: str = "brigade", leave_out: frozenset[str] = frozenset()) -> list[Notice]:
    """Python's, Qt's and those of every distribution ``root`` requires (not ``root``'s own).

    ``leave_out`` names distributions that are not shipped (normalised names).
    """
    notices = [python_notice(), qt_notice()]
    for dist in required_distributions(root):
        key = _normalise(dist.metadata["Name"])
        if key in leave_out or key in QT_DISTRIBUTIONS or key == _normalise(root):
            continue
        notices.append(distribution_notice(dist))
    return notices


def required_distributions(root: str) -> list[metadata.Distribution]:
    """``root`` and the distributions it requires on this machine, recursively (extras left out)."""
    found: dict[str, metadata.Distribution] = {}
    pending = [root]
    while pending:
        name = _normalise(pending.pop())
        if name in found:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # an optional or platform-specific requirement that is not installed
        found[name] = dist
        pending.extend(_runtime_requirements(dist))
    return list(found.values())


def _runtime_requirements(dist: metadata.Distribution) -> list[str]:
    from packaging.requirements import Requirement

    names = []
    for line in dist.requires or []:
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        names.append(requirement.name)
    return names


def distribution_notice(dist: metadata.Distribution) -> Notice:
    """The notice of one installed distribution, with the licence files its wheel carries."""
    meta = dist.metadata
    licence = meta.get("License-Expression") or _short_licence(meta.get("License")) or _classifier(dist)
    texts = []
    for file in dist.files or []:
        if "licenses" in file.parts[:-1] or LICENCE_FILE.match(file.name):
            if file.suffix in {".py", ".pyc"}:
                continue
            path = Path(str(file.locate()))
            if path.is_file():
                texts.append(f"----- {file.name} -----\n{path.read_text(encoding='utf-8', errors='replace')}")
    if not texts and meta.get("License") and len(meta["License"]) > 80:
        texts.append(meta["License"])  # the whole licence text in the metadata field
    return Notice(meta["Name"], dist.version, licence or "see text", "\n\n".join(texts))


def _short_licence(field: str | None) -> str:
    return field.strip() if field and len(field) <= 80 and "\n" not in field.strip() else ""


def _classifier(dist: metadata.Distribution) -> str:
    for classifier in dist.metadata.get_all("Classifier") or []:
        if classifier.startswith("License ::"):
            return classifier.rsplit("::", 1)[1].strip()
    return ""


def python_notice() -> Notice:
    """The interpreter and its standard library (the licence file also lists what CPython bundles)."""
    text_file = Path(sysconfig.get_path("stdlib")) / "LICENSE.txt"
    text = text_file.read_text(encoding="utf-8") if text_file.is_file() else ""
    version = ".".join(str(n) for n in sys.version_info[:3])
    return Notice("Python", version, "PSF-2.0", text)


def qt_notice() -> Notice:
    """Qt and Qt for Python: the notice, then the LGPLv3 and GPLv3 texts.

    The notice names the versions shipped, where their source is published and
    how to replace the libraries.
    """
    try:
        version = metadata.version("PySide6-Essentials")
    except metadata.PackageNotFoundError:
        version = ""
    qt = qt_version() or version
    notice = Template((LICENCES / "Qt-NOTICE.txt").read_text(encoding="utf-8")).substitute(
        qt_version=qt, qt_minor=".".join(qt.split(".")[:2]), pyside_version=version
    )
    texts = [(LICENCES / part).read_text(encoding="utf-8") for part in ("LGPL-3.0.txt", "GPL-3.0.txt")]
    return Notice(QT_NAME, version, "LGPL-3.0-only", "\n\n".join([notice, *texts]))


def qt_version() -> str:
    """The version of the Qt libraries PySide6 runs with ("" without PySide6)."""
    try:
        from PySide6.QtCore import qVersion  # only when called: the CLI's notices need no Qt
    except ImportError:
        return ""
    return qVersion()


def write_notices(notices: list[Notice], folder: Path) -> None:
    """Write ``notices.json`` and one readable ``<name>.txt`` per notice into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / INDEX).write_text(json.dumps([asdict(n) for n in notices], indent=1) + "\n", encoding="utf-8")
    for notice in notices:
        header = f"{notice.name} {notice.version}\nLicence: {notice.licence}\n\n"
        (folder / f"{_file_name(notice.name)}.txt").write_text(header + notice.text, encoding="utf-8")


def read_notices(folder: Path) -> list[Notice]:
    """The notices ``write_notices`` wrote into ``folder`` (none if it is missing)."""
    index = folder / INDEX
    if not index.is_file():
        return []
    return [Notice(**entry) for entry in json.loads(index.read_text(encoding="utf-8"))]


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _file_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9.+-]+", "_", name).strip("_")

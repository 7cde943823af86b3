"""The standard library modules the frozen app carries: all of them but a few that cannot work there.

PyInstaller bundles only the modules it sees imported. Plugins dropped into
the plugin folder run inside the frozen app and may import any standard
module (``xml.dom.minidom``, ``csv``, ``wave``...), so every module of the
standard library is listed as a hidden import, except:

- ``tkinter``, ``turtle``, ``turtledemo``, ``idlelib``: need Tcl/Tk, which is not bundled;
- ``curses``, ``readline``: need a terminal, which a worker never has;
- ``nis``: NIS/YP lookups, deprecated (gone in Python 3.13); it would make the
  ``brigade-cli`` package depend on libnsl and Kerberos;
- ``test`` (and every package's own ``test``/``tests``), ``lib2to3``, ``ensurepip``,
  ``venv``, ``pydoc_data``: CPython's test suite, tools and help texts, not library code.
"""

from __future__ import annotations

import importlib.util
import sys
import sysconfig
from pathlib import Path

# fmt: off
LEFT_OUT = frozenset({
    "tkinter", "_tkinter", "turtle", "turtledemo", "idlelib", "curses", "_curses", "_curses_panel",
    "readline", "nis", "test", "lib2to3", "ensurepip", "venv", "pydoc_data",
})
# fmt: on
TEST_PARTS = frozenset({"test", "tests", "idle_test"})


def stdlib_modules() -> list[str]:
    """Names of every standard module and submodule this interpreter has, minus ``LEFT_OUT``."""
    stdlib = Path(sysconfig.get_path("stdlib"))
    names = []
    for name in sorted(sys.stdlib_module_names):
        if name in LEFT_OUT or name.startswith("__") or importlib.util.find_spec(name) is None:
            continue
        names.append(name)
        package = stdlib / name
        if (package / "__init__.py").is_file():
            names += _submodules(package, name)
    return names


def _submodules(folder: Path, prefix: str) -> list[str]:
    found = []
    for path in sorted(folder.iterdir()):
        if path.stem in TEST_PARTS or path.stem in {"__init__", "__main__", "__pycache__"}:
            continue  # __main__ is a package's command-line script, not a module to import
        if path.is_dir() and (path / "__init__.py").is_file():
            found.append(f"{prefix}.{path.name}")
            found += _submodules(path, f"{prefix}.{path.name}")
        elif path.suffix == ".py":
            found.append(f"{prefix}.{path.stem}")
    return found

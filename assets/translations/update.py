"""Refresh the translation files from the source, then compile them.

Run ``python assets/translations/update.py`` after changing user-visible
strings: ``pyside6-lupdate`` collects every ``tr()`` / ``translate()`` /
``QT_TRANSLATE_NOOP`` string of ``gui_app/*.py`` into ``brigade_<lang>.ts``
(keeping the translations already there), and ``pyside6-lrelease`` compiles
each ``.ts`` into the ``.qm`` the app loads. Translate new strings with Qt
Linguist (``pyside6-linguist brigade_zh_CN.ts``) and run this again.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
LANGUAGES = ("zh_CN",)


def tool(name: str) -> str:
    """Find a PySide6 tool beside the interpreter, on PATH, or in the PySide6 package."""
    exe = Path(sys.executable).parent / name
    if exe.exists():
        return str(exe)
    found = shutil.which(name)
    if found:
        return found
    import PySide6

    bare = name.removeprefix("pyside6-")
    for candidate in (
        Path(PySide6.__file__).parent / bare,
        Path(PySide6.__file__).parent / "Qt" / "bin" / bare,
    ):
        if candidate.exists():
            return str(candidate)
    raise SystemExit(f"{name} not found; install PySide6-Essentials")


def main() -> int:
    sources = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "gui_app").glob("*.py"))
    for lang in LANGUAGES:
        ts = HERE / f"brigade_{lang}.ts"
        ts_arg = str(ts.relative_to(ROOT))
        subprocess.run(
            [tool("pyside6-lupdate"), "-no-obsolete", "-locations", "none", *sources, "-ts", ts_arg],
            cwd=ROOT,
            check=True,
        )
        subprocess.run([tool("pyside6-lrelease"), str(ts), "-qm", str(ts.with_suffix(".qm"))], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

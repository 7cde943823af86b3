"""core/ must stay free of Qt so the CLI, tests and cluster workers run without a display."""

import ast
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
QT_MODULES = ("PySide6", "PyQt5", "PyQt6", "qtpy", "superqt", "pyqtgraph", "gui_app")


def _imports(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_core_module_imports_qt():
    offenders = {
        str(p.relative_to(ROOT)): sorted(_imports(p) & set(QT_MODULES))
        for p in (ROOT / "core").rglob("*.py")
        if _imports(p) & set(QT_MODULES)
    }
    assert offenders == {}


def test_importing_the_engine_and_cli_loads_no_qt():
    code = (
        "import sys, core.cli, core.engine, core.discovery, core.registry;"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {QT_MODULES!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_the_cli_run_path_loads_no_worker_code(tmp_path):
    # The workers load their own code; their fork server preloads it.
    unwanted = ("core.engine.worker",)
    code = (
        "import argparse, sys; before = set(sys.modules); import core.cli.run, core.engine.engine;"
        "from core.cli.store_args import open_recorder;"
        f"recorder = open_recorder(argparse.Namespace(db={str(tmp_path / 'h.sqlite3')!r}));"
        "assert recorder is not None and recorder.error is None;"
        f"print(sorted(m for m in {unwanted!r} if m in sys.modules and m not in before))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


# The installed app does not bundle numpy (with its OpenBLAS it would put the bundle over its size
# budget), so no module of the app or the engine may import it, directly or through a library.
NOT_BUNDLED = ("numpy", "pyqtgraph")


def test_no_module_of_the_app_imports_what_the_bundle_leaves_out():
    offenders = {
        str(p.relative_to(ROOT)): sorted(_imports(p) & set(NOT_BUNDLED))
        for folder in ("core", "gui_app")
        for p in (ROOT / folder).rglob("*.py")
        if _imports(p) & set(NOT_BUNDLED)
    }
    assert offenders == {}, (
        "numpy is not in the installed app (bundle size budget): sort and filter without it, "
        f"off the GUI thread in pieces if they are long: {offenders}"
    )

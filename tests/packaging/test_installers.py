"""Installer recipes that cannot run here (Windows, macOS) and the pieces of them that can."""

from __future__ import annotations

import os
import re
import stat
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "packaging"), str(ROOT / "packaging" / "hooks")]

import make_dmg  # noqa: E402
from make_setup import build_portable_zip  # noqa: E402
from stdlib_modules import stdlib_modules  # noqa: E402

MACHO_64 = bytes.fromhex("cffaedfe") + bytes(60)


def test_windows_upgrade_deletes_the_old_modules_and_path_is_an_optional_task() -> None:
    iss = (ROOT / "packaging" / "windows" / "brigade.iss").read_text()
    install_delete = iss.split("\n[InstallDelete]\n", 1)[1].split("\n[", 1)[0]
    assert re.search(r'^Type: filesandordirs; Name: "\{app\}\\_internal"$', install_delete, re.M)
    assert re.search(r'^Name: "addtopath";.*Flags: unchecked$', iss, re.M)
    registry = [line for line in iss.splitlines() if line.startswith("Root:")]
    assert len(registry) == 2 and all(
        "Tasks: addtopath" in line and "{olddata};{app}" in line for line in registry
    )
    assert "ChangesEnvironment=yes" in iss
    assert "procedure CurUninstallStepChanged" in iss  # the uninstaller takes the entry off again


def test_portable_zip_holds_the_folder_under_one_versioned_name(tmp_path: Path) -> None:
    bundle = tmp_path / "brigade"
    (bundle / "_internal" / "PySide6").mkdir(parents=True)
    (bundle / "brigade.exe").write_bytes(b"MZ")
    (bundle / "_internal" / "PySide6" / "Qt6Core.dll").write_bytes(b"MZ" * 100)
    out = build_portable_zip(bundle, "1.2.3", tmp_path)
    assert out.name == "Brigade-1.2.3-windows-x64.zip"
    with zipfile.ZipFile(out) as archive:
        assert archive.testzip() is None
        assert sorted(archive.namelist()) == [
            "Brigade-1.2.3/_internal/PySide6/Qt6Core.dll",
            "Brigade-1.2.3/brigade.exe",
        ]


def test_macos_signing_goes_inside_out_without_deep(tmp_path: Path) -> None:
    app = tmp_path / "Brigade.app"
    macos = app / "Contents" / "MacOS"
    framework = app / "Contents" / "Frameworks" / "PySide6" / "Qt" / "lib" / "QtCore.framework"
    (framework / "Versions" / "A").mkdir(parents=True)
    macos.mkdir(parents=True)
    for path in (macos / "brigade", macos / "brigade-cli", framework / "Versions" / "A" / "QtCore"):
        path.write_bytes(MACHO_64)
    library = app / "Contents" / "Frameworks" / "libpython3.11.dylib"
    library.write_bytes(MACHO_64)
    (app / "Contents" / "Resources").mkdir()
    (app / "Contents" / "Resources" / "brigade.icns").write_bytes(b"icns")
    order = make_dmg.signing_order(app)
    assert order == [library, framework, macos / "brigade", macos / "brigade-cli", app]
    assert (
        "--deep"
        not in (ROOT / "packaging" / "make_dmg.py")
        .read_text()
        .split("def sign_app")[1]
        .split('"--verify"')[0]
    )


def test_hdiutil_create_is_retried_until_it_succeeds(tmp_path: Path, monkeypatch) -> None:
    # A stand-in hdiutil that fails twice, as the CI runners' does now and then, then works.
    tools = tmp_path / "bin"
    tools.mkdir()
    count = tmp_path / "attempts"
    fake = tools / "hdiutil"
    script = (
        "#!/bin/sh\n"
        f'echo x >> "{count}"\n'
        f'[ "$(wc -l < "{count}")" -ge 3 ] || exit 1\n'
        'for last; do :; done\ntouch "$last"\n'  # the image named last on the command line
    )
    fake.write_text(script)
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    out = tmp_path / "Brigade.dmg"
    make_dmg.create_image(tmp_path, out, attempts=5, pause=0)
    assert count.read_text().count("x") == 3
    assert out.exists()


def test_the_whole_standard_library_is_listed_but_what_cannot_work_frozen() -> None:
    modules = set(stdlib_modules())
    assert {
        "xml.dom.minidom",
        "csv",
        "wave",
        "email.mime.text",
        "sqlite3.dump",
        "concurrent.futures",
    } <= modules
    assert not {m for m in modules if m.split(".")[0] in {"tkinter", "idlelib", "test", "curses", "lib2to3"}}
    assert not {m for m in modules if ".test" in m or m.endswith(".__main__")}

"""What the bundle keeps and leaves out, and the .deb's control data, without building anything."""

from __future__ import annotations

import plistlib
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "packaging"), str(ROOT / "packaging" / "hooks")]

import make_deb  # noqa: E402
from bundle_rules import is_system_lib, wanted  # noqa: E402


@pytest.mark.parametrize(
    "path",
    [
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/imageformats/libqsvg.so",
        "PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so",
        "PySide6/Qt/lib/libQt6Widgets.so.6",
        "PySide6/Qt/translations/qtbase_zh_CN.qm",
        "PySide6\\plugins\\platforms\\qwindows.dll",
    ],
)
def test_what_the_app_loads_is_kept(path: str) -> None:
    assert wanted(path)


@pytest.mark.parametrize(
    "path",
    [
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "PySide6/Qt/plugins/printsupport/libcupsprintersupport.so",
        "PySide6/Qt/plugins/platforms/libqvnc.so",
        "PySide6/Qt/lib/libQt6Quick.so.6",
        "PySide6/Qt/lib/libQt6Qml.so.6",
        "PySide6/Qt/lib/libQt6Pdf.so.6",
        "PySide6/Qt/qml/QtQuick/Controls/qmldir",
        "PySide6/Qt/translations/qtbase_de.qm",
        "PySide6\\translations\\qt_fr.qm",
        "PySide6\\plugins\\printsupport\\windowsprintersupport.dll",
    ],
)
def test_what_the_app_never_loads_is_dropped(path: str) -> None:
    assert not wanted(path)


def test_only_top_level_base_system_libraries_are_left_to_the_system() -> None:
    assert is_system_lib("libX11.so.6")
    assert is_system_lib("libglib-2.0.so.0")
    assert is_system_lib("libfontconfig.so.1")
    # Often missing, or newer than the system's: bundled.
    assert not is_system_lib("libxcb-cursor.so.0")
    assert not is_system_lib("libssl.so.3")
    assert not is_system_lib("libsqlite3.so.0")
    # Vendored by a wheel under its own folder: never touched.
    assert not is_system_lib("pillow.libs/libz.so.1")


def test_glibc_floor_is_the_newest_symbol_version_asked_for(tmp_path: Path) -> None:
    (tmp_path / "a.so").write_bytes(b"\x7fELF" + b"\0" * 12 + b"GLIBC_2.17\0GLIBC_2.34\0")
    (tmp_path / "b.so").write_bytes(b"\x7fELF" + b"\0" * 12 + b"GLIBC_2.28\0GLIBC_2.3.4\0")
    (tmp_path / "notes.txt").write_bytes(b"GLIBC_2.99\0")  # not an ELF file
    assert make_deb.glibc_floor(tmp_path) == "2.34"


def test_control_file_has_the_fields_dpkg_needs() -> None:
    text = make_deb.control_text("1.2.3", "amd64", 1000, ["libc6 (>= 2.34)", "libgl1"])
    fields = dict(line.split(": ", 1) for line in text.splitlines() if not line.startswith(" "))
    assert fields["Package"] == "brigade"
    assert fields["Version"] == "1.2.3"
    assert fields["Architecture"] == "amd64"
    assert fields["Depends"] == "libc6 (>= 2.34), libgl1"
    assert "libgl1" not in fields["Recommends"]  # not listed twice
    assert text.endswith("\n")


def test_macos_info_plist_allows_dark_mode_and_keeps_the_app_in_the_dock() -> None:
    with (ROOT / "packaging" / "macos" / "Info.plist").open("rb") as f:
        info = plistlib.load(f)
    assert info["CFBundleIdentifier"] == "io.brigade.Brigade"
    assert info["CFBundleExecutable"] == "brigade"
    assert info["NSRequiresAquaSystemAppearance"] is False
    assert info["LSBackgroundOnly"] is False


def test_windows_installer_installs_per_user_with_start_menu_entry_and_uninstaller() -> None:
    iss = (ROOT / "packaging" / "windows" / "brigade.iss").read_text()
    assert re.search(r"^PrivilegesRequired=lowest$", iss, re.M)
    assert re.search(r"^DefaultDirName=\{autopf\}\\Brigade$", iss, re.M)
    assert re.search(r'^Name: "\{autoprograms\}\\Brigade"; Filename: "\{app\}\\brigade.exe"', iss, re.M)
    assert "Uninstallable=no" not in iss


def test_size_check_fails_over_budget_and_names_the_biggest_files(tmp_path: Path, capsys) -> None:
    import json

    import check_size

    bundle = tmp_path / "brigade"
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "_internal" / "big.so").write_bytes(b"x" * 3000)
    (bundle / "small.txt").write_bytes(b"x" * 10)
    report = tmp_path / "artifacts.json"
    for size, code in ((check_size.budget_for("linux"), 0), (check_size.budget_for("linux") + 1, 1)):
        report.write_text(
            json.dumps({"bundle": str(bundle), "bundle_bytes": size, "platform": "linux", "artifacts": []})
        )
        assert check_size.main([str(report)]) == code
    out = capsys.readouterr().out
    assert "over budget by" in out and out.index("_internal/big.so") < out.index("small.txt")
    assert check_size.budget_for("linux") <= 120 * check_size.MB  # the Linux bundle's budget

"""Icons, desktop entry and AppStream metadata: present, valid, and made from the master SVG."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from core import __version__

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "assets"
ICONS = ASSETS / "icons"
sys.path.insert(0, str(ASSETS))

import make_icons  # noqa: E402


def test_every_png_size_is_there_with_its_size() -> None:
    for size in make_icons.PNG_SIZES:
        with Image.open(ICONS / f"brigade-{size}.png") as im:
            assert im.size == (size, size)
            assert im.mode == "RGBA"


def test_ico_and_icns_carry_the_sizes_windows_and_macos_ask_for() -> None:
    with Image.open(ICONS / "brigade.ico") as ico:
        assert {s for s, _ in ico.info["sizes"]} >= {16, 32, 48, 256}
    with Image.open(ICONS / "brigade.icns") as icns:
        assert {s for s, _, _ in icns.info["sizes"]} >= {16, 32, 128, 256, 512}


def test_committed_pngs_match_a_fresh_rasterisation_of_the_svg() -> None:
    # Catches an edited SVG whose generated files were not regenerated and committed.
    fresh = make_icons.rasterise(make_icons.MASTER, (48, 256))
    for size, image in fresh.items():
        with Image.open(ICONS / f"brigade-{size}.png") as committed:
            diff = ImageChops.difference(committed.convert("RGBA"), image)
            assert max(hi for _, hi in diff.getextrema()) <= 2, f"brigade-{size}.png is stale"


def test_icon_is_transparent_around_an_opaque_tile() -> None:
    with Image.open(ICONS / "brigade-256.png") as im:
        assert im.getpixel((2, 2))[3] == 0
        assert im.getpixel((128, 128))[3] == 255


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(ASSETS / "brigade.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry_launches_brigade_with_files_and_names_its_icon_and_types() -> None:
    entry = _desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Exec"] == "brigade %F"
    assert entry["Icon"] == "brigade"
    assert entry["Terminal"] == "false"
    mime = entry["MimeType"].rstrip(";").split(";")
    assert "image/png" in mime and "application/gzip" in mime
    # Offered in "Open with", never the handler of folders or of every text file.
    assert not {"inode/directory", "text/plain", "application/octet-stream"} & set(mime)


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils not installed")
def test_desktop_entry_passes_desktop_file_validate(tmp_path: Path) -> None:
    # The validator insists on the installed name (a reverse-DNS id).
    target = tmp_path / "io.brigade.Brigade.desktop"
    shutil.copyfile(ASSETS / "brigade.desktop", target)
    result = subprocess.run(["desktop-file-validate", str(target)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_metainfo_names_the_desktop_entry_binaries_and_current_release() -> None:
    root = ET.parse(ASSETS / "io.brigade.Brigade.metainfo.xml").getroot()
    assert root.findtext("id") == "io.brigade.Brigade"
    assert root.findtext("launchable") == "io.brigade.Brigade.desktop"
    assert {b.text for b in root.iter("binary")} == {"brigade", "brigade-cli"}
    releases = [r.get("version") for r in root.iter("release")]
    assert releases[0] == __version__, "add a <release> for the new version"


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="appstream not installed")
def test_metainfo_passes_appstreamcli_validate() -> None:
    result = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(ASSETS / "io.brigade.Brigade.metainfo.xml")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr

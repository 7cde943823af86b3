"""Sign, package and notarise ``Brigade.app`` as ``Brigade-<version>.dmg``.

Signing and notarisation run only when their environment variables are set, so
an unsigned build works anywhere (Gatekeeper then asks the person to confirm):

``BRIGADE_CODESIGN_IDENTITY``
    a "Developer ID Application: ..." identity in the keychain; signs the app
    (hardened runtime, ``macos/entitlements.plist``) and the disk image.
``BRIGADE_NOTARY_PROFILE``
    a ``notarytool store-credentials`` keychain profile, or else all three of
``BRIGADE_NOTARY_APPLE_ID``, ``BRIGADE_NOTARY_TEAM_ID``, ``BRIGADE_NOTARY_PASSWORD``
    (an app-specific password); the image is submitted, waited for and stapled.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _run(*args: str) -> None:
    print("+", " ".join(args))
    subprocess.run(args, check=True)


def sign_app(app: Path, identity: str) -> None:
    """Sign the app bundle with the hardened runtime (required for notarisation)."""
    entitlements = str(HERE / "macos" / "entitlements.plist")
    _run(
        "codesign", "--force", "--deep", "--timestamp", "--options", "runtime",
        "--entitlements", entitlements, "--sign", identity, str(app),
    )  # fmt: skip
    _run("codesign", "--verify", "--deep", "--strict", str(app))


def notary_credentials() -> list[str] | None:
    """``notarytool`` credential arguments from the environment, or None."""
    profile = os.environ.get("BRIGADE_NOTARY_PROFILE")
    if profile:
        return ["--keychain-profile", profile]
    keys = ("BRIGADE_NOTARY_APPLE_ID", "BRIGADE_NOTARY_TEAM_ID", "BRIGADE_NOTARY_PASSWORD")
    values = [os.environ.get(k) for k in keys]
    if not all(values):
        return None
    apple_id, team, password = values
    return ["--apple-id", str(apple_id), "--team-id", str(team), "--password", str(password)]


def build_dmg(app: Path, version: str, out_dir: Path) -> Path:
    """Make the disk image (app + an Applications link); sign and notarise when configured."""
    identity = os.environ.get("BRIGADE_CODESIGN_IDENTITY")
    if identity:
        sign_app(app, identity)
    else:
        print("make_dmg: BRIGADE_CODESIGN_IDENTITY not set; the app stays ad-hoc signed")
    out = out_dir / f"Brigade-{version}.dmg"
    with tempfile.TemporaryDirectory(prefix="brigade-dmg-") as tmp:
        stage = Path(tmp) / "Brigade"
        stage.mkdir()
        _run("ditto", str(app), str(stage / app.name))
        (stage / "Applications").symlink_to("/Applications")
        _run(
            "hdiutil", "create", "-volname", "Brigade", "-srcfolder", str(stage),
            "-fs", "HFS+", "-format", "UDZO", "-ov", str(out),
        )  # fmt: skip
    if identity:
        _run("codesign", "--force", "--timestamp", "--sign", identity, str(out))
    credentials = notary_credentials()
    if identity and credentials:
        _run("xcrun", "notarytool", "submit", str(out), "--wait", *credentials)
        _run("xcrun", "stapler", "staple", str(out))
    elif identity:
        print("make_dmg: no BRIGADE_NOTARY_* credentials; the image is signed but not notarised")
    return out

"""Sign, package and notarise ``Brigade.app`` as ``Brigade-<version>-<arch>.dmg``.

Signing and notarisation run only when their environment variables are set, so
an unsigned build works anywhere (Gatekeeper then asks the person to confirm):

``BRIGADE_CODESIGN_IDENTITY``
    a "Developer ID Application: ..." identity in a keychain (the release
    workflow imports the certificate into a temporary one); signs the app from
    the inside out (every library and framework, then the executables with the
    hardened runtime and ``macos/entitlements.plist``, then the app; never
    ``codesign --deep`` for signing, which Apple advises against) and the image.
``BRIGADE_NOTARY_PROFILE``
    a ``notarytool store-credentials`` keychain profile, or else all three of
``BRIGADE_NOTARY_APPLE_ID``, ``BRIGADE_NOTARY_TEAM_ID``, ``BRIGADE_NOTARY_PASSWORD``
    (an app-specific password); the image is submitted, waited for and stapled.
"""

from __future__ import annotations

import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _run(*args: str) -> None:
    print("+", " ".join(args))
    subprocess.run(args, check=True)


MACHO_MAGICS = {
    bytes.fromhex(m) for m in ("feedface", "feedfacf", "cefaedfe", "cffaedfe", "cafebabe", "bebafeca")
}
HDIUTIL_ATTEMPTS = 5  # hdiutil create fails now and then on CI runners ("Resource busy")


def _is_macho(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) in MACHO_MAGICS


def signing_order(app: Path) -> list[Path]:
    """What to sign, inside out: loose libraries, then frameworks, then the executables, then the app."""
    frameworks = sorted(app.rglob("*.framework"), key=lambda p: -len(p.parts))
    executables = sorted((app / "Contents" / "MacOS").iterdir())
    loose = [
        p
        for p in sorted(app.rglob("*"))
        if p.is_file()
        and not p.is_symlink()
        and p not in executables
        and not any(part.endswith(".framework") for part in p.relative_to(app).parts)
        and _is_macho(p)
    ]
    return [*loose, *frameworks, *executables, app]


def sign_app(app: Path, identity: str) -> None:
    """Sign every code item of the app, inside out, with the hardened runtime (needed to notarise)."""
    entitlements = str(HERE / "macos" / "entitlements.plist")
    base = ["codesign", "--force", "--timestamp", "--options", "runtime", "--sign", identity]
    executables = set((app / "Contents" / "MacOS").iterdir()) | {app}
    for item in signing_order(app):
        extra = ["--entitlements", entitlements] if item in executables else []
        _run(*base, *extra, str(item))
    _run("codesign", "--verify", "--deep", "--strict", "--verbose=2", str(app))


def create_image(stage: Path, out: Path, attempts: int = HDIUTIL_ATTEMPTS, pause: float = 5.0) -> None:
    """``hdiutil create`` the image, retrying the runners' transient failures."""
    command = [
        "hdiutil", "create", "-volname", "Brigade", "-srcfolder", str(stage),
        "-fs", "HFS+", "-format", "UDZO", "-ov", str(out),
    ]  # fmt: skip
    for attempt in range(1, attempts + 1):
        try:
            _run(*command)
            return
        except subprocess.CalledProcessError:
            if attempt == attempts:
                raise
            print(f"make_dmg: hdiutil create failed (attempt {attempt} of {attempts}); retrying")
            time.sleep(pause * attempt)


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
    out = out_dir / f"Brigade-{version}-{platform.machine()}.dmg"
    with tempfile.TemporaryDirectory(prefix="brigade-dmg-") as tmp:
        stage = Path(tmp) / "Brigade"
        stage.mkdir()
        _run("ditto", str(app), str(stage / app.name))
        (stage / "Applications").symlink_to("/Applications")
        create_image(stage, out)
    if identity:
        _run("codesign", "--force", "--timestamp", "--sign", identity, str(out))
    credentials = notary_credentials()
    if identity and credentials:
        _run("xcrun", "notarytool", "submit", str(out), "--wait", *credentials)
        _run("xcrun", "stapler", "staple", str(out))
    elif identity:
        print("make_dmg: no BRIGADE_NOTARY_* credentials; the image is signed but not notarised")
    return out

"""Check the built bundle against its size budget on this OS: the release workflow's size gate.

    python packaging/check_size.py [dist/artifacts.json]

Prints the bundle's size and its budget; exits 1 when the bundle is over it,
after listing the bundle's biggest files (what to look at first).
The budgets are the unpacked bundle (every regular file, as ``build.py``
counts them). Linux carries Qt's ICU (trimmed) and OpenSSL; Windows uses the
system's ICU and leaves out Mesa's ``opengl32sw.dll``; macOS bundles are built
for one architecture each, with Qt's frameworks.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

MB = 10**6
BUNDLE_BUDGETS = {"linux": 120 * MB, "win32": 120 * MB, "darwin": 150 * MB}
DEB_BUDGET = 40 * MB  # both .deb packages together
BIGGEST = 15  # files listed when a bundle is over budget


def budget_for(platform: str) -> int:
    """The bundle budget of ``platform`` (a ``sys.platform`` value)."""
    key = "linux" if platform.startswith("linux") else platform
    return BUNDLE_BUDGETS[key]


def biggest_files(bundle: Path, count: int = BIGGEST) -> list[tuple[str, int]]:
    """The ``count`` biggest regular files under ``bundle``, biggest first, with their sizes."""
    files = [(p, p.stat().st_size) for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()]
    files.sort(key=lambda entry: entry[1], reverse=True)
    return [(path.relative_to(bundle).as_posix(), length) for path, length in files[:count]]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    report = json.loads(Path(args[0] if args else "dist/artifacts.json").read_text())
    size, budget = int(report["bundle_bytes"]), budget_for(report["platform"])
    print(f"bundle {size / MB:.1f} MB unpacked, budget {budget / MB:.0f} MB ({report['platform']})")
    for artifact in report["artifacts"]:
        print(f"  {Path(artifact['path']).name}: {artifact['bytes'] / MB:.1f} MB")
    debs = sum(a["bytes"] for a in report["artifacts"] if a["path"].endswith(".deb"))
    if size > budget:
        print(f"over budget by {(size - budget) / MB:.1f} MB; the biggest files:")
        for path, length in biggest_files(Path(report["bundle"])):
            print(f"  {length / MB:6.1f} MB  {path}")
        return 1
    if debs > DEB_BUDGET:
        print(f".deb packages over budget: {debs / MB:.1f} MB > {DEB_BUDGET / MB:.0f} MB")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The frozen app against the same code from source: start-up and small-file runs, side by side.

    python bench/bench_frozen.py [--bundle dist/brigade] [--runs 5]

Build the bundle first (``python packaging/build.py --bundle-only``). Every
figure comes from this one run: each round runs the frozen ``brigade-cli`` and
the source one (``.venv/bin/brigade-cli``) back to back on the same warm
corpus, so a busy minute on a shared machine slows both. Printed: the best and
median wall time of each, and the ratio frozen/source of the medians.
Target: a checksum run of 2,000 and of 20,000 small files (1 KiB, 2 workers)
within 1.2x of source. Also printed, not targeted: ``brigade-cli --version``
(interpreter and CLI start) and the window's first paint (``brigade --smoke``).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import BIN, CORPUS, ROOT, corpus, installed_env, load, timed_interleaved, verdict, warm

TARGET = 1.2
SIZES = {"2,000": ["d00", "d01"], "20,000": None}  # sub-folders of the small corpus (None: all)


def run_cmd(cli: str, paths: list[str], db: str) -> list[str]:
    return [cli, "run", "--job", "checksum", "--workers", "2", "--db", db, *paths]


def report(name: str, times: dict[str, list[float]]) -> float:
    """Print both contenders' figures; return the ratio frozen/source of the medians."""
    medians = {who: statistics.median(t) for who, t in times.items()}
    for who, t in times.items():
        each = ", ".join(f"{x:.2f}" for x in t)
        print(f"  {who:<7} best {min(t):.3f} s, median {medians[who]:.3f} s  ({each})")
    ratio = medians["frozen"] / medians["source"]
    print(f"  {name}: frozen/source {ratio:.2f}x")
    return ratio


def first_paint(command: list[str], env: dict[str, str]) -> float:
    """Seconds from process start to the window's first paint, in a fresh settings folder."""
    with tempfile.TemporaryDirectory(prefix="brigade-bench-config-") as config:
        run_env = dict(env, XDG_CONFIG_HOME=config)
        out = subprocess.run(command, env=run_env, capture_output=True, text=True, timeout=120).stdout
    match = re.search(r"first paint after ([\d.]+) s", out)
    if match is None:
        raise SystemExit(f"{command}: no first paint in {out!r}")
    return float(match.group(1))


def compare_start(bundle: str, runs: int, env: dict[str, str]) -> None:
    print("start-up")
    versions = {
        "frozen": [os.path.join(bundle, "brigade-cli"), "--version"],
        "source": [os.path.join(BIN, "brigade-cli"), "--version"],
    }
    report("brigade-cli --version", timed_interleaved(runs, versions, env=env))
    gui = {
        "frozen": [os.path.join(bundle, "brigade"), "--smoke"],
        "source": [os.path.join(BIN, "brigade"), "--smoke"],
    }
    paints: dict[str, list[float]] = {who: [] for who in gui}
    for _ in range(runs):
        for who, command in gui.items():
            paints[who].append(first_paint(command, env))
    report("window first paint (brigade --smoke)", paints)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bundle", default=os.path.join(ROOT, "dist", "brigade"))
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    if not os.path.exists(os.path.join(args.bundle, "brigade-cli")):
        sys.exit(f"no frozen bundle at {args.bundle}: python packaging/build.py --bundle-only")
    # An existing corpus (e.g. made with make_corpus.py into $BRIGADE_BENCH_CORPUS) is used as it is.
    small = os.path.join(CORPUS, "small")
    if not os.path.exists(os.path.join(CORPUS, "small.manifest.json")):
        small = corpus("small")
    warm(small)
    ok = True
    with tempfile.TemporaryDirectory(prefix="brigade-bench-frozen-") as tmp:
        env = dict(installed_env(), HOME=tmp, XDG_CONFIG_HOME=os.path.join(tmp, "config"))
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        print(f"frozen {args.bundle} vs source {BIN}, {args.runs} rounds each, interleaved ({load()})")
        compare_start(args.bundle, args.runs, env)
        for name, folders in SIZES.items():
            paths = [os.path.join(small, f) for f in folders] if folders else [small]
            print(f"checksum, {name} files of 1 KiB, 2 workers")
            commands = {
                "frozen": run_cmd(os.path.join(args.bundle, "brigade-cli"), paths, os.path.join(tmp, "f.db")),
                "source": run_cmd(os.path.join(BIN, "brigade-cli"), paths, os.path.join(tmp, "s.db")),
            }
            ratio = report(name, timed_interleaved(args.runs, commands, env=env))
            ok &= ratio <= TARGET
            print(f"  target frozen <= {TARGET}x source: {verdict(ratio <= TARGET)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

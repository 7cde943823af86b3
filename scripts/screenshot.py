#!/usr/bin/env python3
"""Regenerate docs/screenshot.png: the main window in the middle of a batch.

    .venv/bin/python scripts/screenshot.py [--theme light|dark] [--out docs/screenshot.png]

It makes a small corpus in a temporary folder, runs a checksum batch (one
input vanishes after it was queued, so a failure shows with its reason) and
then a "Run a command" batch that is still running when the picture is
taken. Settings and history go to the temporary folder, never to the user's.
Runs offscreen when there is no display.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

NAMES = ["holiday", "scan", "invoice", "report", "IMG", "notes", "backup", "track", "draft", "photo"]


def make_corpus(folder: Path, count: int, seed: int = 7) -> list[Path]:
    """Files of a few KiB to a few MiB with everyday names, in two sub-folders."""
    rng = random.Random(seed)
    paths = []
    for i in range(count):
        sub = folder / ("2026 photos" if i % 3 else "documents")
        sub.mkdir(parents=True, exist_ok=True)
        ext = ".jpg" if i % 3 else ".pdf"
        p = sub / f"{rng.choice(NAMES)}_{i:04d}{ext}"
        p.write_bytes(rng.randbytes(rng.randint(4_000, 3_000_000)))
        paths.append(p)
    return paths


def wait_until(app, predicate: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not reach the expected state in time")
        app.processEvents()
        time.sleep(0.01)


def submit(window, job: str, params: dict, folder: Path) -> None:
    from core.discovery import discover
    from core.model import BatchSpec

    found = discover([str(folder)])
    window.submit(BatchSpec(job, params, found.paths, window.batch_options(), sizes=found.sizes))


def stage(app, window, work: Path) -> None:
    """Bring ``window`` to a mid-batch state worth a picture."""
    from core.model import TaskState

    sums = work / "to checksum"
    files = make_corpus(sums, 36)
    window.setup.add_paths([str(sums)])
    wait_until(app, lambda: window.setup.found.count == 36, 20)
    files[4].unlink()  # vanishes after it was queued: a failed task with a reason
    window.setup.start()
    wait_until(app, lambda: window.model.counts.finished >= 35, 60)
    cmd = work / "to compress"
    make_corpus(cmd, 10, seed=11)
    script = (
        "echo compressing {/}; sleep 1.2; "
        "case {/} in *_0004.jpg) echo 'unsupported colour profile' >&2; exit 3;; esac; "
        "gzip -c {} | wc -c"
    )
    submit(window, "command", {"command": script, "shell": True}, cmd)
    model = window.model
    wait_until(app, lambda: model.counts.by_state[TaskState.FAILED] >= 2, 60)
    wait_until(app, lambda: model.counts.by_state[TaskState.RUNNING] == 2, 30)
    failed = model.rows_in_states([TaskState.FAILED])
    window.view.scrollToBottom()
    window.view.select_task(model.task_id(failed[-1]))
    window._on_tick()
    app.processEvents()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--theme", choices=("light", "dark"), default="light")
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshot.png"))
    ap.add_argument("--size", default="1280x800", help="window size, WIDTHxHEIGHT")
    args = ap.parse_args(argv)
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="brigade-shot-") as tmp:
        work = Path(tmp)
        os.environ["BRIGADE_DB"] = str(work / "history.sqlite3")
        return shoot(work, args)


def shoot(work: Path, args: argparse.Namespace) -> int:
    from PySide6.QtCore import QSettings

    from gui_app.app import make_application
    from gui_app.main_window import CloseChoice, MainWindow
    from gui_app.settings import Settings
    from gui_app.theme import apply_theme

    app = make_application([])
    settings = Settings(QSettings(str(work / "brigade.ini"), QSettings.Format.IniFormat))
    settings.workers = 2
    settings.db_path = os.environ["BRIGADE_DB"]
    apply_theme(app, args.theme)
    window = MainWindow(settings)
    width, height = (int(v) for v in args.size.split("x"))
    window.resize(width, height)
    window.show()
    try:
        wait_until(app, lambda: window.engine_running, 20)
        stage(app, window, work)
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(out)):
            print(f"could not write {out}", file=sys.stderr)
            return 1
        print(f"wrote {out}")
    finally:
        window.close_choice = lambda: CloseChoice.CANCEL
        window.close()
        wait_until(app, lambda: window._can_close, 30)
        window.release()
    return 0


if __name__ == "__main__":
    sys.exit(main())

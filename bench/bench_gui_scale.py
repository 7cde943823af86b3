"""A 1,000,000-task batch in the window: memory and the longest stall while it is added.

    python bench/bench_gui_scale.py [--tasks 1000000] [--workers 2] [--cancel all|selected] [--code DIR]

The engine is paused first, so the batch is queued and shown but not run:
this measures the table, the bridge and the store's insert, not the jobs.
Then the view scrolls to the end, sorts by file name and filters by state
(each step's time runs until its rows are shown: a big table is arranged on
a worker thread), then every row is selected (Ctrl+A: the step runs until the
table and its headers have painted the selection) and its context menu is
built, as a right click on it does, and finally every task is
cancelled: by "Cancel all" (one event for the million queued tasks, through the
bridge, the table and the history) or, with ``--cancel selected``, by "Cancel
selected" over that selection. Targets: the whole app (window process and
workers) under 1 GiB RSS at its peak, the cancel under 2 s, and no stall over
200 ms at any step.

With ``--code DIR`` (another checkout, such as ``git archive <commit> | tar -x
-C DIR``) the window is that checkout's: run it beside this one for before and after.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

if "--code" in sys.argv[:-1]:  # the app (and these helpers) of another checkout, imported first
    sys.path.insert(0, os.path.abspath(sys.argv[sys.argv.index("--code") + 1]))
else:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.bench_gui_common import StallMeter, app_rss, close, open_window, wait_until
from bench.common import load, verdict

MiB = 1 << 20


def timed(
    app, window, meter: StallMeter, action, done, timeout: float, peak: list[int]
) -> tuple[float, float]:
    """Run ``action`` and wait for ``done``; return (seconds, longest stall)."""
    last = [0.0]

    def sample() -> None:
        now = time.monotonic()
        if now - last[0] > 0.2:
            last[0] = now
            peak[0] = max(peak[0], app_rss(window.bridge.engine.worker_pids))

    meter.start()
    t0 = time.monotonic()
    action()
    wait_until(app, done, timeout, step=sample)
    elapsed = time.monotonic() - t0
    meter.stop()
    return elapsed, meter.summary()[0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tasks", type=int, default=1_000_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--cancel", choices=("all", "selected"), default="all", help="how tasks are cancelled")
    ap.add_argument("--code", help="another checkout whose window is measured (read before the imports)")
    args = ap.parse_args()
    from PySide6.QtCore import Qt

    from core.model import BatchSpec, TaskState

    n = args.tasks
    app, window = open_window(args.workers)
    code = os.path.dirname(os.path.dirname(sys.modules["gui_app"].__file__ or ""))
    meter, peak = StallMeter(5), [0]
    model, view = window.model, window.view
    try:
        wait_until(app, lambda: window.monitor is not None, 30)
        before = app_rss(window.bridge.engine.worker_pids)
        # Distinct strings, as a real walk would give: their memory is part of the figure.
        paths = [f"/srv/archive/{i // 1000:04d}/scan_{i:07d}.tif" for i in range(n)]
        sizes = [4096] * n
        window.pause()
        spec = BatchSpec("bench.noop:Noop", {}, paths, window.batch_options(), sizes=sizes)
        add_s, add_stall = timed(
            app, window, meter, lambda: window.submit(spec), lambda: model.rowCount() == n, 600, peak
        )
        _, settle_stall = timed(app, window, meter, lambda: None, lambda: meter.summary()[2] > 400, 30, peak)
        after_add = app_rss(window.bridge.engine.worker_pids)
        peak[0] = max(peak[0], after_add)

        proxy, states = window.tasks.proxy, window.tasks.filter_bar.state_box

        def browse(step) -> tuple[float, float]:
            """Run a step; return (seconds until its rows show, longest stall: its own call or after)."""
            t0 = time.monotonic()
            step()  # blocks the event loop until it returns: its own length is a stall
            blocked = time.monotonic() - t0
            shown, stall = timed(app, window, meter, lambda: None, lambda: not proxy.arranging, 120, peak)
            return blocked + shown, max(blocked, stall)

        scroll = browse(view.scrollToBottom)
        ordered = browse(lambda: view.sortByColumn(0, Qt.SortOrder.DescendingOrder))
        first = proxy.index(0, 0).data()
        filtered = browse(lambda: states.setCurrentIndex(1))  # active tasks, still sorted
        browse_stall = max(scroll[1], ordered[1], filtered[1])
        window.tasks.filter_bar.state_box.setCurrentIndex(0)
        view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        painted = lambda: meter.summary()[2] > 40  # noqa: E731 - the loop ran freely after the paint
        select_s, select_stall = timed(app, window, meter, view.selectAll, painted, 600, peak)
        t0 = time.monotonic()
        view.build_menu()  # a right click on the selection: the menu is built as it opens
        menu_s = time.monotonic() - t0
        cancel = window.cancel_all if args.cancel == "all" else window.cancel_selected
        cancel_s, cancel_stall = timed(
            app,
            window,
            meter,
            cancel,
            lambda: model.counts.by_state[TaskState.CANCELLED] == n and window.bridge.backlog == 0,
            600,
            peak,
        )
        peak[0] = max(peak[0], app_rss(window.bridge.engine.worker_pids))
        # The history commits on its own thread: how long until it shows the cancel too.
        bid, t0 = model.batches[0].batch_id, time.monotonic()

        def recorded() -> bool:
            return window.store.batch(bid).counts.get(TaskState.CANCELLED, 0) == n

        wait_until(app, recorded, 60)
        history_s = cancel_s + time.monotonic() - t0
    finally:
        close(app, window)
    print(f"GUI scale, a {n:,}-task batch, {args.workers} workers, engine paused ({load()})")
    print(f"  code: {code}")
    print(
        f"  whole app RSS: {before / MiB:,.0f} MiB before, {after_add / MiB:,.0f} MiB with the batch, "
        f"peak {peak[0] / MiB:,.0f} MiB"
    )
    print(f"  add (submit to every row shown): {add_s:5.1f} s, longest stall {add_stall * 1000:6.1f} ms")
    print(f"  2 s after adding:                          longest stall {settle_stall * 1000:6.1f} ms")
    for what, (took, stall) in (
        ("scroll to the end:              ", scroll),
        ("sort by file name (rows shown): ", ordered),
        ("filter active, sorted (shown):  ", filtered),
    ):
        print(f"  {what} {took:5.1f} s, longest stall {stall * 1000:6.1f} ms")
    print(f"  first row sorted descending: {first}")
    print(
        f"  select all (painted):            {select_s:5.1f} s, longest stall {select_stall * 1000:6.1f} ms"
    )
    print(f"  context menu of the selection:   {menu_s * 1000:5.0f} ms")
    what = "cancel all (one bulk event):    " if args.cancel == "all" else "cancel selected (every row):    "
    print(
        f"  {what} {cancel_s:5.1f} s, longest stall {cancel_stall * 1000:6.1f} ms"
        f" (in the history after {history_s:.1f} s)"
    )
    stall = max(add_stall, settle_stall, browse_stall, select_stall, menu_s, cancel_stall)
    ok = peak[0] < 1024 * MiB and cancel_s < 2.0 and stall < 0.200
    print(f"  target: peak RSS < 1 GiB, cancel < 2 s, every stall < 200 ms: {verdict(ok)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

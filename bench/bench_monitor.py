"""Cost of the Monitor: the sampling thread at 1 sample/s, and the panel's redraw on the GUI thread.

Run: ``QT_QPA_PLATFORM=offscreen python bench/bench_monitor.py [--seconds 20] [--baseline DIR]``.
Four sleeping processes stand in for workers. Target: the sampler under 1 % of one core.

With ``--baseline DIR`` (another checkout, e.g. ``git archive <commit> | tar -x -C DIR``)
the panel's cost is measured for that code and for this one, in fresh processes
that take turns (A/B), so load from elsewhere on the machine falls on both; the
medians are compared. The panel's figure is the CPU time of the GUI thread per
sample: appending it, redrawing the four graphs and painting the panel.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 5
SAMPLES = 60  # per measurement, after a full window of them


def sleepers(count: int) -> list[subprocess.Popen[bytes]]:
    return [subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"]) for _ in range(count)]


def measure_sampler(seconds: float, pids: list[int]) -> float:
    """Print the sampling thread's cost; return its share of one core."""
    from core.monitor import Monitor

    mon = Monitor(1.0, lambda: pids)
    start = time.time()
    mon.start()
    time.sleep(seconds + 0.5)
    mon.stop()
    wall = time.time() - start
    share = mon.cpu_seconds / wall
    print(
        f"sampler: {mon.samples_taken} samples, {mon.cpu_seconds * 1e3:.1f} ms CPU in {wall:.1f} s "
        f"= {share:.3%} of a core (target < 1%)"
    )
    return share


def measure_panel(code: Path, pids: list[int]) -> float:
    """CPU seconds on the GUI thread per sample for the panel of the checkout at ``code``."""
    sys.path.insert(0, str(code))
    from PySide6.QtWidgets import QApplication

    from core.monitor import Monitor
    from gui_app.monitor_panel import MonitorPanel

    app = QApplication.instance() or QApplication([])
    mon = Monitor(1.0, lambda: pids)
    samples = [mon.sample() for _ in range(8)]  # taken once: the same input for every redraw
    panel = MonitorPanel(lambda: pids)
    panel.resize(1200, 700)
    panel.show()
    for i in range(panel.samples.maxlen or 120):
        panel.add_sample(samples[i % len(samples)])
    app.processEvents()
    cpu = time.process_time()
    for i in range(SAMPLES):
        panel.add_sample(samples[i % len(samples)])
        app.processEvents()  # the repaint the new sample asked for
    per = (time.process_time() - cpu) / SAMPLES
    panel.stop()
    return per


def panel_in_child(code: Path, pids: list[int]) -> float:
    out = subprocess.run(
        [sys.executable, __file__, "--panel-only", str(code), "--pids", json.dumps(pids)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    return float(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="how long the sampler runs")
    parser.add_argument("--baseline", type=Path, help="a checkout to compare the panel's cost with")
    parser.add_argument("--panel-only", type=Path, help=argparse.SUPPRESS)  # child of an A/B run
    parser.add_argument("--pids", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.panel_only:
        print(measure_panel(args.panel_only, json.loads(args.pids)))
        return 0
    procs = sleepers(4)
    pids = [p.pid for p in procs]
    try:
        sys.path.insert(0, str(ROOT))
        share = measure_sampler(args.seconds, pids)
        contenders = {"this": ROOT} if args.baseline is None else {"baseline": args.baseline, "this": ROOT}
        times: dict[str, list[float]] = {who: [] for who in contenders}
        for _ in range(ROUNDS):
            for who, code in contenders.items():
                times[who].append(panel_in_child(code, pids))
        for who, t in times.items():
            print(
                f"panel ({who}): median {statistics.median(t) * 1e3:.2f} ms, best {min(t) * 1e3:.2f} ms "
                f"CPU per sample on the GUI thread (4 workers, redraw and paint; {ROUNDS} runs)"
            )
        ok = share < 0.01
        if args.baseline is not None:
            ratio = statistics.median(times["this"]) / statistics.median(times["baseline"])
            print(f"panel this/baseline: {ratio:.2f}x (target <= 1.0x)")
            ok = ok and ratio <= 1.0
        return 0 if ok else 1
    finally:
        for p in procs:
            p.kill()
            p.wait()


if __name__ == "__main__":
    sys.exit(main())

"""Cost of the Monitor: the sampling thread at 1 sample/s, and the panel's redraw on the GUI thread.

Run: ``QT_QPA_PLATFORM=offscreen python bench/bench_monitor.py [seconds]``. Four sleeping
processes stand in for workers. Target: the sampler under 1 % of one core.
"""

from __future__ import annotations

import subprocess
import sys
import time


def main() -> int:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 20.0
    from PySide6.QtWidgets import QApplication

    from core.monitor import Monitor
    from gui_app.monitor_panel import MonitorPanel

    app = QApplication([])
    procs = [subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"]) for _ in range(4)]
    pids = [p.pid for p in procs]
    try:
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
        panel = MonitorPanel(lambda: pids)
        panel.resize(1200, 700)
        panel.show()
        for _ in range(panel.samples.maxlen or 120):
            panel.add_sample(mon.sample())
        app.processEvents()
        n, cpu = 30, time.process_time()
        for _ in range(n):
            panel.add_sample(mon.sample())
            app.processEvents()
        per = (time.process_time() - cpu) / n
        print(f"panel: {per * 1e3:.1f} ms CPU per sample on the GUI thread (4 workers, redraw)")
        return 0 if share < 0.01 else 1
    finally:
        for p in procs:
            p.kill()
            p.wait()


if __name__ == "__main__":
    sys.exit(main())

"""The psutil monitor: samples, worker pids coming and going, its thread and its own cost."""

import subprocess
import sys
import threading

import psutil
import pytest

from core.monitor import Monitor, Sample

pytestmark = pytest.mark.timeout(60)

SLEEPER = "import time; time.sleep(60)"
SPINNER = "import time\nend = time.time() + 60\nwhile time.time() < end: pass"


@pytest.fixture
def procs():
    started: list[subprocess.Popen] = []

    def spawn(code: str) -> subprocess.Popen:
        p = subprocess.Popen([sys.executable, "-c", code])
        started.append(p)
        return p

    yield spawn
    for p in started:
        p.kill()
        p.wait(10)


class Collector:
    """Keeps samples from the monitor thread and wakes the test when a condition holds."""

    def __init__(self) -> None:
        self.samples: list[Sample] = []
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)

    def __call__(self, sample: Sample) -> None:
        with self.cond:
            self.samples.append(sample)
            self.cond.notify_all()

    def wait_for(self, pred, timeout: float = 20.0) -> Sample:
        with self.cond:
            ok = self.cond.wait_for(lambda: bool(self.samples) and pred(self.samples[-1]), timeout)
            assert ok, "the monitor never produced a matching sample"
            return self.samples[-1]


def test_a_sample_describes_every_core_and_the_memory():
    mon = Monitor()
    mon.sample()
    s = mon.sample()
    assert len(s.cpu_per_core) == psutil.cpu_count()
    assert all(0.0 <= c <= 100.0 for c in s.cpu_per_core)
    assert s.cpu_total == pytest.approx(sum(s.cpu_per_core) / len(s.cpu_per_core))
    assert 0 < s.memory_used <= s.memory_total
    assert s.workers == ()


def test_workers_are_sampled_and_vanished_ones_dropped(procs):
    spinner, sleeper = procs(SPINNER), procs(SLEEPER)
    pids = [spinner.pid, sleeper.pid, 2**22 + 12345]  # the last one does not exist
    got = Collector()
    mon = Monitor(interval=0.2, pids=lambda: list(pids), on_sample=got)
    mon.start()
    try:
        # The spinner's second sample onwards shows it using most of a core.
        s = got.wait_for(lambda s: any(w.pid == spinner.pid and w.cpu_percent > 40 for w in s.workers))
        by_pid = {w.pid: w for w in s.workers}
        assert set(by_pid) == {spinner.pid, sleeper.pid}
        assert by_pid[sleeper.pid].cpu_percent < 20
        assert all(w.rss > 1_000_000 for w in s.workers)

        sleeper.kill()
        sleeper.wait(10)
        got.wait_for(lambda s: [w.pid for w in s.workers] == [spinner.pid])
        pids.remove(sleeper.pid)
        got.wait_for(lambda s: [w.pid for w in s.workers] == [spinner.pid])
        assert sleeper.pid not in mon._procs
    finally:
        mon.stop()


def test_stop_joins_the_thread_and_a_failing_callback_does_not_end_it():
    calls = threading.Event()
    count = [0]

    def bad(sample: Sample) -> None:
        count[0] += 1
        if count[0] >= 3:
            calls.set()
        raise RuntimeError("listener bug")

    mon = Monitor(interval=0.05, on_sample=bad)
    mon.start()
    assert calls.wait(10), "the thread died after the first failing callback"
    mon.stop()
    assert not mon.running
    assert not any(t.name == "brigade-monitor" for t in threading.enumerate())


def test_its_own_cpu_cost_is_under_one_percent_of_a_core_at_one_sample_a_second(procs):
    workers = [procs(SLEEPER) for _ in range(4)]
    pids = [p.pid for p in workers]
    got = Collector()
    # Sample fast to measure the cost of one sample quickly; at 1 sample/s the cost
    # is the CPU time of one sample per second of wall time.
    mon = Monitor(interval=0.02, pids=lambda: pids, on_sample=got)
    mon.start()
    try:
        got.wait_for(lambda s: len(got.samples) >= 100 and len(s.workers) == 4)
    finally:
        mon.stop()
    per_sample = mon.cpu_seconds / mon.samples_taken
    share_at_1hz = per_sample / 1.0
    print(f"monitor: {per_sample * 1e3:.2f} ms CPU a sample, 4 workers: {share_at_1hz:.3%} of a core at 1/s")
    assert share_at_1hz < 0.01


def test_a_worker_counts_the_cpu_of_the_programs_it_started(procs):
    # A sleeping parent whose child spins, as a command job's worker waits for its program.
    parent = procs(f"import subprocess, sys; subprocess.run([sys.executable, '-c', {SPINNER!r}])")
    mon = Monitor(interval=0.5, pids=lambda: [parent.pid])
    collect = Collector()
    mon._on_sample = collect
    mon.start()
    try:
        # The spinning child gets what a loaded machine leaves it; the parent alone shows ~0.
        sample = collect.wait_for(lambda s: bool(s.workers) and s.workers[0].cpu_percent > 5)
    finally:
        mon.stop()
    assert sample.workers[0].pid == parent.pid
    assert psutil.Process(parent.pid).cpu_percent(0.5) < 2

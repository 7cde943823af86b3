"""What ``brigade-cli run`` prints while a batch runs, fed real engine events."""

from __future__ import annotations

import io

from core.cli.progress import PIPE_SECONDS, Printer
from core.events import BatchAccepted, TaskFinished, TasksCancelled
from core.model import BatchSpec, TaskState


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _printer(total: int) -> tuple[Printer, io.StringIO, io.StringIO, Clock]:
    out, err = io.StringIO(), io.StringIO()  # not a terminal
    paths = [f"f{i}" for i in range(total)]
    printer = Printer(paths, None, out=out, err=err)
    clock = printer.clock = Clock()
    printer.started = clock.now
    printer([BatchAccepted(1, BatchSpec("checksum", {}, paths), range(1, total + 1))])
    return printer, out, err, clock


def _finish(printer: Printer, task_ids) -> None:
    done = [TaskFinished(t, 1, TaskState.DONE, {"digest": "ab"}, None, 0.0, 0.0, 1, 0) for t in task_ids]
    printer(done)


def test_the_summary_counts_skipped_inputs_by_kind_in_the_plural():
    walk = ["a FIFO (named pipe): never opened"] * 3 + ["a symlink loop"] * 2 + ["a socket: never opened"]
    walk += ["unreadable: permission denied"] * 2
    printer, _, _, _ = _printer(len(walk) + 1)
    # As the engine ends what the walk could not use (``BatchSpec.with_skipped``): skipped, with why.
    printer(
        [
            TaskFinished(t, 0, TaskState.SKIPPED, {"reason": why}, None, 0.0, 0.0, 0, 0)
            for t, why in enumerate(walk, start=1)
        ]
    )
    _finish(printer, [len(walk) + 1])
    printer.drain()
    summary = printer.summary(0.5, False)
    assert "9 tasks: 1 done, 8 skipped (3 FIFOs, 2 symlink loops, 2 unreadable, 1 socket)" in summary, summary


def test_without_a_terminal_progress_is_a_line_every_10_s_or_10_percent():
    printer, _, err, clock = _printer(1000)
    for second in range(30):  # a tick every half second, a few tasks each: 60 ticks, 3% done
        clock.now += 0.5
        _finish(printer, [second + 1])
        printer.tick()
    assert len(err.getvalue().splitlines()) == int(30 * 0.5 // PIPE_SECONDS)
    _finish(printer, range(100, 220))  # 12% at once
    clock.now += 0.5
    printer.tick()
    assert len(err.getvalue().splitlines()) == 2
    assert "150/1000" in err.getvalue().splitlines()[-1]


def test_done_tasks_print_their_result_line_on_stdout_and_nothing_else():
    printer, out, err, _ = _printer(3)
    _finish(printer, [1, 2, 3])
    printer.drain()
    assert out.getvalue() == "f0\tdigest=ab\nf1\tdigest=ab\nf2\tdigest=ab\n"
    assert err.getvalue() == ""


def test_the_summary_counts_one_task_in_the_singular():
    one, _, _, _ = _printer(1)
    _finish(one, [1])
    assert one.summary(0.5, False).startswith("finished: 1 task: 1 done")
    two, _, _, _ = _printer(2)
    _finish(two, [1, 2])
    assert two.summary(0.5, False).startswith("finished: 2 tasks: 2 done")


def test_the_summary_rate_of_a_slow_batch_is_not_rounded_to_nothing():
    one, _, _, _ = _printer(1)
    _finish(one, [1])
    assert one.summary(4.0, False).endswith("in 4.00 s (0.2 files/s)")
    many, _, _, _ = _printer(3000)
    _finish(many, list(range(1, 3001)))
    assert many.summary(1.0, False).endswith("(3,000 files/s)")


def test_queued_tasks_cancelled_at_once_count_as_cancelled():
    printer = _printer(1000)[0]
    _finish(printer, range(1, 11))
    printer([TasksCancelled(1, (range(11, 1001),), 0.0)])
    assert printer.counts[TaskState.CANCELLED] == 990 and printer.counts[TaskState.DONE] == 10
    assert printer.bad() == 990  # each counts against the run: its exit code says so

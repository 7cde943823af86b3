"""Inject real faults into real worker processes: only the faulty task fails."""

from __future__ import annotations

import logging
import signal

import pytest

from core.engine import Engine, EngineConfig
from core.model import BatchOptions, BatchSpec, FailureKind, TaskState
from tests.engine.conftest import assert_only_bad_failed, make_files, run_faulty
from tests.engine.faulty import EFFECTS_REF


@pytest.mark.parametrize(
    ("mode", "signum", "code"),
    [("sigkill", signal.SIGKILL, None), ("segfault", signal.SIGSEGV, None), ("exit", None, 3)],
)
def test_a_dying_worker_fails_only_its_task_and_is_replaced(start_method, corpus, mode, signum, code):
    collector, by_path, result, pids_after = run_faulty(start_method, corpus, mode)
    bad = assert_only_bad_failed(by_path)
    assert bad.failure.kind is FailureKind.EXIT
    if signum is not None:
        assert bad.failure.signal == signum
        assert signal.Signals(signum).name in bad.failure.message
    else:
        assert bad.failure.exit_code == code
        assert f"code {code}" in bad.failure.message
    # Detected from the process sentinel, not a poll: well within 2 s of the start.
    started = collector.started.get(bad.task_id)
    if started is not None:
        assert bad.ended - started.time < 2.0
    exits = [e for e in collector.worker_events() if e.exitcode is not None]
    assert any(e.exitcode != 0 for e in exits)
    assert len(pids_after) == 2  # the pool is back at full size
    assert result.counts[TaskState.DONE] == len(corpus) - 1


@pytest.mark.parametrize(
    ("mode", "exc_type", "text"),
    [
        ("raise", "builtins.ValueError", "boom"),
        ("systemexit", "builtins.SystemExit", "5"),
        ("keyboardinterrupt", "builtins.KeyboardInterrupt", "KeyboardInterrupt"),
        ("memory", "builtins.MemoryError", "MemoryError"),
    ],
)
def test_an_exception_fails_only_its_task_with_type_and_traceback(start_method, corpus, mode, exc_type, text):
    _, by_path, _, pids_after = run_faulty(start_method, corpus, mode)
    bad = assert_only_bad_failed(by_path)
    assert bad.failure.kind is FailureKind.ERROR
    assert bad.failure.exc_type == exc_type
    assert text in bad.failure.message
    assert "Traceback" in bad.failure.traceback
    # It starts at the job's frame: the worker's own frames say nothing to the job's author.
    assert "faulty.py" in bad.failure.traceback
    assert "core/engine/worker.py" not in bad.failure.traceback.replace("\\", "/")
    assert len(pids_after) == 2


@pytest.mark.parametrize(
    ("mode", "exc_type", "text"),
    [
        ("weird", "tests.engine.faulty.WeirdError", "unprintable"),  # the job's own error class
        ("oserror", "builtins.NotADirectoryError", "Not a directory"),  # about its input
    ],
)
def test_an_expected_failure_is_one_line_without_a_traceback(start_method, corpus, mode, exc_type, text):
    _, by_path, _, _ = run_faulty(start_method, corpus, mode)
    bad = assert_only_bad_failed(by_path)
    assert bad.failure.exc_type == exc_type
    assert text in bad.failure.message and "\n" not in bad.failure.message
    assert bad.failure.traceback is None


@pytest.mark.parametrize(
    ("level", "kept"), [(None, ["library warning", "job detail"]), (logging.DEBUG, None)]
)
def test_other_libraries_log_from_warning_up_unless_asked(start_method, corpus, level, kept):
    config = EngineConfig(workers=1, start_method=start_method, **({"log_level": level} if level else {}))
    collector, by_path, _, _ = run_faulty(start_method, corpus, "chatty", config=config)
    bad = next(ev for p, ev in by_path.items() if p.endswith("bad.txt"))
    lines = [e.text for e in collector.logs(bad.task_id)]
    assert lines == (kept or ["library detail", "library warning", "job detail"])


def test_an_unpicklable_result_becomes_a_clean_failure(start_method, corpus):
    _, by_path, _, _ = run_faulty(start_method, corpus, "unpicklable")
    bad = assert_only_bad_failed(by_path)
    assert bad.failure.exc_type == "builtins.TypeError"
    assert "result['lock']" in bad.failure.message
    assert "cannot be sent back" in bad.failure.message


def test_a_task_past_its_timeout_is_terminated_and_marked_timeout(start_method, corpus):
    options = BatchOptions(timeout=0.5)
    _, by_path, _, pids_after = run_faulty(start_method, corpus, "sleep", seconds=60.0, options=options)
    bad = assert_only_bad_failed(by_path)
    assert bad.failure.kind is FailureKind.TIMEOUT
    assert "0.5 s" in bad.failure.message
    assert len(pids_after) == 2


def test_a_task_that_ignores_term_is_killed_after_the_grace_period(start_method, corpus):
    config = EngineConfig(workers=2, start_method=start_method, kill_grace=0.5)
    options = BatchOptions(timeout=0.3)
    _, by_path, _, _ = run_faulty(start_method, corpus, "hang", config=config, options=options)
    bad = assert_only_bad_failed(by_path)
    assert bad.failure.kind is FailureKind.TIMEOUT


def test_retryable_failures_are_retried_up_to_the_limit(start_method, corpus, tmp_path):
    counter = tmp_path / "count"
    counter.mkdir()
    options = BatchOptions(retries=2)
    _, by_path, _, _ = run_faulty(start_method, corpus, "retryable", counter=str(counter), options=options)
    bad = assert_only_bad_failed(by_path, state=TaskState.DONE)
    assert bad.attempt == 2
    runs = (counter / "runs.log").read_text().split()
    assert runs.count("bad.txt") == 2
    assert all(runs.count(name) == 1 for name in set(runs) - {"bad.txt"})


def test_a_task_that_always_fails_retryably_runs_exactly_retries_plus_one_times(
    start_method, corpus, tmp_path
):
    options = BatchOptions(retries=2)
    _, by_path, _, _ = run_faulty(
        start_method, corpus, "always-retryable", counter=str(tmp_path), options=options
    )
    bad = assert_only_bad_failed(by_path)
    assert bad.failure.retryable and bad.attempt == 3
    runs = (tmp_path / "runs.log").read_text().splitlines()
    assert runs.count("bad.txt") == 3


def test_a_task_that_kills_its_worker_repeatedly_is_poison(start_method, corpus):
    options = BatchOptions(retries=5, poison_after=2)
    _, by_path, _, _ = run_faulty(start_method, corpus, "sigkill", options=options)
    bad = assert_only_bad_failed(by_path)
    assert bad.failure.poison
    assert bad.attempt == 2  # killed its worker twice, then not run again
    assert "poison" in bad.failure.describe()


def test_a_killed_worker_reruns_only_its_running_task_when_the_job_has_side_effects(start_method, tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    names = [f"f{i:02d}.txt" for i in range(40)]
    paths = make_files(inputs, names)
    spec = BatchSpec(EFFECTS_REF, {"mode": "sigkill", "target": "f30.txt", "counter": str(tmp_path)}, paths)
    with Engine(EngineConfig(workers=1, start_method=start_method)) as engine:
        result = engine.submit(spec).wait(60)
    assert result is not None
    assert result.counts[TaskState.DONE] == 39 and result.counts[TaskState.FAILED] == 1
    runs = (tmp_path / "runs.log").read_text().splitlines()
    assert sorted(runs) == names, "a task the killed worker had finished ran again"

"""Watch rules on one engine: the file observer, the rules' threads, the engine listener feeding them."""

from __future__ import annotations

import time

from watchdog.observers import Observer

from core.backend import Backend
from core.events import BatchAccepted, BatchFinished, Event, TaskFinished, TasksCancelled, TaskStarted
from core.model import TaskState
from core.watch.events import WatchListener
from core.watch.outputs import Expected
from core.watch.rule import WatchRule
from core.watch.runner import RuleRunner


class WatchService:
    """Runs watch rules: each on its own thread, all submitting to ``engine``.

    Parameters
    ----------
    engine
        Where the tasks run; a batch of a rule carries ``{"watch": name}`` in
        its ``extra``, so history shows which rule queued it.
    db_path
        The history database; the rules keep their progress in it.
    listener
        Called with every ``WatchEvent``, on the thread of the rule it is about.
    forget_batches
        Drop a rule's batch from the engine's bookkeeping once it ended, so a
        service that runs for months does not grow (the CLI does; the desktop
        app keeps them, for retries from its table).
    """

    def __init__(
        self,
        engine: Backend,
        db_path: str,
        listener: WatchListener | None = None,
        *,
        forget_batches: bool = True,
    ) -> None:
        self._engine = engine
        self._db_path = db_path
        self._listener = listener
        self._forget = forget_batches
        self._observer = Observer()
        self._runners: dict[str, RuleRunner] = {}
        self._expected = Expected()  # the planned outputs of every rule's queued tasks
        self._started = False
        # Engine-thread state: which rule each task and batch in the engine is for.
        self._tasks: dict[int, RuleRunner] = {}
        self._batches: dict[int, RuleRunner] = {}

    @property
    def rules(self) -> list[WatchRule]:
        return [r.rule for r in self._runners.values()]

    def add(self, rule: WatchRule, *, enabled: bool = True, **limits: int) -> RuleRunner:
        """Run ``rule`` (its name must be new); ``limits`` are ``RuleRunner``'s."""
        if rule.name in self._runners:
            raise ValueError(f"a rule named {rule.name!r} is already watched")
        runner = RuleRunner(
            rule,
            self._engine,
            self._db_path,
            self._observer,
            self._listener,
            enabled=enabled,
            expected=self._expected,
            **limits,
        )
        self._runners[rule.name] = runner
        if self._started:
            runner.start()
        return runner

    def remove(self, name: str, timeout: float = 10.0) -> None:
        """Stop running rule ``name``; the ends of its tasks still in the engine are not noted.

        Their files count as unfinished: the rule, if added again, runs them again.
        """
        runner = self._runners.pop(name)
        runner.set_enabled(False)
        runner.close(timeout)

    def runner(self, name: str) -> RuleRunner:
        return self._runners[name]

    def set_enabled(self, name: str, on: bool) -> None:
        self._runners[name].set_enabled(on)

    def start(self) -> WatchService:
        """Start observing and every rule's thread; return self."""
        self._engine.add_listener(self._on_engine_events)
        self._observer.start()
        self._started = True
        for runner in self._runners.values():
            runner.start()
        return self

    def stop_intake(self, timeout: float = 10.0) -> None:
        """Queue nothing more; tasks not started yet are withdrawn (the next start runs them).

        Returns once every rule asked the engine to withdraw them (stop the engine after),
        or after ``timeout`` seconds in all.
        """
        deadline = time.monotonic() + timeout
        for runner in self._runners.values():
            runner.stop_intake(max(0.0, deadline - time.monotonic()))

    def close(self, timeout: float = 30.0) -> bool:
        """End the rules' threads once what they know is written; return whether all ended in time.

        Call it after the engine stopped, so the ends of the last tasks are kept.
        """
        ended = all([runner.close(timeout) for runner in self._runners.values()])
        if self._started:
            self._observer.stop()
            self._observer.join(timeout)
            self._engine.remove_listener(self._on_engine_events)
        return ended

    def _on_engine_events(self, events: list[Event]) -> None:
        """Route the starts and ends of the rules' tasks to their rules (engine thread: returns at once)."""
        for ev in events:
            if isinstance(ev, TaskFinished):
                runner = self._tasks.pop(ev.task_id, None)
                if runner is not None:
                    failure = ev.failure.describe() if ev.failure else None
                    runner.post("ended", ev.task_id, ev.state.label, ev.outputs, failure)
            elif isinstance(ev, TasksCancelled):
                for tid in ev.task_ids():
                    runner = self._tasks.pop(tid, None)
                    if runner is not None:
                        runner.post("ended", tid, TaskState.CANCELLED.label, (), None)
            elif isinstance(ev, TaskStarted):
                runner = self._tasks.get(ev.task_id)
                if runner is not None:
                    runner.post("started", ev.task_id)
            elif isinstance(ev, BatchAccepted):
                self._accepted(ev)
            elif isinstance(ev, BatchFinished):
                ours = self._batches.pop(ev.batch_id, None) is not None
                if ours and self._forget:
                    self._engine.forget(ev.batch_id)

    def _accepted(self, ev: BatchAccepted) -> None:
        runner = self._runners.get(ev.spec.extra.get("watch", ""))
        if runner is not None:
            self._batches[ev.batch_id] = runner
            for tid in ev.task_ids:
                self._tasks[tid] = runner

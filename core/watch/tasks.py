"""A rule's files in the engine: queued as batches, noted in the ledger, and their inputs disposed of.

Runs on the rule's thread. The engine's starts and ends of the rule's tasks
reach it as messages (``RuleRunner.post``); each end is noted in the ledger,
and the input is kept, moved or deleted as the rule says.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Callable, Sequence

from core.backend import Backend
from core.model import BatchSpec
from core.watch.dispose import move_below
from core.watch.events import FileEnded, FilesQueued, WatchEvent
from core.watch.ledger import Ledger, Stamp
from core.watch.outputs import Expected, planned_outputs
from core.watch.rule import OnDone, WatchRule
from core.watch.settle import digest_of, stamp_of

log = logging.getLogger("brigade.watch")

ACCEPT_TIMEOUT = 60.0


class RuleTasks:
    """The rule's tasks in the engine: which file each is, which started, which were withdrawn.

    ``expected`` holds the planned outputs of every rule's queued tasks (shared
    by the rules of one service); ``emit`` sends ``FilesQueued`` and
    ``FileEnded`` to the rule's listener.
    """

    def __init__(
        self, rule: WatchRule, engine: Backend, expected: Expected, emit: Callable[[WatchEvent], None]
    ) -> None:
        self.rule = rule
        self._engine = engine
        self._expected = expected
        self._emit = emit
        self.in_engine: dict[int, str] = {}  # task id -> input path
        self._queued: dict[str, int] = {}  # input path -> task id
        self._started: set[int] = set()
        self._withdrawn: set[int] = set()
        self.counts: Counter[str] = Counter()  # tasks ended, by state

    def __len__(self) -> int:
        return len(self.in_engine)

    def __contains__(self, path: str) -> bool:
        """Whether a task of ``path`` is queued or running."""
        return path in self._queued

    def started(self, tid: int) -> None:
        self._started.add(tid)

    def queue(self, take: Sequence[tuple[str, Stamp]], ledger: Ledger) -> None:
        """Submit one batch of these files and note them as queued."""
        rule = self.rule
        paths = [path for path, _ in take]
        if rule.digest:
            take = [(p, s if s.digest else Stamp(s.size, s.mtime_ns, digest_of(p))) for p, s in take]
        spec = BatchSpec(
            rule.job,
            rule.params,
            paths,
            sizes=[s.size for _, s in take],
            output=rule.output,
            extra={"watch": rule.name},
            mtimes=[s.mtime_ns / 1e9 for _, s in take],
        )
        # Planned before the submit: a task may write its output before the batch is accepted here.
        self._expected.add(rule.name, planned_outputs(rule, paths))
        try:
            handle = self._engine.submit(spec)
            batch_id = handle.wait_accepted(ACCEPT_TIMEOUT)
        except BaseException:
            for path in paths:
                self._expected.ended(rule.name, path)
            raise
        ids = tuple(handle.task_ids)
        for path, tid in zip(paths, ids, strict=True):
            self.in_engine[tid] = path
            self._queued[path] = tid
        ledger.queued(rule.name, [(p, s, batch_id, t) for (p, s), t in zip(take, ids, strict=True)])
        ledger.commit()
        self._emit(FilesQueued(rule.name, batch_id, tuple(paths), ids))

    def withdraw_unstarted(self) -> None:
        """Ask the engine to cancel the tasks not started yet: they run at the next start."""
        unstarted = [tid for tid in self.in_engine if tid not in self._started]
        self._withdrawn.update(unstarted)
        if unstarted:
            self._engine.cancel(unstarted)

    def ended(
        self, tid: int, state: str, outputs: tuple[str, ...], error: str | None, ledger: Ledger
    ) -> None:
        """Note the end of task ``tid`` (if it is the rule's) and dispose of its input."""
        path = self.in_engine.pop(tid, None)
        if path is None:
            return
        del self._queued[path]
        self._started.discard(tid)
        self._expected.ended(self.rule.name, path)
        written = [(out, s) for out in outputs if (s := stamp_of(out)) is not None]
        ledger.outputs(written)
        withdrawn = tid in self._withdrawn
        self._withdrawn.discard(tid)
        if withdrawn and state == "cancelled":
            # Withdrawn by a stop before it ran: it counts as never seen. (One that ended
            # before the withdrawal reached it keeps its ending.)
            ledger.forget(self.rule.name, path)
            return
        ledger.ended(self.rule.name, path, state)
        self.counts[state] += 1
        moved, problem = self._dispose(path, state)
        self._emit(FileEnded(self.rule.name, path, tid, state, moved, problem or error))

    def _dispose(self, path: str, state: str) -> tuple[str | None, str | None]:
        rule = self.rule
        try:
            if state == "done" and rule.on_done is OnDone.MOVE and rule.done_folder:
                return move_below(path, rule.folder, rule.done_folder), None
            if state == "done" and rule.on_done is OnDone.DELETE and rule.confirm_delete:
                os.remove(path)
            elif state == "failed" and rule.failed_folder:
                return move_below(path, rule.folder, rule.failed_folder), None
        except OSError as exc:
            log.warning("watch rule %r: %s: %s", rule.name, path, exc)
            return None, f"could not move or delete the input: {exc}"
        return None, None

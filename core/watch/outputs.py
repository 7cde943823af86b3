"""Where a rule's tasks will write, known before they run: such files are never inputs.

A task's output may land in the watched folder (an output policy without a
sub-folder) a moment before the engine reports the task's end. Knowing the
planned output of every queued input closes that gap: a file that settles
at a planned place waits until the task that writes it has ended, and the
end then marks it as an output.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence

from core.output import resolve
from core.registry import processor_class
from core.watch.rule import WatchRule


def planned_outputs(rule: WatchRule, paths: Sequence[str]) -> Iterator[tuple[str, str]]:
    """Yield ``(input, planned output)`` for the inputs of a batch of ``rule``."""
    policy = rule.policy()
    if policy is None:
        return
    cls = processor_class(rule.job)
    for index, path in enumerate(paths):
        name = cls.output_name(os.path.basename(path), rule.params)
        if name is None:
            continue
        yield path, resolve(policy, path, rule.job, index, name).path


class Expected:
    """Planned outputs of the tasks in the engine, by output path, for every rule of a service.

    Shared by the rules' threads: one rule's output may land in another rule's folder.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._writers: dict[str, int] = {}
        self._outputs: dict[tuple[str, str], list[str]] = {}

    def __contains__(self, path: str) -> bool:
        with self._lock:
            return path in self._writers

    def add(self, rule: str, pairs: Iterator[tuple[str, str]]) -> None:
        """Note the planned ``(input, output)`` pairs of tasks ``rule`` queued."""
        with self._lock:
            for source, target in pairs:
                self._writers[target] = self._writers.get(target, 0) + 1
                self._outputs.setdefault((rule, source), []).append(target)

    def ended(self, rule: str, source: str) -> None:
        """The task of ``source`` ended: what it wrote is known from its end."""
        with self._lock:
            for target in self._outputs.pop((rule, source), ()):
                left = self._writers.pop(target) - 1
                if left:
                    self._writers[target] = left

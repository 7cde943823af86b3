"""Where a rule's tasks will write, known before they run: such files are never inputs.

A task's output may land in the watched folder (an output policy without a
sub-folder) a moment before the engine reports the task's end. Knowing the
planned output of every queued input closes that gap: a file that settles
at a planned place waits until the task that writes it has ended, and the
end then marks it as an output.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

from core.output import resolve
from core.registry import processor_class
from core.watch.ignore import PathFilter
from core.watch.rule import WatchRule


def planned_outputs(rule: WatchRule, wanted: PathFilter, paths: Sequence[str]) -> Iterator[tuple[str, str]]:
    """Yield ``(input, output)`` for the inputs whose planned output the rule would take as input."""
    policy = rule.policy()
    if policy is None:
        return
    cls = processor_class(rule.job)
    for index, path in enumerate(paths):
        name = cls.output_name(os.path.basename(path), rule.params)
        if name is None:
            continue
        target = resolve(policy, path, rule.job, index, name).path
        if wanted.wants_file(target):
            yield path, target


class Expected:
    """Planned outputs of the tasks in the engine, by output path."""

    def __init__(self) -> None:
        self._writer: dict[str, str] = {}
        self._outputs: dict[str, list[str]] = {}

    def __contains__(self, path: str) -> bool:
        return path in self._writer

    def add(self, pairs: Iterator[tuple[str, str]]) -> None:
        for source, target in pairs:
            self._writer[target] = source
            self._outputs.setdefault(source, []).append(target)

    def ended(self, source: str) -> None:
        """The task of ``source`` ended: what it wrote is known from its end."""
        for target in self._outputs.pop(source, ()):
            self._writer.pop(target, None)

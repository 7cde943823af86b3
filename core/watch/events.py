"""What a watch rule tells its listeners: its state, the files it queued, how each ended.

Listeners are called on the rule's own thread (``brigade-watch``), one event
at a time; they must return quickly. The desktop app hops to its GUI thread
with a queued signal.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


class RuleState(enum.StrEnum):
    """What a rule is doing."""

    STARTING = "starting"
    WATCHING = "watching"
    PAUSED = "paused"  # its folder is missing; it resumes when the folder is back
    OFF = "off"  # switched off
    FAILED = "failed"  # cannot run (its progress cannot be kept)
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class RuleStatus:
    """A rule's state and counts.

    ``pending`` files wait to settle, ``queued`` ones are in the engine;
    ``counts`` are the rule's inputs by how their task ended, in all its runs.
    """

    rule: str
    state: RuleState
    reason: str = ""
    pending: int = 0
    queued: int = 0
    counts: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FilesQueued:
    """Settled files were handed to the engine as one batch."""

    rule: str
    batch_id: int
    paths: tuple[str, ...]
    task_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class FileEnded:
    """The task of an input ended; ``moved_to`` is where the input went (done or failed folder)."""

    rule: str
    path: str
    task_id: int
    state: str
    moved_to: str | None = None
    error: str | None = None


WatchEvent = RuleStatus | FilesQueued | FileEnded
WatchListener = Callable[[WatchEvent], None]

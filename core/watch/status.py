"""A rule's reports to its listener: every event, and its status only when it changed.

Runs on the rule's thread. A status that only updates counts is sent at most
every ``STATUS_EVERY`` seconds; a change of state is sent at once.
"""

from __future__ import annotations

import logging

from core.watch.events import RuleStatus, WatchEvent, WatchListener

log = logging.getLogger("brigade.watch")

STATUS_EVERY = 0.25  # seconds between two status reports that only update counts


class Reporter:
    """Sends a rule's events to its listener (or nowhere); a listener's error is logged, not raised."""

    def __init__(self, listener: WatchListener | None) -> None:
        self._listener = listener
        self._sent: RuleStatus | None = None
        self._sent_at = 0.0

    def status(self, status: RuleStatus, now: float, force: bool = False) -> None:
        """Send ``status`` if it changed: at once for a new state or when ``force``, else paced."""
        if status == self._sent:
            return
        same_state = self._sent is not None and self._sent.state is status.state
        if same_state and not force and now - self._sent_at < STATUS_EVERY:
            return
        self._sent, self._sent_at = status, now
        self.emit(status)

    def emit(self, event: WatchEvent) -> None:
        if self._listener is None:
            return
        try:
            self._listener(event)
        except Exception:
            log.exception("watch listener failed")

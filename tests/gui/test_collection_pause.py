"""The collector is held off during a flood of events, and always comes back."""

from __future__ import annotations

import gc

from gui_app import collection_pause
from gui_app.collection_pause import FLOOD, CollectionPause


def test_a_flood_holds_collections_until_it_is_drained():
    pause, done = CollectionPause(), [False]
    try:
        pause.hold(FLOOD - 1, lambda: True)
        assert gc.isenabled() and not pause.held  # a small command changes nothing
        pause.hold(FLOOD, lambda: done[0])
        assert not gc.isenabled()
        pause.check(backlog=0)
        assert not gc.isenabled()  # not done yet
        done[0] = True
        pause.check(backlog=10)
        assert not gc.isenabled()  # events still queued
        pause.check(backlog=0)
        assert gc.isenabled() and not pause.held
    finally:
        pause.release()


def test_the_collector_comes_back_after_a_while_whatever_happens(monkeypatch):
    pause = CollectionPause()
    try:
        pause.hold(FLOOD, lambda: False)
        monkeypatch.setattr(collection_pause, "MAX_SECONDS", 0.0)
        pause.check(backlog=5)
        assert gc.isenabled()
    finally:
        pause.release()

"""The watched folder going away and coming back, and where inputs go once their task ended."""

from __future__ import annotations

import gzip
import os
import shutil

from core.watch import RuleState
from tests.watch.conftest import rule, write


def test_a_removed_folder_pauses_the_rule_with_a_reason_and_a_recreated_one_resumes_it(watching, inbox):
    _, heard = watching.start(rule(inbox))
    heard.wait(lambda h: h.state() == RuleState.WATCHING)
    first = write(os.path.join(inbox, "before.txt"))
    heard.wait(lambda h: len(h.ended()) >= 1)
    shutil.rmtree(inbox)
    heard.wait(lambda h: h.state() == RuleState.PAUSED)
    assert "folder missing" in heard.statuses()[-1].reason
    os.makedirs(inbox)
    after = write(os.path.join(inbox, "after.txt"))  # may land before the rule sees the folder again
    heard.wait(lambda h: len(h.ended()) >= 2)
    assert heard.state() == RuleState.WATCHING
    later = write(os.path.join(inbox, "later.txt"))  # events flow again
    heard.wait(lambda h: len(h.ended()) >= 3)
    assert heard.queued() == [first, after, later]


def test_a_folder_missing_at_start_is_watched_once_it_appears(watching, tmp_path):
    folder = str(tmp_path / "share")
    _, heard = watching.start(rule(folder))
    heard.wait(lambda h: h.state() == RuleState.PAUSED)
    path = write(os.path.join(folder, "x.txt"))
    heard.wait(lambda h: len(h.ended()) >= 1)
    assert heard.queued() == [path]


def test_done_inputs_move_to_the_done_folder_and_failed_ones_to_the_failed_folder(watching, inbox, tmp_path):
    done, failed = str(tmp_path / "done"), str(tmp_path / "failed")
    r = rule(inbox, job="decompress", on_done="move", done_folder=done, failed_folder=failed)
    _, heard = watching.start(r)
    good = os.path.join(inbox, "sub", "good.txt.gz")
    os.makedirs(os.path.dirname(good))
    with gzip.open(good, "wb") as f:
        f.write(b"payload")
    bad = write(os.path.join(inbox, "bad.gz"), "not gzip at all")
    heard.wait(lambda h: len(h.ended()) >= 2)
    ended = {e.path: e for e in heard.ended()}
    assert ended[good].state == "done" and ended[good].moved_to == os.path.join(done, "sub", "good.txt.gz")
    assert ended[bad].state == "failed" and ended[bad].moved_to == os.path.join(failed, "bad.gz")
    assert "not a compressed file" in (ended[bad].error or "")
    assert os.path.exists(os.path.join(done, "sub", "good.txt.gz")) and not os.path.exists(good)
    assert os.path.exists(os.path.join(failed, "bad.gz")) and not os.path.exists(bad)
    with open(os.path.join(inbox, "sub", "brigade-decompress", "good.txt"), "rb") as f:
        assert f.read() == b"payload"


def test_a_done_folder_inside_the_watched_folder_is_not_watched(watching, inbox):
    done = os.path.join(inbox, "done")
    r = rule(inbox, on_done="move", done_folder=done)
    _, heard = watching.start(r)
    path = write(os.path.join(inbox, "a.txt"))
    heard.wait(lambda h: len(h.ended()) >= 1)
    marker = write(os.path.join(inbox, "marker.txt"))
    heard.wait(lambda h: len(h.ended()) >= 2)
    assert heard.queued() == [path, marker]
    assert sorted(os.listdir(done)) == ["a.txt", "marker.txt"]


def test_delete_after_done_removes_the_input(watching, inbox):
    _, heard = watching.start(rule(inbox, on_done="delete", confirm_delete=True))
    path = write(os.path.join(inbox, "a.txt"))
    heard.wait(lambda h: len(h.ended()) >= 1)
    assert not os.path.exists(path)

"""Nothing missed, nothing done twice: restarts, changed files, a crash, and the rule's own outputs."""

from __future__ import annotations

import os
import sqlite3

from core.store import JobStore
from core.watch import Ledger
from core.watch.ledger import Stamp
from tests.gui.jobs import SLOW
from tests.watch.conftest import rule, write


def _run_until_ended(watching, r, count, **limits):
    """Start a service for ``r``, wait until ``count`` files ended, stop it; return what it heard."""
    service, heard = watching.start(r, **limits)
    heard.wait(lambda h: len(h.ended()) >= count)
    watching.stop(service)
    return heard


def test_a_restart_catches_up_on_what_arrived_and_reruns_nothing_done(watching, inbox):
    r = rule(inbox)
    a, b = write(os.path.join(inbox, "a.txt"), "a"), write(os.path.join(inbox, "b.txt"), "b")
    first = _run_until_ended(watching, r, 2)
    assert sorted(first.queued()) == [a, b]
    # While nothing watches: a new file, and new content under an old name.
    c = write(os.path.join(inbox, "c.txt"), "c")
    write(b, "b, second edition")
    _, second = watching.start(r)
    second.wait(lambda h: len(h.ended()) >= 2)
    # A file written now is queued, and a is still not: it was done with this content.
    d = write(os.path.join(inbox, "d.txt"), "d")
    second.wait(lambda h: len(h.ended()) >= 3)
    assert sorted(second.queued()) == [b, c, d]


def test_the_tasks_appear_in_history_marked_with_their_rule(watching, inbox):
    r = rule(inbox, name="scans")
    write(os.path.join(inbox, "a.txt"))
    _run_until_ended(watching, r, 1)
    store = JobStore.open(watching.db)
    try:
        batches = store.batches()
        assert [(b.job, dict(b.extra)) for b in batches] == [("checksum", {"watch": "scans"})]
        assert [t.path for t in store.tasks(batches[0].id)] == [os.path.join(inbox, "a.txt")]
    finally:
        store.close()


def test_a_changed_file_with_an_old_name_is_processed_again(watching, inbox):
    _, heard = watching.start(rule(inbox))
    path = write(os.path.join(inbox, "daily.csv"), "monday")
    heard.wait(lambda h: len(h.ended()) >= 1)
    write(path, "tuesday, longer")
    heard.wait(lambda h: len(h.ended()) >= 2)
    assert heard.queued() == [path, path]


def test_by_digest_a_touched_file_is_not_rerun_but_new_content_is(watching, inbox):
    _, heard = watching.start(rule(inbox, digest=True))
    path = write(os.path.join(inbox, "data.bin"), "same")
    heard.wait(lambda h: len(h.ended()) >= 1)
    write(path, "same")  # rewritten with the same bytes: a new mtime
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    marker = write(os.path.join(inbox, "marker.txt"))  # settles after the rewrite was looked at
    heard.wait(lambda h: len(h.ended()) >= 2)
    write(path, "diff")  # same size, other bytes
    heard.wait(lambda h: len(h.ended()) >= 3)
    assert heard.queued() == [path, marker, path]


def test_a_file_whose_task_never_ended_is_run_after_a_crash(watching, inbox):
    r = rule(inbox)
    path = write(os.path.join(inbox, "interrupted.txt"), "x")
    done = write(os.path.join(inbox, "finished.txt"), "y")
    # What a process killed mid-task leaves behind: one row queued, one ended.
    JobStore.open(watching.db).close()
    ledger = Ledger.open(watching.db)
    for p, tid in ((path, 1), (done, 2)):
        st = os.stat(p)
        ledger.queued(r.name, [(p, Stamp(st.st_size, st.st_mtime_ns), 1, tid)])
    ledger.ended(r.name, done, "done")
    ledger.close()
    _, heard = watching.start(r)
    heard.wait(lambda h: len(h.ended()) >= 1)
    marker = write(os.path.join(inbox, "marker.txt"))
    heard.wait(lambda h: len(h.ended()) >= 2)
    assert heard.queued() == [path, marker]


def test_outputs_written_into_the_watched_folder_never_trigger_the_rule(watching, inbox):
    beside = rule(inbox, job="compress", output={"subfolder": ""}, name="beside")
    sub = os.path.join(inbox, "sub")
    in_subfolder = rule(sub, job="compress", name="subfolder")  # default: brigade-compress/ beside each input
    os.makedirs(sub)
    _, heard = watching.start(beside, in_subfolder)
    heard.wait(lambda h: [s.state for s in h.statuses()[-2:]] == ["watching"] * 2)
    a = write(os.path.join(inbox, "a.txt"), "a" * 100)
    b = write(os.path.join(sub, "b.txt"), "b" * 100)
    # The rule over ``inbox`` is recursive: sub/b.txt is its input too.
    runs = {("beside", a), ("beside", b), ("subfolder", b)}
    heard.wait(lambda h: runs <= {(e.rule, e.path) for e in h.ended()})
    assert os.path.exists(a + ".gz") and os.path.exists(os.path.join(sub, "brigade-compress", "b.txt.gz"))
    marker = write(os.path.join(inbox, "marker.txt"), "m" * 100)
    heard.wait(lambda h: any(e.path == marker for e in h.ended()))
    queued = heard.queued()
    assert not [p for p in queued if p.endswith(".gz")]
    assert sorted(set(queued)) == sorted([a, b, marker])


def test_the_watch_tables_live_beside_the_history_and_leave_its_schema_alone(watching, inbox):
    write(os.path.join(inbox, "a.txt"))
    _run_until_ended(watching, rule(inbox), 1)
    conn = sqlite3.connect(watching.db)
    try:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        rows = conn.execute("SELECT state, batch_id FROM watch_files").fetchall()
    finally:
        conn.close()
    assert {"watch_files", "watch_outputs", "batches"} <= tables
    assert rows == [("done", 1)]
    JobStore.open(watching.db).close()  # the history still opens as history


def test_a_stop_withdraws_the_tasks_not_started_and_the_next_start_runs_only_those(watching, inbox):
    r = rule(inbox, job=SLOW, params={"seconds": 0.4, "lines": 0})
    paths = sorted(write(os.path.join(inbox, f"f{i}.txt"), str(i)) for i in range(8))
    service, first = watching.start(r)
    first.wait(lambda h: len(h.queued()) >= 8 and len(h.ended()) >= 1)
    watching.stop(service)  # two workers: most tasks have not started
    ran = {e.path for e in first.ended("done")}
    assert 1 <= len(ran) < 8
    _, second = watching.start(r)
    second.wait(lambda h: len(h.ended()) >= 8 - len(ran))
    again = set(second.queued())
    assert again.isdisjoint(ran) and again | ran == set(paths)


def test_a_file_changed_while_its_task_runs_is_run_again_after_it(watching, inbox):
    _, heard = watching.start(rule(inbox, job=SLOW, params={"seconds": 0.5, "lines": 0}))
    path = write(os.path.join(inbox, "growing.log"), "first part")
    heard.wait(lambda h: len(h.queued()) >= 1)
    write(path, "first part, and a second one")
    heard.wait(lambda h: len(h.ended()) >= 2)
    assert heard.queued() == [path, path]

"""Files arriving in a watched folder: queued once, after they settle, whatever way they land."""

from __future__ import annotations

import os
import time

from core.watch import FilesQueued
from tests.watch.conftest import rule, write


def test_a_file_written_slowly_in_pieces_is_queued_once_after_its_last_piece(watching, inbox):
    settle = 1.0  # ten times the writer's pauses: a loaded machine may stretch a pause
    _, heard = watching.start(rule(inbox, settle=settle))
    heard.wait(lambda h: h.state() == "watching")
    path = os.path.join(inbox, "scan.pdf")
    with open(path, "wb") as f:
        for _ in range(6):
            f.write(b"x" * 1000)
            f.flush()
            last_write = time.time()
            time.sleep(settle / 10)  # the slow writer: a pause well inside the settle time
    heard.wait(lambda h: len(h.ended()) >= 1)
    queued_at = heard.stamps[next(i for i, e in enumerate(heard.events) if isinstance(e, FilesQueued))]
    assert heard.queued() == [path]
    assert queued_at >= last_write + settle * 0.9
    assert heard.ended()[0].state == "done"


def test_a_file_renamed_into_the_folder_is_queued_and_a_finished_download_once(watching, inbox, tmp_path):
    _, heard = watching.start(rule(inbox))
    heard.wait(lambda h: h.state() == "watching")
    outside = write(str(tmp_path / "elsewhere" / "report.txt"), "made elsewhere")
    os.rename(outside, os.path.join(inbox, "report.txt"))
    partial = write(os.path.join(inbox, "movie.mkv.part"), "downloading")
    os.rename(partial, os.path.join(inbox, "movie.mkv"))
    heard.wait(lambda h: len(h.ended()) >= 2)
    assert sorted(heard.queued()) == [os.path.join(inbox, "movie.mkv"), os.path.join(inbox, "report.txt")]


def test_temporary_and_hidden_names_are_never_queued(watching, inbox):
    _, heard = watching.start(rule(inbox))
    heard.wait(lambda h: h.state() == "watching")
    for name in ("a.part", "b.crdownload", "~$budget.xlsx", ".hidden", os.path.join(".git", "config")):
        write(os.path.join(inbox, name))
    write(os.path.join(inbox, "real.txt"))
    heard.wait(lambda h: len(h.ended()) >= 1)
    # One more settle time for any late file to show up.
    marker = write(os.path.join(inbox, "later.txt"))
    heard.wait(lambda h: len(h.ended()) >= 2)
    assert sorted(heard.queued()) == [marker, os.path.join(inbox, "real.txt")]


def test_include_and_exclude_globs_pick_the_files(watching, inbox):
    r = rule(inbox, include=("*.jpg", "*.png"), exclude=("skip-*",), recursive=False)
    _, heard = watching.start(r)
    heard.wait(lambda h: h.state() == "watching")
    wanted = write(os.path.join(inbox, "photo.jpg"))
    for name in ("notes.txt", "skip-me.jpg", os.path.join("sub", "deep.png")):
        write(os.path.join(inbox, name))
    last = write(os.path.join(inbox, "z.png"))
    heard.wait(lambda h: len(h.ended()) >= 2)
    assert sorted(heard.queued()) == [wanted, last]


def test_ten_thousand_files_at_once_are_each_queued_once_within_the_bounds(watching, inbox):
    limits = {"pending_limit": 2_000, "backlog": 1_000, "event_limit": 1_000}
    _, heard = watching.start(rule(inbox, settle=0.2), **limits)
    heard.wait(lambda h: h.state() == "watching")
    paths = [write(os.path.join(inbox, f"d{i // 1000}", f"f{i:05d}.bin"), str(i)) for i in range(10_000)]
    heard.wait(lambda h: len(h.ended()) >= 10_000, timeout=120)
    queued = heard.queued()
    assert len(queued) == 10_000
    assert sorted(queued) == sorted(paths)
    statuses = heard.statuses()
    assert max(s.pending for s in statuses) <= 2_000
    assert max(s.queued for s in statuses) <= 1_000
    assert {e.state for e in heard.ended()} == {"done"}


def test_a_file_whose_name_is_not_utf8_is_queued_and_remembered(watching, inbox):
    name = os.fsdecode(b"scan-\xff\xfe.pdf")
    path = write(os.path.join(inbox, name), "bytes")
    service, heard = watching.start(rule(inbox))
    heard.wait(lambda h: len(h.ended()) >= 1)
    assert heard.queued() == [path] and heard.ended()[0].state == "done"
    watching.stop(service)
    _, again = watching.start(rule(inbox))
    marker = write(os.path.join(inbox, "marker.txt"))
    again.wait(lambda h: len(h.ended()) >= 1)
    assert again.queued() == [marker]

"""Discovery: what a drop of files and folders becomes, and what is skipped with a reason."""

from __future__ import annotations

import os
import socket
import sys

import pytest

from core.discovery import Filters, discover, display_path
from core.engine import Engine, EngineConfig
from core.events import TaskFinished
from core.model import BatchSpec, TaskState

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX special files")


def _tree(root):
    (root / "b").mkdir()
    (root / "a").mkdir()
    (root / "a" / "deep").mkdir()
    for rel, data in {
        "z.txt": b"zz",
        "a/one.txt": b"1",
        "a/deep/two.log": b"22",
        "b/three.txt": b"333",
        ".hidden.txt": b"h",
        "a/.secret/x.txt": b"x",
    }.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def _names(found, root):
    return [os.path.relpath(p, root) for p in found.paths]


def test_folders_expand_recursively_in_a_stable_order_with_totals(tmp_path):
    root = _tree(tmp_path)
    found = discover([root])
    assert _names(found, root) == ["a/deep/two.log", "a/one.txt", "b/three.txt", "z.txt"]
    assert found.count == 4
    assert found.total_bytes == 2 + 1 + 3 + 2
    assert found.hidden == 2  # .hidden.txt and the .secret folder
    assert discover([root]).paths == found.paths


def test_hidden_files_can_be_included(tmp_path):
    root = _tree(tmp_path)
    names = _names(discover([root], Filters(hidden=True)), root)
    assert ".hidden.txt" in names and "a/.secret/x.txt" in names


def test_include_and_exclude_globs_match_names_and_relative_paths(tmp_path):
    root = _tree(tmp_path)
    assert _names(discover([root], Filters(include=("*.txt",))), root) == [
        "a/one.txt",
        "b/three.txt",
        "z.txt",
    ]
    assert _names(discover([root], Filters(exclude=("b", "*.log"))), root) == ["a/one.txt", "z.txt"]
    assert _names(discover([root], Filters(include=("a/*",))), root) == ["a/deep/two.log", "a/one.txt"]


def test_no_recursion_keeps_only_the_top_level(tmp_path):
    root = _tree(tmp_path)
    assert _names(discover([root], Filters(recursive=False)), root) == ["z.txt"]


def test_the_same_file_dropped_twice_is_one_task(tmp_path):
    root = _tree(tmp_path)
    for stat_files in (True, False):
        found = discover([root / "z.txt", root, root / "z.txt"], stat_files=stat_files)
        assert _names(found, root).count("z.txt") == 1
        assert found.count == 4


@posix_only
def test_fifos_sockets_and_devices_are_skipped_and_never_opened(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    sock_path = tmp_path / "sock"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    try:
        (tmp_path / "real.txt").write_bytes(b"r")
        # Opening the FIFO for reading would block forever: the walk must not do it.
        found = discover([tmp_path, "/dev/null"])
    finally:
        sock.close()
    assert [os.path.basename(p) for p in found.paths] == ["real.txt"]
    reasons = {os.path.basename(s.path): s.reason for s in found.skipped}
    assert "FIFO" in reasons["pipe"] and "never opened" in reasons["pipe"]
    assert "socket" in reasons["sock"]
    assert "device" in reasons["null"]


@posix_only
def test_symlink_loops_and_broken_links_are_reported(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "f.txt").write_bytes(b"f")
    os.symlink(tmp_path / "d", tmp_path / "d" / "loop")  # folder containing itself
    os.symlink(tmp_path / "self", tmp_path / "self")  # link to itself
    os.symlink(tmp_path / "missing", tmp_path / "broken")
    found = discover([tmp_path])
    assert [os.path.relpath(p, tmp_path) for p in found.paths] == ["d/f.txt"]
    reasons = {os.path.relpath(s.path, tmp_path): s.reason for s in found.skipped}
    assert "symlink loop" in reasons["d/loop"]
    assert "symlink loop" in reasons["self"]
    assert "broken symlink" in reasons["broken"]


@posix_only
def test_a_walk_without_stat_finds_and_skips_the_same_paths(tmp_path):
    (tmp_path / "tree").mkdir()
    root = _tree(tmp_path / "tree")
    os.mkfifo(root / "a" / "pipe")
    os.symlink(root / "z.txt", root / "b" / "link.txt")
    os.symlink(root / "a", root / "a" / "deep" / "loop")
    os.symlink(root / "missing", root / "broken")
    for filters in (Filters(), Filters(hidden=True), Filters(include=("*.txt",), exclude=("deep",))):
        full = discover([root], filters)
        quick = discover([root], filters, stat_files=False)
        assert quick.paths == full.paths and quick.hidden == full.hidden
        assert quick.skipped == full.skipped
        assert quick.sizes is None and quick.mtimes is None and quick.total_bytes is None
    quick = discover([root], stat_files=False)
    assert "b/link.txt" in _names(quick, root)
    assert {os.path.relpath(s.path, root) for s in quick.skipped} == {"a/pipe", "a/deep/loop", "broken"}


def test_a_missing_path_is_reported_not_fatal(tmp_path):
    found = discover([tmp_path / "nope.txt"])
    assert found.paths == []
    assert "no such file" in found.skipped[0].reason


@pytest.mark.skipif(sys.platform != "linux", reason="needs a file system that takes any bytes in names")
def test_a_name_that_is_not_utf8_works_end_to_end(tmp_path):
    raw = os.path.join(os.fsencode(tmp_path), b"caf\xe9-\xff.bin")
    with open(raw, "wb") as f:
        f.write(b"latin-1 name")
    found = discover([tmp_path])
    assert len(found.paths) == 1
    path = found.paths[0]
    assert os.fsencode(path) == raw
    assert "\\xe9" in display_path(path)
    finished = []
    with Engine(EngineConfig(workers=1)) as engine:
        engine.add_listener(lambda evs: finished.extend(e for e in evs if isinstance(e, TaskFinished)))
        engine.submit(BatchSpec("checksum", {}, found.paths)).wait(30)
    import hashlib

    assert finished[0].state == TaskState.DONE
    assert finished[0].result["digest"] == hashlib.sha256(b"latin-1 name").hexdigest()


def test_bad_inputs_at_run_time_fail_their_own_task_with_a_clear_reason(tmp_path):
    good = tmp_path / "good.txt"
    good.write_bytes(b"ok")
    vanished = tmp_path / "vanished.txt"
    vanished.write_bytes(b"soon gone")
    became_dir = tmp_path / "became_dir"
    became_dir.write_bytes(b"soon a folder")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    found = discover([tmp_path])
    vanished.unlink()
    became_dir.unlink()
    became_dir.mkdir()
    paths = found.paths
    if sys.platform != "win32":
        fifo = tmp_path / "fifo-now"
        os.mkfifo(fifo)
        paths = [*paths, str(fifo)]  # a FIFO given directly must not be opened either
    done = {}
    with Engine(EngineConfig(workers=2)) as engine:
        engine.add_listener(
            lambda evs: done.update((e.task_id, e) for e in evs if isinstance(e, TaskFinished))
        )
        handle = engine.submit(BatchSpec("checksum", {}, paths))
        assert handle.wait(30) is not None
    by_name = {os.path.basename(p): done[t] for p, t in zip(paths, handle.task_ids, strict=True)}
    assert by_name["good.txt"].state == TaskState.DONE
    assert by_name["empty.txt"].state == TaskState.DONE
    assert by_name["empty.txt"].result["bytes"] == 0
    assert "No such file" in by_name["vanished.txt"].failure.message
    assert "is a directory" in by_name["became_dir"].failure.message
    if sys.platform != "win32":
        assert "not a regular file" in by_name["fifo-now"].failure.message


@pytest.mark.skipif(sys.platform != "linux", reason="caps the worker's address space through /proc")
def test_a_file_larger_than_a_worker_may_hold_is_streamed(tmp_path):
    """A 640 MiB sparse file hashed by a worker whose address space may grow by 256 MiB at most."""
    big = tmp_path / "big.bin"
    with open(big, "wb") as f:
        f.truncate(640 * 1024**2)
    from tests.engine.conftest import Collector

    col = Collector()
    with Engine(EngineConfig(workers=1)) as engine:
        engine.add_listener(col)
        handle = engine.submit(BatchSpec("tests.helpers_streaming:CappedChecksum", {}, [str(big)]))
        assert handle.wait(120) is not None
    ev = col.finished[handle.task_ids[0]]
    assert ev.state == TaskState.DONE, ev.failure
    import hashlib

    h = hashlib.sha256()
    zeros = bytes(1024 * 1024)
    for _ in range(640):
        h.update(zeros)
    assert ev.result["digest"] == h.hexdigest()


def test_brigade_output_folders_are_left_out_and_counted(tmp_path):
    (tmp_path / "a.jpg").write_bytes(b"a")
    (tmp_path / "brigade-resize").mkdir()
    (tmp_path / "brigade-resize" / "a.jpg").write_bytes(b"out")
    (tmp_path / "brigade-resize" / "brigade-resize").mkdir()
    (tmp_path / "sub" / "brigade-checksum").mkdir(parents=True)
    (tmp_path / "sub" / "brigade-checksum" / "b.sha256").write_bytes(b"x")
    (tmp_path / "sub" / "b.txt").write_bytes(b"b")
    for stat_files in (True, False):
        found = discover([tmp_path], stat_files=stat_files)
        assert _names(found, tmp_path) == ["a.jpg", "sub/b.txt"]
        assert found.outputs == [str(tmp_path / "brigade-resize"), str(tmp_path / "sub" / "brigade-checksum")]
    everything = discover([tmp_path], Filters(outputs=True))
    assert "brigade-resize/a.jpg" in _names(everything, tmp_path)
    assert everything.outputs == []
    # An output folder dropped on purpose is walked.
    assert _names(discover([tmp_path / "brigade-resize"]), tmp_path) == ["brigade-resize/a.jpg"]


def test_the_cli_leaves_output_folders_out_and_says_how_many(tmp_path):
    import subprocess

    (tmp_path / "img.txt").write_bytes(b"a")
    (tmp_path / "brigade-checksum").mkdir()
    (tmp_path / "brigade-checksum" / "img.txt").write_bytes(b"out")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

    def dry_run(*extra):
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "core.cli",
                "run",
                "--job",
                "checksum",
                "--dry-run",
                *extra,
                str(tmp_path),
            ],
            cwd=root,
            env=dict(os.environ, PYTHONPATH=root),
            capture_output=True,
            text=True,
            timeout=120,
        )

    out = dry_run()
    assert out.returncode == 0, out.stderr
    assert "brigade-checksum" not in out.stdout
    assert "left out 1 output folder" in out.stderr
    assert "brigade-checksum" in dry_run("--include-outputs").stdout


def test_natural_order_puts_note_2_before_note_10(tmp_path):
    for name in ("note_10.txt", "note_2.txt", "Note_3.txt", "note_1.txt"):
        (tmp_path / name).write_bytes(b"x")
    assert _names(discover([tmp_path], natural=True), tmp_path) == [
        "note_1.txt",
        "note_2.txt",
        "Note_3.txt",
        "note_10.txt",
    ]
    assert _names(discover([tmp_path]), tmp_path)[0] == "Note_3.txt"  # code point order, the fast one

"""brigade-cli watch as a person (or systemd) runs it: until Ctrl-C or SIGTERM, with clear usage errors."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WAIT = 60.0


class Watch:
    """A running ``brigade-cli watch --json``, its JSON lines read on a thread."""

    def __init__(self, tmp_path, *args: str) -> None:
        env = dict(os.environ, PYTHONPATH=ROOT, HOME=str(tmp_path), BRIGADE_DB=str(tmp_path / "h.sqlite3"))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "core.cli", "watch", "--json", "--settle", "0.2", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[dict] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                self.lines.put(json.loads(line))
            except ValueError:
                self.lines.put({"event": "not json", "line": line})

    def next(self, event: str, **fields) -> dict:
        while True:
            item = self.lines.get(timeout=WAIT)
            assert item["event"] != "not json", item
            if item["event"] == event and all(item.get(k) == v for k, v in fields.items()):
                return item

    def stop(self, sig: int) -> tuple[int, str]:
        self.proc.send_signal(sig)
        code = self.proc.wait(WAIT)  # stdout is read by the reader thread only
        self._reader.join(WAIT)
        assert self.proc.stderr is not None
        err = self.proc.stderr.read()
        self.proc.stderr.close()
        stray = [item for item in list(self.lines.queue) if item["event"] == "not json"]
        assert not stray, f"stdout is not only JSON lines: {stray}"
        return code, err


@pytest.fixture
def inbox(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def test_watch_runs_each_new_file_and_the_first_ctrl_c_stops_cleanly(tmp_path, inbox):
    (inbox / "early.txt").write_text("there before the start")
    watch = Watch(tmp_path, str(inbox), "--job", "checksum")
    try:
        assert watch.next("ended")["path"] == str(inbox / "early.txt")
        (inbox / "late.txt").write_text("arrived while watching")
        ended = watch.next("ended")
        assert (ended["path"], ended["state"]) == (str(inbox / "late.txt"), "done")
    finally:
        code, err = watch.stop(signal.SIGINT)
    assert code == 130, err
    assert "stopping: running tasks finish" in err


def test_sigterm_stops_with_code_0_and_a_restart_does_not_rerun_done_files(tmp_path, inbox):
    (inbox / "a.txt").write_text("a")
    first = Watch(tmp_path, str(inbox), "--job", "checksum", "--rule-name", "inbox")
    try:
        first.next("ended", path=str(inbox / "a.txt"))
    finally:
        code, err = first.stop(signal.SIGTERM)
    assert code == 0, err
    (inbox / "b.txt").write_text("b")
    second = Watch(tmp_path, str(inbox), "--job", "checksum", "--rule-name", "inbox")
    try:
        queued = second.next("queued")
        second.next("ended")
    finally:
        second.stop(signal.SIGTERM)
    assert queued["paths"] == [str(inbox / "b.txt")]


def test_a_rule_file_runs_its_rules(tmp_path, inbox):
    rules = tmp_path / "rules.toml"
    rules.write_text(f'[[rule]]\nname = "sums"\nfolder = "{inbox}"\njob = "checksum"\nsettle = 0.2\n')
    (inbox / "x.bin").write_bytes(b"x")
    watch = Watch(tmp_path, str(rules))
    try:
        ended = watch.next("ended")
        assert (ended["rule"], ended["path"]) == ("sums", str(inbox / "x.bin"))
    finally:
        watch.stop(signal.SIGTERM)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "needs --job"),
        (["--job", "checksum", "--on-done", "delete"], "confirm"),
        (["--job", "checksum", "--on-done", "move"], "needs a done_folder"),
        (["--job", "checksum", "-p", "algorithm=crc"], "algorithm"),
        (["--job", "compress", "--in-place"], "in-place"),
    ],
)
def test_usage_errors_exit_2_with_the_reason(tmp_path, inbox, args, message):
    out = _watch_once(tmp_path, tmp_path / "h.sqlite3", str(inbox), *args)
    assert out.returncode == 2, out.stderr
    assert message in out.stderr


def test_a_history_that_cannot_be_used_stops_the_watch_with_code_3(tmp_path, inbox):
    foreign = tmp_path / "notes.sqlite3"
    foreign.write_bytes(b"not a database at all" * 100)
    out = _watch_once(tmp_path, foreign, str(inbox), "--job", "checksum")
    assert out.returncode == 3, out.stderr
    assert "history disabled" in out.stderr and "cannot run" in out.stderr
    assert foreign.read_bytes() == b"not a database at all" * 100


def _watch_once(home, db, *args: str) -> subprocess.CompletedProcess[str]:
    """``brigade-cli watch ARGS`` for a command that ends by itself (a refusal)."""
    env = dict(os.environ, PYTHONPATH=ROOT, HOME=str(home), BRIGADE_DB=str(db))
    return subprocess.run(
        [sys.executable, "-m", "core.cli", "watch", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT,
    )

"""The output policy: naming, mirroring, collision rules, in-place backups, dry runs, cancellation."""

from __future__ import annotations

import gzip
import os
import stat

import pytest

from core.cli import main as cli
from core.events import TaskProgress
from core.model import BatchSpec, TaskState
from core.output import OutputError, OutputPolicy, find_collisions, resolve, unique_names
from tests.processors.conftest import Watcher, leftovers, out_policy, run_job, tree, write


def _read(path):
    with open(path, "rb") as f:
        return f.read()


# -- where outputs go (pure functions) ---------------------------------------


def test_default_is_a_subfolder_beside_each_input(tmp_path):
    t = resolve(OutputPolicy(), str(tmp_path / "a" / "x.txt"), "compress", 0, "x.txt.gz")
    assert t.path == str(tmp_path / "a" / "brigade-compress" / "x.txt.gz")


def test_mirror_flat_and_templates(tmp_path):
    root = str(tmp_path / "in")
    src = str(tmp_path / "in" / "sub" / "deep" / "photo.jpg")
    mirrored = OutputPolicy(folder=str(tmp_path / "out"), roots=(root,))
    assert resolve(mirrored, src, "resize", 0, "photo.png").path == str(tmp_path / "out/sub/deep/photo.png")
    flat = OutputPolicy(
        folder=str(tmp_path / "out"), mirror=False, template="{n:03d}-{parent}-{stem}-{job}{ext}"
    )
    assert resolve(flat, src, "resize", 6, "photo.png").path == str(
        tmp_path / "out/007-deep-photo-resize.png"
    )
    assert resolve(OutputPolicy(template="{name}"), "/d/a.tar.gz", "j", 0, "a.tar.gz.xz").path.endswith(
        "a.tar.gz.xz"
    )
    assert list(unique_names("/d/a.tar.gz"))[:3] == ["/d/a.tar.gz", "/d/a (1).tar.gz", "/d/a (2).tar.gz"]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"template": "{stem}{size}"}, "unknown field {size}"),
        ({"template": "{stem"}, "name template"),
        ({"template": "sub/{name}"}, "must give a file name"),
        ({"template": ""}, "empty name"),
        ({"collision": "merge"}, "collision rule 'merge'"),
    ],
)
def test_bad_policies_are_refused_with_a_reason(kw, message):
    with pytest.raises(OutputError, match=message):
        OutputPolicy(**kw)


def test_policy_round_trips_as_plain_data(tmp_path):
    policy = OutputPolicy(folder="/o", roots=("/r",), template="{n}{ext}", collision="keep", in_place=False)
    assert OutputPolicy.from_data(policy.to_data()) == policy
    with pytest.raises(OutputError, match="unknown output option"):
        OutputPolicy.from_data({"colour": "blue"})


def test_collisions_are_found_before_the_run(tmp_path):
    a = write(tmp_path / "in" / "x" / "same.txt", b"1")
    b = write(tmp_path / "in" / "y" / "same.txt", b"2")
    flat = out_policy(tmp_path, mirror=False).to_data()
    (collision,) = find_collisions(BatchSpec("compress", {}, [a, b], output=flat))
    assert collision.target == str(tmp_path / "out" / "same.txt.gz")
    assert set(collision.inputs) == {a, b}
    assert find_collisions(BatchSpec("compress", {}, [a, b], output=out_policy(tmp_path).to_data())) == []
    # Beside the input with the same name would overwrite it: refused unless in place.
    beside = OutputPolicy(subfolder="").to_data()
    (own,) = find_collisions(BatchSpec("transcode", {}, [a], output=beside))
    assert "input of this batch" in own.reason
    assert (
        find_collisions(BatchSpec("transcode", {}, [a], output=OutputPolicy(in_place=True).to_data())) == []
    )
    # One task's output is another task's input.
    gz = write(tmp_path / "in" / "x" / "same.txt.gz", b"3")
    assert find_collisions(BatchSpec("compress", {}, [a, gz], output=OutputPolicy(in_place=True).to_data()))
    # Jobs that write nothing never collide.
    assert find_collisions(BatchSpec("checksum", {}, [a, b], output=flat)) == []
    # ... but the same job with parameters that write a file does.
    (manifest,) = find_collisions(BatchSpec("checksum", {"manifest": "sidecar"}, [a, b], output=flat))
    assert manifest.target == str(tmp_path / "out" / "same.txt.sha256")


# -- collision rules and in-place, through real workers --------------------------


def test_collision_rules(engine, tmp_path):
    src = write(tmp_path / "in" / "doc.txt", "grüße".encode("cp1252"))
    existing = write(tmp_path / "out" / "doc.txt", b"old")
    skip = run_job(engine, "transcode", [src], {"encoding": "cp1252"}, out_policy(tmp_path, collision="skip"))
    assert skip.state(src) == TaskState.SKIPPED and "output exists" in skip.reason(src)
    assert _read(existing) == b"old"
    keep = run_job(engine, "transcode", [src], {"encoding": "cp1252"}, out_policy(tmp_path, collision="keep"))
    assert keep.result(src)["output"] == str(tmp_path / "out" / "doc (1).txt")
    assert _read(existing) == b"old"
    assert _read(tmp_path / "out" / "doc (1).txt") == "grüße".encode()
    over = run_job(
        engine, "transcode", [src], {"encoding": "cp1252"}, out_policy(tmp_path, collision="overwrite")
    )
    assert over.result(src)["output"] == existing
    assert _read(existing) == "grüße".encode()
    assert leftovers(tmp_path) == []


def test_in_place_replaces_the_input_and_keeps_its_mode(engine, tmp_path):
    src = write(tmp_path / "in" / "über.txt", "a\r\nb\r\n".encode("utf-16"))
    os.chmod(src, 0o640)
    run = run_job(engine, "line-endings", [src], {"newline": "lf"}, OutputPolicy(in_place=True))
    assert run.result(src)["output"] == src
    assert _read(src).decode("utf-16") == "a\nb\n"
    assert stat.S_IMODE(os.stat(src).st_mode) == 0o640
    assert sorted(os.listdir(tmp_path / "in")) == ["über.txt"]  # no backup, no temp


def test_in_place_keep_backup_and_renaming_jobs(engine, tmp_path):
    src = write(tmp_path / "in" / "a.txt", b"one\r\n")
    run_job(engine, "line-endings", [src], {"newline": "lf"}, OutputPolicy(in_place=True, keep_backup=True))
    assert _read(src) == b"one\n"
    assert _read(src + ".brigade-bak") == b"one\r\n"
    # A job that renames (a.txt -> a.txt.gz) removes the original once the archive is in place.
    other = write(tmp_path / "in2" / "b.txt", b"data" * 100)
    run = run_job(engine, "compress", [other], {}, OutputPolicy(in_place=True))
    assert run.result(other)["output"] == other + ".gz"
    assert not os.path.exists(other)
    assert gzip.decompress(_read(other + ".gz")) == b"data" * 100


def test_failed_in_place_task_leaves_the_input_untouched(engine, tmp_path):
    src = write(tmp_path / "in" / "bad.txt", b"ascii then \xff\xfe\x00 broken")
    before = tree(tmp_path / "in")
    run = run_job(engine, "transcode", [src], {"encoding": "utf-8"}, OutputPolicy(in_place=True))
    assert run.state(src) == TaskState.FAILED
    assert tree(tmp_path / "in") == before


# -- dry run and the CLI's refusal ------------------------------------------------


def _inputs(tmp_path):
    write(tmp_path / "in" / "a b.txt", b"hello\n")
    write(tmp_path / "in" / "sub" / "ä.txt", b"world\n")
    write(tmp_path / "in" / "other" / "ä.txt", b"again\n")
    write(tmp_path / "out" / "a b.txt.gz", b"already here")


def test_dry_run_lists_plans_and_touches_nothing(tmp_path, capsys):
    _inputs(tmp_path)
    before = tree(tmp_path)
    args = [
        "run",
        "--job",
        "compress",
        "--dry-run",
        "--no-history",
        str(tmp_path / "in"),
        "--out",
        str(tmp_path / "out"),
    ]
    assert cli(args) == 0
    out = capsys.readouterr().out
    assert f"skip    {tmp_path / 'in' / 'a b.txt'} -> {tmp_path / 'out' / 'a b.txt.gz'}" in out
    assert f"write   {tmp_path / 'in' / 'sub' / 'ä.txt'} -> {tmp_path / 'out' / 'sub' / 'ä.txt.gz'}" in out
    assert cli([*args, "--on-collision", "keep"]) == 0
    assert f"-> {tmp_path / 'out' / 'a b (1).txt.gz'} (exists" in capsys.readouterr().out
    assert cli([*args, "--flat"]) == 2  # the two ä.txt collide
    assert "COLLISION" in capsys.readouterr().out
    assert tree(tmp_path) == before


def test_cli_refuses_colliding_outputs_before_running(tmp_path, capsys):
    _inputs(tmp_path)
    before = tree(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        cli(
            [
                "run",
                "--job",
                "compress",
                "--no-history",
                "--out",
                str(tmp_path / "out"),
                "--flat",
                str(tmp_path / "in"),
            ]
        )
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "1 output collision(s); nothing was run" in err
    assert str(tmp_path / "out" / "ä.txt.gz") in err
    assert tree(tmp_path) == before


def test_cli_refuses_bad_templates(tmp_path, capsys):
    _inputs(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        cli(["run", "--job", "compress", "--name", "{stem}{bogus}", "--no-history", str(tmp_path / "in")])
    assert exit_info.value.code == 2
    assert "unknown field {bogus}" in capsys.readouterr().err


# -- cancellation mid-file ------------------------------------------------------------


@pytest.mark.parametrize("how", ["cancel", "timeout"])
def test_stopping_mid_file_leaves_no_partial_output_and_no_temp(engine, tmp_path, how):
    big = write(tmp_path / "in" / "big file.bin", os.urandom(48 * 1024 * 1024))
    watcher = Watcher()
    engine.add_listener(watcher)
    from core.model import BatchOptions

    options = BatchOptions(timeout=1.0 if how == "timeout" else None)
    spec = BatchSpec(
        "compress", {"format": "xz", "level": 9}, [big], options, output=out_policy(tmp_path).to_data()
    )
    handle = engine.submit(spec)
    # Wait until the archive is half-written: a temp file exists and progress was reported.
    watcher.wait_for(lambda evs: any(isinstance(e, TaskProgress) for e in evs) or bool(leftovers(tmp_path)))
    if how == "cancel":
        assert leftovers(tmp_path), "the temporary archive should exist mid-file"
        engine.cancel(handle.task_ids)
    result = handle.wait(60)
    assert result is not None
    expected = TaskState.CANCELLED if how == "cancel" else TaskState.FAILED
    assert result.counts[expected] == 1
    assert leftovers(tmp_path) == []
    assert not (tmp_path / "out" / "big file.bin.xz").exists()

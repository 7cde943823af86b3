# ruff: noqa: RUF001 - text in several scripts is the point of these tests
"""Text jobs write the right text or fail: no guessed encoding, no binary file rewritten."""

from __future__ import annotations

import io
import os
import stat
import tarfile

import pytest

from core.model import BatchSpec, TaskState
from core.params import ParamError
from tests.processors.conftest import leftovers, out_policy, run_job, write

FRENCH = (
    "Le cœur déçu mais l'âme plutôt naïve, Louÿs rêva de crapaüter en canoë au delà des îles, "
    "près du mälström où brûlent les novæ. À Noël, j'ai mangé des crêpes.\n"
)
GBK = "我们今天去北京看长城，天气很好。\n"
SJIS = (
    "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。\n"
    "何でも薄暗いじめじめした所で泣いていた。\n"
)


def _read(path) -> bytes:
    with open(path, "rb") as f:
        return f.read()


@pytest.mark.parametrize(
    ("text", "encoding", "fallback"),
    [(FRENCH * 20, "cp1252", "cp1252,gbk"), (GBK, "gbk", "cp1252,gbk")],
    ids=["cp1252-french", "short-gbk"],
)
def test_a_legacy_encoding_is_never_guessed_among_look_alikes(engine, tmp_path, text, encoding, fallback):
    path = write(tmp_path / "in" / "t.txt", text.encode(encoding))
    run = run_job(engine, "transcode", [path], {}, out_policy(tmp_path))
    assert run.state(path) == TaskState.FAILED
    assert "encoding not certain" in run.reason(path) and "-p encoding=" in run.reason(path)
    assert leftovers(tmp_path) == [] and not (tmp_path / "out" / "t.txt").exists()
    named = run_job(engine, "transcode", [path], {"fallback": fallback}, out_policy(tmp_path))
    assert _read(named.result(path)["output"]).decode("utf-8") == text


def test_a_clear_legacy_encoding_is_still_detected(engine, tmp_path):
    path = write(tmp_path / "in" / "jp.txt", (SJIS * 5).encode("shift_jis"))
    result = run_job(engine, "transcode", [path], {}, out_policy(tmp_path)).result(path)
    assert _read(result["output"]).decode("utf-8") == SJIS * 5 and result["encoding"] == "cp932"


def test_one_latin1_byte_after_the_first_mib_is_not_certain_and_in_place_leaves_the_file(engine, tmp_path):
    data = b"plain ascii line\n" * 70_000 + "caf\xe9 cr\xe8me\n".encode("latin-1") + b"end\n"
    path = write(tmp_path / "in" / "late.txt", data)
    run = run_job(
        engine,
        "replace",
        [path],
        {"pattern": "plain", "replacement": "x"},
        out_policy(tmp_path, in_place=True),
    )
    assert run.state(path) == TaskState.FAILED and "encoding not certain" in run.reason(path)
    assert _read(path) == data and leftovers(tmp_path) == []
    ok = run_job(engine, "text-stats", [path], {"fallback": "cp1252"})
    assert ok.result(path)["encoding"] == "cp1252" and ok.result(path)["lines"] == 70_002


def _tar_bytes() -> bytes:
    sink = io.BytesIO()
    with tarfile.open(fileobj=sink, mode="w") as tar:
        info = tarfile.TarInfo("notes.txt")
        body = b"alpha beta\n" * 10
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    return sink.getvalue()


@pytest.mark.parametrize("encoding", ["auto", "cp1252"])
def test_binary_files_are_refused_and_left_alone(engine, tmp_path, encoding):
    tar = write(tmp_path / "in" / "a.tar", _tar_bytes())
    nul = write(tmp_path / "in" / "zeros.txt", b"abc\n" + bytes(4096) + b"def\n")
    late = write(tmp_path / "in" / "late-nul.txt", b"abc\n" * 400_000 + b"\x00")
    params = {"pattern": "alpha", "replacement": "omega", "encoding": encoding}
    run = run_job(engine, "replace", [tar, nul, late], params, out_policy(tmp_path, in_place=True))
    for path in (tar, nul, late):
        assert run.state(path) == TaskState.FAILED and "binary file" in run.reason(path), path
    assert _read(tar) == _tar_bytes()
    with tarfile.open(tar) as archive:
        assert archive.extractfile("notes.txt").read() == b"alpha beta\n" * 10
    assert leftovers(tmp_path) == []


def test_utf16_without_a_mark_must_be_named(engine, tmp_path):
    text = "Grüße aus Köln\n" * 10
    path = write(tmp_path / "in" / "le.txt", text.encode("utf-16-le"))
    run = run_job(engine, "transcode", [path], {}, out_policy(tmp_path))
    assert run.state(path) == TaskState.FAILED and "encoding=utf-16-le" in run.reason(path)
    named = run_job(engine, "transcode", [path], {"encoding": "utf-16-le"}, out_policy(tmp_path))
    assert _read(named.result(path)["output"]).decode("utf-8") == text


def test_utf16be_stays_big_endian_and_transcodes_without_its_mark(engine, tmp_path):
    text = "Zwölf Boxkämpfer\r\njagen Viktor\r\n"
    path = write(tmp_path / "in" / "be.txt", "\ufeff".encode("utf-16-be") + text.encode("utf-16-be"))
    lines = run_job(engine, "line-endings", [path], {"newline": "lf"}, out_policy(tmp_path)).result(path)
    assert lines["encoding"] == "utf-16-be"
    assert _read(lines["output"]) == ("\ufeff" + text.replace("\r\n", "\n")).encode("utf-16-be")
    utf8 = run_job(engine, "transcode", [path], {}, out_policy(tmp_path, folder=str(tmp_path / "u8")))
    assert _read(utf8.result(path)["output"]) == text.encode()


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"pattern": "a", "replacement": r"\p"}, "replacement'"),
        ({"pattern": "(a)", "replacement": r"\2"}, "replacement'"),
        ({"pattern": "a", "fallback": "cp1252,nope"}, "fallback': unknown encoding"),
    ],
)
def test_replace_checks_its_replacement_and_fallback_at_submit(engine, tmp_path, params, name):
    with pytest.raises(ParamError, match=f"parameter '{name}"):
        engine.submit(BatchSpec("replace", params, [str(tmp_path)]))


def test_replace_in_fixed_string_mode_takes_both_texts_as_written(engine, tmp_path):
    path = write(tmp_path / "in" / "f.txt", b"a.b a+b axb\n")
    params = {"pattern": "a.b", "replacement": r"\p\1", "fixed": True}
    result = run_job(engine, "replace", [path], params, out_policy(tmp_path)).result(path)
    assert _read(result["output"]) == b"\\p\\1 a+b axb\n" and result["replacements"] == 1


def test_an_edit_in_place_keeps_mode_and_date(engine, tmp_path):
    path = write(tmp_path / "in" / "notes.txt", b"alpha beta\n")
    os.chmod(path, 0o640)
    os.utime(path, (1_500_000_000, 1_500_000_000))
    params = {"pattern": "alpha", "replacement": "omega"}
    run_job(engine, "replace", [path], params, out_policy(tmp_path, in_place=True)).result(path)
    st = os.stat(path)
    assert _read(path) == b"omega beta\n"
    assert stat.S_IMODE(st.st_mode) == 0o640 and int(st.st_mtime) == 1_500_000_000

# ruff: noqa: RUF001 - text in several scripts is the point of these tests
"""Text jobs against iconv and wc."""

from __future__ import annotations

import pytest

from core.model import TaskState
from tests.interop.conftest import tool
from tests.processors.conftest import out_policy, run_job, write

SAMPLES = {
    "GBK": ("我们今天去北京看长城，天气很好。这是一个测试文件。\n" * 3, "gbk", "cp1252,gbk"),
    "SHIFT_JIS": (
        "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。\n" * 4,
        "shift_jis",
        "shift_jis",
    ),
    "CP1252": (
        "Le cœur a ses raisons que la raison ne connaît point. « Déjà vu » — très bien.\n",
        "cp1252",
        "cp1252",
    ),
    "UTF-16": ("Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich.\n", "utf-16", ""),
}


@pytest.mark.parametrize("iconv_name", list(SAMPLES))
def test_transcode_equals_iconv(engine, tmp_path, iconv_name):
    text, codec, fallback = SAMPLES[iconv_name]
    path = write(tmp_path / "in" / "t.txt", text.encode(codec))
    run = run_job(engine, "transcode", [path], {"fallback": fallback}, out_policy(tmp_path))
    with open(run.result(path)["output"], "rb") as f:
        ours = f.read()
    assert ours == tool("iconv", "-f", iconv_name, "-t", "UTF-8", path).stdout.encode()


def test_a_latin1_file_is_refused_without_a_fallback_where_iconv_would_need_one_too(engine, tmp_path):
    text, codec, _ = SAMPLES["CP1252"]
    path = write(tmp_path / "in" / "t.txt", text.encode(codec))
    assert tool("iconv", "-f", "UTF-8", "-t", "UTF-8", path, ok=False).returncode != 0
    run = run_job(engine, "transcode", [path], {}, out_policy(tmp_path))
    assert run.state(path) == TaskState.FAILED and "encoding not certain" in run.reason(path)


def test_utf16be_stays_big_endian_for_iconv(engine, tmp_path):
    text = "eins\r\nzwei\r\nдрей\r\n"
    path = write(tmp_path / "in" / "be.txt", ("\ufeff" + text).encode("utf-16-be"))
    run = run_job(engine, "line-endings", [path], {"newline": "lf"}, out_policy(tmp_path))
    out = run.result(path)["output"]
    with open(out, "rb") as f:
        assert f.read(2) == b"\xfe\xff"
    assert tool("iconv", "-f", "UTF-16", "-t", "UTF-8", out).stdout == text.replace("\r\n", "\n")


@pytest.mark.parametrize(
    "data",
    [
        b"one two\nthree\n",
        b"no newline at end",
        "crlf ünïcode\r\nline\r\n".encode(),
        b"  spaced   words \n\n",
    ],
    ids=["plain", "no-final-newline", "crlf-utf8", "spaces"],
)
def test_text_stats_equals_wc(engine, tmp_path, data):
    path = write(tmp_path / "in" / "t.txt", data)
    result = run_job(engine, "text-stats", [path]).result(path)
    lines, words, chars = (int(n) for n in tool("wc", "-l", "-w", "-m", path).stdout.split()[:3])
    assert (result["lines"], result["words"], result["characters"]) == (lines, words, chars)

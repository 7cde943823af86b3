# ruff: noqa: RUF001, E501 - text in many scripts and encodings is the point of these tests
"""Transcoded text keeps its characters; line endings, replace and statistics."""

from __future__ import annotations

import pytest

from core.model import TaskState
from tests.processors.conftest import out_policy, run_job, write

SAMPLES = {
    "cp1252": "Le cœur a ses raisons que la raison ne connaît point. Où êtes-vous, élève ? « Déjà vu » — très bien.\n",
    "utf_16": "Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich. Ärger, Öl, Übermut.\n",
    "shift_jis": "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。何でも薄暗いじめじめした所で泣いていた事だけは記憶している。\n",
    "koi8_r": "Съешь же ещё этих мягких французских булок, да выпей чаю. Широкая электрификация южных губерний.\n",
    "utf_8_sig": "Ça va? Ελληνικά, العربية, עברית — and emoji-free plain UTF-8 with a BOM.\n",
    "gb18030": "我能吞下玻璃而不伤身体。这是一个用于检测编码的中文句子，内容足够长以便识别。\n",
}


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _inputs(tmp_path, repeat=40):
    return {
        enc: write(tmp_path / "in" / f"{enc} sample ü.txt", (text * repeat).encode(enc))
        for enc, text in SAMPLES.items()
    }


def test_transcode_detects_the_encoding_and_keeps_every_character(engine, tmp_path):
    paths = _inputs(tmp_path)
    latin = paths.pop("cp1252")  # single-byte Latin text is named by the fallback list, never guessed
    run = run_job(engine, "transcode", list(paths.values()), {}, out_policy(tmp_path))
    for enc, path in paths.items():
        result = run.result(path)
        assert _read(result["output"]).decode("utf-8") == SAMPLES[enc] * 40, (enc, result["encoding"])
    run = run_job(
        engine,
        "transcode",
        [latin],
        {"fallback": "cp1252,gbk"},
        out_policy(tmp_path, folder=str(tmp_path / "o2")),
    )
    assert _read(run.result(latin)["output"]).decode("utf-8") == SAMPLES["cp1252"] * 40


def test_transcode_with_a_given_encoding_newlines_and_bom(engine, tmp_path):
    path = write(tmp_path / "in" / "dos.txt", "première ligne\r\nzweite Zeile\rthird\n".encode("latin-1"))
    params = {"encoding": "latin-1", "newline": "lf", "bom": True}
    result = run_job(engine, "transcode", [path], params, out_policy(tmp_path)).result(path)
    assert _read(result["output"]) == "\ufeffpremière ligne\nzweite Zeile\nthird\n".encode()


def test_wrong_encoding_fails_the_task_and_leaves_nothing(engine, tmp_path):
    path = write(tmp_path / "in" / "latin.txt", ("x" * 5000 + "é").encode("latin-1"))
    run = run_job(engine, "transcode", [path], {"encoding": "utf-8"}, out_policy(tmp_path))
    assert run.state(path) == TaskState.FAILED
    assert "not valid utf-8 text: byte 0xe9" in run.reason(path)
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").rglob("*.txt*")) == []


def test_line_endings_keep_the_encoding(engine, tmp_path):
    text = "eins\r\nzwei\nдрей\rvier"
    path = write(tmp_path / "in" / "mixed.txt", text.encode("utf-16"))
    result = run_job(engine, "line-endings", [path], {"newline": "crlf"}, out_policy(tmp_path)).result(path)
    assert result["encoding"] == "utf-16-le"
    assert _read(result["output"]).decode("utf-16") == "eins\r\nzwei\r\nдрей\r\nvier"


def test_replace_by_line_and_across_lines(engine, tmp_path):
    path = write(tmp_path / "in" / "r.txt", "Alpha beta\r\nalpha BETA\nend".encode("cp1252"))
    params = {"pattern": r"(a)lpha", "replacement": r"\1LPHA", "ignore_case": True, "encoding": "cp1252"}
    run = run_job(engine, "replace", [path], params, out_policy(tmp_path))
    assert run.result(path)["replacements"] == 2
    assert _read(run.result(path)["output"]) == b"ALPHA beta\r\naLPHA BETA\nend"
    spanning = {"pattern": r"beta\r?\nalpha", "replacement": "-", "scope": "file"}
    run = run_job(engine, "replace", [path], spanning, out_policy(tmp_path, folder=str(tmp_path / "o2")))
    assert _read(run.result(path)["output"]) == b"Alpha - BETA\nend"


@pytest.mark.parametrize(
    "bad", [{"pattern": "(unclosed"}, {"pattern": ""}, {"pattern": "a", "encoding": "nope"}]
)
def test_replace_refuses_bad_parameters_before_running(engine, tmp_path, bad):
    from core.model import BatchSpec
    from core.params import ParamError

    with pytest.raises(ParamError, match=r"parameter '(pattern|encoding)'"):
        engine.submit(BatchSpec("replace", bad, [str(tmp_path)]))


def test_statistics_appear_as_result_columns(engine, tmp_path):
    big_line = "word " * 300_000  # longer than one read: words cut by chunk boundaries
    paths = [
        write(tmp_path / "in" / "a.txt", b"one two\nthree\n"),
        write(tmp_path / "in" / "b.txt", "no newline at end".encode("utf-16")),
        write(tmp_path / "in" / "c.txt", (big_line + "\n" + "último\r\n").encode("cp1252")),
        write(tmp_path / "in" / "empty.txt", b""),
    ]
    run = run_job(engine, "text-stats", paths, {"encoding": "auto", "fallback": "cp1252"})
    got = [(r["lines"], r["words"], r["characters"]) for r in map(run.result, paths)]
    assert got[0] == (2, 3, 14)
    assert got[1] == (0, 4, 17)  # as wc -l: a last line without its line break is no line
    assert got[2] == (2, 300_001, len(big_line) + 1 + len("último\r\n"))  # as wc -m: CR is a character
    assert got[3] == (0, 0, 0)
    from core.processors.text import TextStats

    assert set(TextStats.result_columns) <= set(run.result(paths[0]))

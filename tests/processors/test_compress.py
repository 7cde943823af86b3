"""Every format round-trips byte for byte; decompress detects the format; bad levels are refused."""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import zipfile

import pytest
import zstandard

from core.model import BatchSpec, TaskState
from core.params import ParamError
from tests.processors.conftest import NAMES, out_policy, run_job, write

FORMATS = {
    "gzip": gzip.decompress,
    "bz2": bz2.decompress,
    "xz": lzma.decompress,
    "zstd": lambda b: zstandard.ZstdDecompressor().stream_reader(b).read(),
    "zip": None,
}


@pytest.fixture
def files(tmp_path):
    """Random, repetitive and empty files with awkward names."""
    contents = [os.urandom(1024 * 1024 + 11), b"abc" * 200_000, b"", os.urandom(10)]
    return [write(tmp_path / "in" / f"s{i}" / NAMES[i], data) for i, data in enumerate(contents)]


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _stdlib_decompress(fmt, path):
    if fmt == "zip":
        with zipfile.ZipFile(path) as z:
            (member,) = z.namelist()
            return z.read(member)
    return FORMATS[fmt](_read(path))


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_compress_then_decompress_round_trips(engine, tmp_path, files, fmt):
    packed = run_job(engine, "compress", files, {"format": fmt, "level": 1}, out_policy(tmp_path))
    archives = []
    for path in files:
        result = packed.result(path)
        rel = os.path.relpath(path, tmp_path / "in")
        suffix = {"gzip": ".gz", "bz2": ".bz2", "xz": ".xz", "zstd": ".zst", "zip": ".zip"}[fmt]
        assert result["output"] == str(tmp_path / "out" / rel) + suffix
        assert _stdlib_decompress(fmt, result["output"]) == _read(path)
        archives.append(result["output"])
    back = run_job(
        engine, "decompress", archives, {}, out_policy(tmp_path, folder=str(tmp_path / "back"), roots=())
    )
    for path, archive in zip(files, archives, strict=True):
        result = back.result(archive)
        assert result["format"] == fmt
        assert os.path.basename(result["output"]) == os.path.basename(path)
        assert _read(result["output"]) == _read(path)


def test_decompress_fails_clearly_on_other_files(engine, tmp_path):
    plain = write(tmp_path / "in" / "notes.gz", b"just text, no gzip header")
    truncated = write(tmp_path / "in" / "cut.txt.gz", gzip.compress(os.urandom(5000))[:-100])
    two = str(tmp_path / "in" / "two.zip")
    with zipfile.ZipFile(two, "w") as z:
        z.writestr("a", b"1")
        z.writestr("b", b"2")
    run = run_job(engine, "decompress", [plain, truncated, two], {}, out_policy(tmp_path))
    assert run.state(plain) == TaskState.FAILED
    assert "not a compressed file" in run.reason(plain)
    assert run.finished[plain].failure.traceback is None  # an expected failure: one line, no traceback
    assert run.state(truncated) == TaskState.FAILED
    assert "end-of-stream" in run.reason(truncated)
    assert "holds 2 files" in run.reason(two)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*"))  # nothing left


def test_levels_are_checked_against_the_format(engine, tmp_path):
    path = write(tmp_path / "in" / "a.txt", b"x")
    for fmt, level in (("gzip", 10), ("xz", 15), ("zip", 22)):
        with pytest.raises(ParamError, match=f"'level': {level} is not allowed for {fmt}"):
            engine.submit(BatchSpec("compress", {"format": fmt, "level": level}, [path]))
    run = run_job(engine, "compress", [path], {"format": "zstd", "level": 19}, out_policy(tmp_path))
    assert run.result(path)["packed"] > 0


def test_gzip_header_names_the_original_file(engine, tmp_path):
    path = write(tmp_path / "in" / "report.csv", b"a,b\n" * 100)
    result = run_job(engine, "compress", [path], {}, out_policy(tmp_path)).result(path)
    with open(result["output"], "rb") as f:
        header = f.read(64)
    assert b"report.csv\x00" in header

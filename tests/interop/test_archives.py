"""compress/decompress against gzip, bzip2, xz, zstd and unzip."""

from __future__ import annotations

import os
import shutil

import pytest

from core.model import TaskState
from tests.interop.conftest import tool
from tests.processors.conftest import leftovers, out_policy, run_job, write

DATA = b"".join(b"record %06d: the quick brown fox\n" % i for i in range(40_000)) + os.urandom(5000)
TESTER = {"gzip": ("gzip", "-t"), "bz2": ("bzip2", "-t"), "xz": ("xz", "-t"), "zstd": ("zstd", "-q", "-t")}
SUFFIX = {"gzip": ".gz", "bz2": ".bz2", "xz": ".xz", "zstd": ".zst", "zip": ".zip"}


@pytest.mark.parametrize("fmt", list(SUFFIX))
@pytest.mark.parametrize("level", [1, 9])
def test_the_reference_tool_tests_and_restores_each_archive(engine, tmp_path, fmt, level):
    src = write(tmp_path / "in" / "data.txt", DATA)
    out = run_job(engine, "compress", [src], {"format": fmt, "level": level}, out_policy(tmp_path))
    archive = out.result(src)["output"]
    if fmt == "zip":
        assert "No errors detected" in tool("unzip", "-t", archive).stdout
        os.makedirs(tmp_path / "x")
        tool("unzip", "-q", archive, "-d", str(tmp_path / "x"))
        assert (tmp_path / "x" / "data.txt").read_bytes() == DATA
        return
    tool(*TESTER[fmt], archive)
    program = TESTER[fmt][0]
    os.makedirs(tmp_path / "x")
    copy = str(tmp_path / "x" / os.path.basename(archive))
    shutil.copy2(archive, copy)
    tool(program, "-d", "-q", copy) if program == "zstd" else tool(program, "-d", copy)
    assert (tmp_path / "x" / "data.txt").read_bytes() == DATA


@pytest.mark.parametrize("fmt", ["gzip", "bz2", "xz", "zstd"])
def test_a_truncated_archive_fails_as_the_reference_tool_says(engine, tmp_path, fmt):
    made = write(tmp_path / "made" / "data.txt", DATA)
    program = TESTER[fmt][0]
    tool(program, "-q", made) if program == "zstd" else tool(program, made)
    full = str(tmp_path / "made" / ("data.txt" + SUFFIX[fmt]))
    with open(full, "rb") as f:
        packed = f.read()
    cut = write(tmp_path / "in" / ("data.txt" + SUFFIX[fmt]), packed[: len(packed) * 2 // 3])
    assert tool(*TESTER[fmt], cut, ok=False).returncode != 0
    run = run_job(engine, "decompress", [full, cut], {}, out_policy(tmp_path, roots=(str(tmp_path),)))
    assert run.state(full) == TaskState.DONE
    assert run.state(cut) == TaskState.FAILED and "truncated or corrupt" in run.reason(cut)
    assert not (tmp_path / "out" / "in" / "data.txt").exists() and leftovers(tmp_path) == []

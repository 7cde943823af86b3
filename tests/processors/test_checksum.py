"""Checksums equal hashlib, xxhash and sha256sum; manifests verify; verify finds changes."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess

import pytest
import xxhash

from core.model import TaskState
from tests.processors.conftest import NAMES, out_policy, run_job, write

# The last two are hashed through mapped windows, the last one over two of them.
KIB, MIB = 1024, 1024 * 1024
SIZES = (0, 1, 1000, 128 * KIB - 1, 128 * KIB, 4 * 128 * KIB + 7, 3 * MIB + 5, 17 * MIB + 3)


@pytest.fixture
def files(tmp_path):
    """Files of several sizes, with spaces and non-ASCII names, in nested folders."""
    paths = []
    for i, size in enumerate(SIZES):
        name = NAMES[i % len(NAMES)]
        paths.append(write(tmp_path / "in" / f"d{i}" / name, os.urandom(size)))
    return paths


def _expected(path: str, algorithm: str) -> str:
    with open(path, "rb") as f:
        data = f.read()
    if algorithm.startswith("xxh"):
        return getattr(xxhash, algorithm)(data).hexdigest()
    return hashlib.new(algorithm, data).hexdigest()


@pytest.mark.parametrize("algorithm", ["sha256", "sha1", "md5", "blake2b", "xxh64", "xxh3_64", "xxh128"])
def test_digests_equal_hashlib_and_xxhash(engine, files, algorithm):
    run = run_job(engine, "checksum", files, {"algorithm": algorithm})
    for path in files:
        result = run.result(path)
        assert result["digest"] == _expected(path, algorithm)
        assert result["bytes"] == os.path.getsize(path)
    assert run.finished[files[0]].outputs == ()  # no manifest asked: nothing written


class _Seen:
    """A task context that saw the file at another size than it has now."""

    def __init__(self, size: int) -> None:
        self.size = size

    def check_cancelled(self) -> None:
        pass

    def progress(self, fraction: float, message: str = "") -> None:
        pass


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("seen", [0, 10, 128 * 1024 - 1, 128 * 1024, 10**9, None])
def test_a_file_that_changed_size_since_its_stat_is_hashed_whole(tmp_path, size, seen):
    from core.processors.checksum import hash_file

    path = write(tmp_path / "f.bin", os.urandom(size))
    digest, read = hash_file(path, "sha256", None if seen is None else _Seen(seen))
    assert (digest, read) == (_expected(path, "sha256"), size)


@pytest.mark.skipif(not hasattr(os, "RWF_NOWAIT"), reason="Linux tells which pages are in memory")
def test_a_large_file_is_mapped_from_memory_and_read_from_disk_alike(tmp_path, monkeypatch):
    from core.processors import checksum

    size = 2 * checksum.WINDOW + 3  # two whole windows and a partial one
    path = write(tmp_path / "big.bin", os.urandom(size))
    expected = (_expected(path, "sha256"), size)
    reads: list[int] = []
    read_window = checksum._read_window

    def spy(h, fd, offset, length):
        reads.append(offset)
        return read_window(h, fd, offset, length)

    monkeypatch.setattr(checksum, "_read_window", spy)
    fd = os.open(path, os.O_RDONLY)
    try:
        assert checksum._cached(fd, size - 1)  # just written and read back
        assert checksum.hash_file(path, "sha256") == expected
        assert reads == []  # every window came from a mapping
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        if checksum._cached(fd, size - 1):
            pytest.skip("this file system keeps the file in memory")
        assert checksum.hash_file(path, "sha256") == expected
        assert reads  # windows not in memory were read, not faulted in through a mapping
    finally:
        os.close(fd)


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="needs coreutils sha256sum")
def test_sha256_equals_sha256sum_and_sidecars_pass_sha256sum_check(engine, tmp_path, files):
    policy = out_policy(tmp_path, folder=None, subfolder="")  # manifests beside their files
    run = run_job(engine, "checksum", files, {"manifest": "sidecar"}, policy)
    for path in files:
        tool = subprocess.run(["sha256sum", path], capture_output=True, check=True).stdout.split()[0].decode()
        result = run.result(path)
        assert result["digest"] == tool
        assert result["output"] == path + ".sha256"
        check = subprocess.run(
            ["sha256sum", "-c", os.path.basename(result["output"])],
            cwd=os.path.dirname(path),
            capture_output=True,
        )
        assert check.returncode == 0, check.stdout + check.stderr


def _manifest(folder, names):
    lines = [f"{_expected(os.path.join(folder, n), 'sha256')}  {n}\n" for n in names]
    return write(os.path.join(folder, "SHA256SUMS"), "".join(lines).encode())


def test_verify_reports_changed_missing_and_extra(engine, tmp_path):
    folder = tmp_path / "in"
    names = ["a.txt", "sub/b file.txt", "c.txt", "ü.txt"]
    for n in names:
        write(folder / n, os.urandom(300))
    manifest = _manifest(str(folder), names)
    good = run_job(engine, "verify", [manifest])
    assert good.result(manifest)["ok"] == 4
    assert good.result(manifest)["extra"] == 0

    write(folder / "sub/b file.txt", b"changed")
    os.unlink(folder / "c.txt")
    write(folder / "new.txt", b"extra")
    bad = run_job(engine, "verify", [manifest])
    assert bad.state(manifest) == TaskState.FAILED
    assert "1 changed, 1 missing, 1 extra" in bad.reason(manifest)
    assert "CHANGED sub/b file.txt" in bad.logs[manifest]
    assert "MISSING c.txt" in bad.logs[manifest]
    assert "EXTRA new.txt" in bad.logs[manifest]


def test_verify_reads_bsd_format_and_skips_non_manifests(engine, tmp_path):
    data = write(tmp_path / "in" / "x.bin", os.urandom(99))
    bsd = write(tmp_path / "in" / "x.md5", f"MD5 (x.bin) = {_expected(data, 'md5')}\n".encode())
    run = run_job(engine, "verify", [bsd, data])
    assert run.result(bsd)["ok"] == 1
    assert run.state(data) == TaskState.SKIPPED


@pytest.mark.skipif(not hasattr(signal, "SIGBUS"), reason="POSIX signal")
def test_a_worker_killed_by_sigbus_says_its_input_may_have_shrunk():
    from core.engine.pool import exit_description

    expected = "killed by SIGBUS (its input may have shrunk while it was read)"
    assert exit_description(-signal.SIGBUS) == expected
    assert exit_description(-signal.SIGKILL) == "killed by SIGKILL"

"""Digests read from disk are whole; verify reads the manifests people write; folder manifests."""

from __future__ import annotations

import hashlib
import os

import pytest
import xxhash

from core.model import TaskState
from tests.processors.conftest import run_job, write


@pytest.mark.parametrize("maps", [True, False], ids=["windows-read-from-disk", "no-mapping"])
def test_the_read_path_keeps_the_last_partial_chunk(tmp_path, monkeypatch, maps):
    from core.processors import checksum

    size = 2 * checksum.WINDOW + checksum.CHUNK + 5  # the last window ends in a 5-byte chunk
    data = os.urandom(size)
    path = write(tmp_path / "big.bin", data)
    # As if no page were in memory: every window goes through the reading path, as after
    # posix_fadvise(POSIX_FADV_DONTNEED), and without read-ahead filling the cache meanwhile.
    monkeypatch.setattr(checksum, "_cached", lambda fd, offset: False)
    monkeypatch.setattr(checksum, "_MAPS", maps and checksum._MAPS)
    assert checksum.hash_file(path, "sha256") == (hashlib.sha256(data).hexdigest(), size)


def _bytes(path) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _files(tmp_path):
    return {
        name: write(tmp_path / "m" / name, os.urandom(5000) + name.encode()) for name in ("a.bin", "b c.bin")
    }


def _gnu(files, digest) -> bytes:
    return b"".join(digest(_bytes(p)).encode() + b"  " + n.encode() + b"\n" for n, p in files.items())


@pytest.mark.parametrize(
    ("manifest", "digest"),
    [
        ("B2SUMS", lambda d: hashlib.blake2b(d).hexdigest()),
        ("B2SUMS", lambda d: hashlib.blake2b(d, digest_size=32).hexdigest()),  # b2sum -l 256
        ("sha256sums.txt", lambda d: hashlib.sha256(d).hexdigest()),
        ("release.sums", lambda d: hashlib.sha3_256(d).hexdigest()),  # 64 digits, not SHA-256
        ("MD5SUMS", lambda d: hashlib.md5(d).hexdigest()),
        ("XXH3SUMS", lambda d: xxhash.xxh3_64(d).hexdigest()),
    ],
    ids=["b2sum", "b2sum-l256", "sha256sums.txt", "sha3.sums", "md5", "xxh3"],
)
def test_verify_reads_coreutils_manifests_and_finds_nothing_changed(engine, tmp_path, manifest, digest):
    files = _files(tmp_path)
    path = write(tmp_path / "m" / manifest, _gnu(files, digest))
    run = run_job(engine, "verify", [path])
    assert run.result(path)["ok"] == 2 and run.result(path)["changed"] == 0
    with open(files["a.bin"], "ab") as f:
        f.write(b"!")
    again = run_job(engine, "verify", [path])
    assert again.state(path) == TaskState.FAILED and "1 changed" in again.reason(path)


def test_verify_reads_bsd_tags_with_blake2b_lengths(engine, tmp_path):
    files = _files(tmp_path)
    lines = [
        f"BLAKE2b-256 ({n}) = {hashlib.blake2b(_bytes(p), digest_size=32).hexdigest()}\n"
        for n, p in files.items()
    ]
    path = write(tmp_path / "m" / "CHECKSUMS.sums", "".join(lines).encode())
    assert run_job(engine, "verify", [path]).result(path)["ok"] == 2


def test_an_xxh3_sidecar_names_its_algorithm(engine, tmp_path):
    src = write(tmp_path / "in" / "a.bin", b"hello")
    run = run_job(engine, "checksum", [src], {"algorithm": "xxh3_64", "manifest": "sidecar"})
    with open(run.result(src)["output"], "rb") as f:
        assert f.read() == f"XXH3 (../a.bin) = {xxhash.xxh3_64(b'hello').hexdigest()}\n".encode()


def test_folder_manifests_list_every_file_once_and_follow_changes(engine, tmp_path):
    tree = {f"{d}/{n}": write(tmp_path / d / n, os.urandom(300)) for d in ("x", "y") for n in ("1", "2", "3")}
    run_job(engine, "checksum", list(tree.values()), {"manifest": "folder"})
    manifest = tmp_path / "x" / "SHA256SUMS"
    first = manifest.read_bytes()
    expected = {
        f"{hashlib.sha256((tmp_path / 'x' / n).read_bytes()).hexdigest()}  {n}" for n in ("1", "2", "3")
    }
    assert set(first.decode().splitlines()) == expected and len(first.splitlines()) == 3
    assert (tmp_path / "y" / "SHA256SUMS").exists()
    with open(tree["x/2"], "wb") as f:
        f.write(b"new")
    again = [*tree.values(), str(manifest)]  # a rerun over the folder meets its own manifest too
    run = run_job(engine, "checksum", again, {"manifest": "folder"})
    assert run.state(str(manifest)) == TaskState.SKIPPED
    lines = manifest.read_bytes().decode().splitlines()
    assert len(lines) == 3 and f"{hashlib.sha256(b'new').hexdigest()}  2" in lines
    assert run_job(engine, "verify", [str(manifest)]).result(str(manifest))["ok"] == 3

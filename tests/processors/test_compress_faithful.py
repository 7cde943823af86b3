"""Compress and decompress either write the right file or fail, leaving nothing behind."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import stat
import struct
import zipfile
import zlib

import pytest
import zstandard

from core.model import TaskState
from tests.processors.conftest import leftovers, out_policy, run_job, write

DATA = b"".join(
    b"line %d of a log that repeats itself with small changes\n" % (i % 977) for i in range(60_000)
)


def _read(path) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _archive(fmt: str, data: bytes) -> bytes:
    return {
        "gzip": gzip.compress,
        "bz2": bz2.compress,
        "xz": lzma.compress,
        "zstd": zstandard.ZstdCompressor(write_checksum=True).compress,
    }[fmt](data)


@pytest.mark.parametrize("fmt", ["gzip", "bz2", "xz", "zstd", "zip"])
def test_a_truncated_archive_fails_and_leaves_no_output(engine, tmp_path, fmt):
    if fmt == "zip":
        src = write(tmp_path / "in" / "a.txt", DATA)
        with zipfile.ZipFile(tmp_path / "full.zip", "w", zipfile.ZIP_DEFLATED) as z:
            z.write(src, "a.txt")
        packed = bytearray((tmp_path / "full.zip").read_bytes())
        # The central directory stays whole; the member's data is cut short (zeroed).
        info = zipfile.ZipFile(tmp_path / "full.zip").infolist()[0]
        start = info.header_offset + 30 + len("a.txt") + info.compress_size // 2
        packed[start : start + info.compress_size // 4] = bytes(info.compress_size // 4)
        packed = bytes(packed)
        name = "a.zip"
    else:
        packed = _archive(fmt, DATA)[:-40]
        name = "a.txt" + {"gzip": ".gz", "bz2": ".bz2", "xz": ".xz", "zstd": ".zst"}[fmt]
    path = write(tmp_path / "in" / name, packed)
    run = run_job(engine, "decompress", [path], {}, out_policy(tmp_path))
    assert run.state(path) == TaskState.FAILED
    assert "truncated or corrupt" in run.reason(path)
    assert not os.path.exists(tmp_path / "out" / "a.txt")
    assert leftovers(tmp_path) == []


def test_a_corrupt_zstd_frame_fails_on_its_checksum(engine, tmp_path):
    packed = bytearray(_archive("zstd", os.urandom(300_000)))
    packed[len(packed) // 2] ^= 0xFF
    path = write(tmp_path / "in" / "r.bin.zst", bytes(packed))
    run = run_job(engine, "decompress", [path], {}, out_policy(tmp_path))
    assert run.state(path) == TaskState.FAILED and "corrupt" in run.reason(path)
    assert leftovers(tmp_path) == []
    assert not (tmp_path / "out" / "r.bin").exists()


def test_concatenated_zstd_frames_all_come_out(engine, tmp_path):
    path = write(
        tmp_path / "in" / "two.txt.zst", _archive("zstd", b"first\n") + _archive("zstd", b"second\n")
    )
    out = run_job(engine, "decompress", [path], {}, out_policy(tmp_path)).result(path)["output"]
    assert _read(out) == b"first\nsecond\n"


def test_archives_keep_the_input_mode_and_date_and_new_files_follow_the_umask(engine, tmp_path):
    src = write(tmp_path / "in" / "a.txt", DATA)
    os.chmod(src, 0o640)
    os.utime(src, (1_600_000_000, 1_600_000_000))
    packed = run_job(engine, "compress", [src], {"format": "zstd"}, out_policy(tmp_path)).result(src)[
        "output"
    ]
    st = os.stat(packed)
    assert stat.S_IMODE(st.st_mode) == 0o640 and int(st.st_mtime) == 1_600_000_000
    back = run_job(
        engine, "decompress", [packed], {}, out_policy(tmp_path, folder=str(tmp_path / "b"), roots=())
    )
    st = os.stat(back.result(packed)["output"])
    assert stat.S_IMODE(st.st_mode) == 0o640 and int(st.st_mtime) == 1_600_000_000
    # A new file (a manifest) gets 0666 minus the umask, as open() would give it.
    old = os.umask(0o022)
    try:
        from core.engine import Engine, EngineConfig

        with Engine(EngineConfig(workers=1)) as fresh:
            made = run_job(fresh, "checksum", [src], {"manifest": "sidecar"}, out_policy(tmp_path))
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(made.result(src)["output"]).st_mode) == 0o644


def test_compress_in_place_keeps_the_mode(engine, tmp_path):
    src = write(tmp_path / "in" / "a.txt", DATA)
    os.chmod(src, 0o644)
    out = run_job(engine, "compress", [src], {}, out_policy(tmp_path, in_place=True)).result(src)["output"]
    assert out == src + ".gz" and not os.path.exists(src)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o644


def test_the_level_reaches_every_compressor(engine, tmp_path):
    src = write(tmp_path / "in" / "a.txt", DATA)
    # Neither 1 nor the default: a level stuck at either fails for every format.
    for fmt, level in (("bz2", 3), ("xz", 2), ("zstd", 19), ("gzip", 5), ("zip", 5)):
        out = run_job(
            engine,
            "compress",
            [src],
            {"format": fmt, "level": level},
            out_policy(tmp_path, folder=str(tmp_path / fmt)),
        )
        packed = _read(out.result(src)["output"])
        if fmt == "bz2":
            assert packed == bz2.compress(DATA, level)
        elif fmt == "xz":
            assert packed == lzma.compress(DATA, preset=level)
        elif fmt == "zstd":
            assert packed == _zstd_stream(level)
        elif fmt == "gzip":
            assert packed[8] == 0  # XFL: 4 for level 1, 2 for level 9, 0 for those between
            assert len(packed) < len(gzip.compress(DATA, 1)) and gzip.decompress(packed) == DATA
        else:
            with zipfile.ZipFile(out.result(src)["output"]) as z:
                info = z.infolist()[0]
            head = info.header_offset
            name_len, extra_len = struct.unpack("<HH", packed[head + 26 : head + 30])
            start = head + 30 + name_len + extra_len
            raw = packed[start : start + info.compress_size]
            deflate = zlib.compressobj(level, zlib.DEFLATED, -15)
            assert raw == deflate.compress(DATA) + deflate.flush()


def _zstd_stream(level: int) -> bytes:
    sink = io.BytesIO()
    with zstandard.ZstdCompressor(level=level, write_checksum=True).stream_writer(sink, closefd=False) as w:
        w.write(DATA)
    return sink.getvalue()


def test_a_one_file_zip_extracts_under_its_member_name(engine, tmp_path):
    path = str(tmp_path / "in" / "bundle.zip")
    os.makedirs(tmp_path / "in")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("sub/report.csv", b"a,b\n1,2\n")
    out = run_job(engine, "decompress", [path], {}, out_policy(tmp_path)).result(path)["output"]
    assert out == str(tmp_path / "out" / "report.csv")
    assert _read(out) == b"a,b\n1,2\n"


def test_zip_refuses_a_name_it_cannot_store(engine, tmp_path):
    os.makedirs(tmp_path / "in")
    src = os.path.join(os.fsencode(tmp_path / "in"), b"caf\xe9.txt")
    with open(src, "wb") as f:
        f.write(b"x")
    path = os.fsdecode(src)
    run = run_job(engine, "compress", [path], {"format": "zip"}, out_policy(tmp_path))
    assert run.state(path) == TaskState.FAILED and "not valid UTF-8" in run.reason(path)
    assert leftovers(tmp_path) == [] and not (tmp_path / "out" / "caf\udce9.txt.zip").exists()
    ok = run_job(engine, "compress", [path], {"format": "gzip"}, out_policy(tmp_path))
    assert gzip.decompress(_read(ok.result(path)["output"])) == b"x"


def test_keep_numbers_the_name_inside_the_archive_suffix(engine, tmp_path):
    src = write(tmp_path / "in" / "a.txt", b"x")
    write(tmp_path / "out" / "a.txt.gz", b"old")
    out = run_job(engine, "compress", [src], {}, out_policy(tmp_path, collision="keep")).result(src)["output"]
    assert out == str(tmp_path / "out" / "a (1).txt.gz")


def test_a_240_character_name_compresses(engine, tmp_path):
    src = write(tmp_path / "in" / ("n" * 236 + ".txt"), DATA)
    out = run_job(engine, "compress", [src], {"format": "zstd"}, out_policy(tmp_path)).result(src)["output"]
    assert os.path.basename(out) == "n" * 236 + ".txt.zst"
    assert zstandard.ZstdDecompressor().decompressobj().decompress(_read(out)) == DATA

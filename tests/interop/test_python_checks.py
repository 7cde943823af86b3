"""The same outputs checked with Python's own readers: these run wherever the suite runs."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import lzma
import os
import zipfile

import pytest
import xxhash
import zstandard
from PIL import Image

from tests.processors import imaging
from tests.processors.conftest import out_policy, run_job, write

DATA = os.urandom(20_000) + b"text " * 20_000
READ = {
    "gzip": gzip.decompress,
    "bz2": bz2.decompress,
    "xz": lzma.decompress,
    "zstd": lambda b: zstandard.ZstdDecompressor().decompressobj().decompress(b),
}


def _bytes(path) -> bytes:
    with open(path, "rb") as f:
        return f.read()


@pytest.mark.parametrize("fmt", [*READ, "zip"])
def test_archives_read_back_whole_with_python(engine, tmp_path, fmt):
    src = write(tmp_path / "in" / "d.bin", DATA)
    archive = run_job(engine, "compress", [src], {"format": fmt}, out_policy(tmp_path)).result(src)["output"]
    if fmt == "zip":
        with zipfile.ZipFile(archive) as z:
            assert z.testzip() is None and z.read("d.bin") == DATA
    else:
        assert READ[fmt](_bytes(archive)) == DATA


@pytest.mark.parametrize(
    ("algorithm", "digest"),
    [
        ("sha256", hashlib.sha256),
        ("blake2b", hashlib.blake2b),
        ("xxh128", xxhash.xxh128),
        ("xxh3_64", xxhash.xxh3_64),
    ],
)
def test_manifest_lines_hold_python_digests(engine, tmp_path, algorithm, digest):
    src = write(tmp_path / "in" / "d.bin", DATA)
    run = run_job(engine, "checksum", [src], {"algorithm": algorithm, "manifest": "folder"})
    line = _bytes(run.result(src)["manifest"]).decode()
    assert digest(DATA).hexdigest() in line and "d.bin" in line


def test_images_open_and_verify_with_pillow(engine, tmp_path):
    inputs = [
        imaging.tagged_jpeg(str(tmp_path / "in" / "t.jpg")),
        imaging.cmyk_jpeg(str(tmp_path / "in" / "c.jpg")),
        imaging.gray16_png(str(tmp_path / "in" / "g.png")),
        imaging.animation(str(tmp_path / "in" / "a.gif"), "GIF"),
    ]
    for fmt in ("keep", "png", "tiff"):
        run = run_job(
            engine,
            "resize",
            inputs,
            {"width": 20, "height": 20, "format": fmt},
            out_policy(tmp_path, folder=str(tmp_path / fmt)),
        )
        for path in inputs:
            with Image.open(run.result(path)["output"]) as im:
                im.verify()


def test_transcoded_text_decodes_as_strict_utf8(engine, tmp_path):
    text = "Grüße, 東京, Привет\n" * 50
    path = write(tmp_path / "in" / "t.txt", text.encode("utf-16"))
    out = run_job(engine, "transcode", [path], {}, out_policy(tmp_path)).result(path)["output"]
    assert _bytes(out).decode("utf-8", "strict") == text

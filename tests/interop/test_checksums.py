"""checksum and verify against sha256sum, b2sum and xxhsum."""

from __future__ import annotations

import os

import pytest

from tests.interop.conftest import tool
from tests.processors.conftest import out_policy, run_job, write

CHECKER = {
    "sha256": "sha256sum",
    "md5": "md5sum",
    "blake2b": "b2sum",
    "xxh64": "xxhsum",
    "xxh3_64": "xxhsum",
    "xxh128": "xxhsum",
}


def _tree(tmp_path):
    names = ("a.bin", "with space.bin", "ü.bin")
    return [write(tmp_path / "in" / n, os.urandom(70_000) + n.encode()) for n in names]


@pytest.mark.parametrize("algorithm", list(CHECKER))
def test_sidecars_pass_the_reference_check(engine, tmp_path, algorithm):
    paths = _tree(tmp_path)
    run = run_job(
        engine, "checksum", paths, {"algorithm": algorithm, "manifest": "sidecar"}, out_policy(tmp_path)
    )
    for path in paths:
        sidecar = run.result(path)["output"]
        out = tool(CHECKER[algorithm], "-c", os.path.basename(sidecar), cwd=os.path.dirname(sidecar)).stdout
        assert ": OK" in out


@pytest.mark.parametrize("algorithm", ["sha256", "blake2b", "xxh3_64"])
def test_folder_manifests_pass_the_reference_check(engine, tmp_path, algorithm):
    paths = _tree(tmp_path)
    run = run_job(engine, "checksum", paths, {"algorithm": algorithm, "manifest": "folder"})
    manifest = run.result(paths[0])["manifest"]
    out = tool(CHECKER[algorithm], "-c", os.path.basename(manifest), cwd=os.path.dirname(manifest)).stdout
    assert out.count(": OK") == 3


@pytest.mark.parametrize(
    ("command", "manifest"),
    [
        (("b2sum",), "B2SUMS"),
        (("b2sum", "-l", "256"), "B2SUMS"),
        (("b2sum", "--tag", "-l", "160"), "checksums.sums"),
        (("sha256sum",), "sha256sums.txt"),
        (("sha256sum", "--tag"), "SHA256SUMS"),
        (("md5sum",), "MD5SUMS"),
        (("xxhsum", "-H3"), "XXH3SUMS"),
        (("xxhsum", "-H2"), "release.sums"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else v,
)
def test_verify_agrees_with_the_tool_that_wrote_the_manifest(engine, tmp_path, command, manifest):
    paths = _tree(tmp_path)
    names = [os.path.basename(p) for p in paths]
    listing = tool(*command, *names, cwd=tmp_path / "in").stdout
    path = write(tmp_path / "in" / manifest, listing.encode())
    tool(command[0], "-c", manifest, cwd=tmp_path / "in")
    assert run_job(engine, "verify", [path]).result(path)["ok"] == 3
    with open(paths[1], "ab") as f:
        f.write(b"changed")
    assert tool(command[0], "-c", manifest, cwd=tmp_path / "in", ok=False).returncode != 0
    again = run_job(engine, "verify", [path])
    assert "1 changed, 0 missing" in again.reason(path)

"""Verify job: check files against a checksum manifest (as ``sha256sum -c`` does).

Each task is one manifest. Listed files are hashed relative to the
manifest's folder; the task reports the files that changed, the files that
are missing, and (for a manifest of several files) the files in its folder
tree that it does not list.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.params import Param, ParamType
from core.processor import Processor, Skip, TaskContext
from core.processors.checksum import ALGORITHMS, hash_file

_BSD = re.compile(rb"^(?P<tag>[A-Za-z0-9_-]+) \((?P<name>.*)\) = (?P<digest>[0-9a-fA-F]+)$")
_GNU = re.compile(rb"^(?P<digest>[0-9a-fA-F]+) [ *](?P<name>.*)$")
_BY_SUFFIX = {
    ".sha256": "sha256",
    ".sha1": "sha1",
    ".md5": "md5",
    ".sha512": "sha512",
    ".b2": "blake2b",
    ".blake2b": "blake2b",
    ".sha3_256": "sha3_256",
    ".xxh64": "xxh64",
    ".xxh3_64": "xxh3_64",
    ".xxh128": "xxh128",
}
_BY_NAME = {"SHA256SUMS": "sha256", "SHA1SUMS": "sha1", "MD5SUMS": "md5", "SHA512SUMS": "sha512"}
_BY_TAG = {"SHA256": "sha256", "SHA1": "sha1", "MD5": "md5", "SHA512": "sha512", "BLAKE2B": "blake2b"}
_BY_LENGTH = {32: "md5", 40: "sha1", 64: "sha256", 128: "sha512"}
MANIFEST_SUFFIXES = (*_BY_SUFFIX, ".sums")
SHOWN = 200  # names per kind kept in the result; every one is logged


class ManifestError(ValueError):
    """The manifest cannot be read as a checksum list."""


class MismatchError(Exception):
    """Files changed or went missing; the message counts them."""


@dataclass(frozen=True, slots=True)
class Entry:
    digest: str
    name: str
    algorithm: str | None


class Verify(Processor):
    """Check files against the manifests given as inputs."""

    name = "verify"
    title = "Checksum: verify"
    description = (
        "Check the files listed in each manifest (sha256sum/md5sum/b2sum or BSD format) and "
        "report changed, missing and extra files. Inputs that are not manifests are skipped."
    )
    params = (
        Param(
            "algorithm",
            ParamType.CHOICE,
            "auto",
            label="Algorithm",
            help="'auto' reads it from the manifest's name, tags or digest length.",
            choices=("auto", *ALGORITHMS),
        ),
        Param(
            "extra",
            ParamType.BOOL,
            True,
            label="Report extra files",
            help="List files in the manifest's folder tree that it does not mention.",
        ),
    )
    result_columns = ("ok", "changed", "missing", "extra")

    def run(self, path: str, params: Mapping[str, Any], ctx: TaskContext) -> Mapping[str, Any]:
        """Verify the manifest ``path``; fail the task if a file changed or is missing."""
        if not looks_like_manifest(path):
            raise Skip("not a checksum manifest")
        entries = read_manifest(path, params["algorithm"])
        base = os.path.dirname(os.path.abspath(path))
        changed, missing = self._check(entries, base, ctx)
        extra = find_extra(path, base, entries) if params["extra"] and not _is_sidecar(path, entries) else []
        for label, names in (("CHANGED", changed), ("MISSING", missing), ("EXTRA", extra)):
            for n in names:
                ctx.logger.warning("%s %s", label, n)
        if changed or missing:
            raise MismatchError(f"{len(changed)} changed, {len(missing)} missing, {len(extra)} extra")
        return {
            "ok": len(entries),
            "changed": 0,
            "missing": 0,
            "extra": len(extra),
            "extra_files": extra[:SHOWN],
        }

    def _check(self, entries: list[Entry], base: str, ctx: TaskContext) -> tuple[list[str], list[str]]:
        changed: list[str] = []
        missing: list[str] = []
        for i, e in enumerate(entries):
            ctx.check_cancelled()
            full = os.path.join(base, e.name)
            try:
                digest, _ = hash_file(full, e.algorithm or "sha256", ctx)
            except FileNotFoundError:
                missing.append(e.name)
                continue
            if digest.lower() != e.digest.lower():
                changed.append(e.name)
            ctx.progress((i + 1) / len(entries))
        return changed, missing


def looks_like_manifest(path: str) -> bool:
    """Whether the name says checksum manifest (``*.sha256``, ``SHA256SUMS``, ...)."""
    name = os.path.basename(path)
    return name.upper() in _BY_NAME or os.path.splitext(name)[1].lower() in MANIFEST_SUFFIXES


def read_manifest(path: str, algorithm: str = "auto") -> list[Entry]:
    """Parse a GNU (``digest  name``) or BSD (``SHA256 (name) = digest``) manifest."""
    guess = None if algorithm == "auto" else algorithm
    if guess is None:
        name = os.path.basename(path)
        guess = _BY_NAME.get(name.upper()) or _BY_SUFFIX.get(os.path.splitext(name)[1].lower())
    entries = []
    with open(path, "rb") as f:
        for number, raw in enumerate(f, 1):
            line = raw.rstrip(b"\r\n")
            if not line.strip() or line.startswith(b"#"):
                continue
            entries.append(_parse_line(line, guess, path, number))
    if not entries:
        raise ManifestError(f"{path}: no checksum lines")
    return entries


def _parse_line(line: bytes, guess: str | None, path: str, number: int) -> Entry:
    escaped = line.startswith(b"\\")
    if escaped:
        line = line[1:]
    m = _BSD.match(line) or _GNU.match(line)
    if m is None:
        raise ManifestError(f"{path}, line {number}: not a checksum line")
    name = m["name"]
    if escaped:
        name = name.replace(b"\\n", b"\n").replace(b"\\r", b"\r").replace(b"\\\\", b"\\")
    digest = m["digest"].decode()
    tag = m.groupdict().get("tag")
    algorithm = guess or (_BY_TAG.get(tag.decode().upper()) if tag else None) or _BY_LENGTH.get(len(digest))
    if algorithm is None:
        raise ManifestError(f"{path}, line {number}: cannot tell the algorithm; set -p algorithm=...")
    return Entry(digest, os.fsdecode(name), algorithm)


def _is_sidecar(path: str, entries: list[Entry]) -> bool:
    """A one-file manifest named after its file: other files are none of its business."""
    return len(entries) == 1 and os.path.splitext(os.path.basename(path))[0] == os.path.basename(
        entries[0].name
    )


def find_extra(manifest: str, base: str, entries: list[Entry]) -> list[str]:
    """Files under ``base`` the manifest does not list (hidden files and manifests left out)."""
    listed = {os.path.normpath(os.path.join(base, e.name)) for e in entries}
    listed.add(os.path.abspath(manifest))
    extra = []
    for folder, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            full = os.path.join(folder, name)
            if name.startswith(".") or looks_like_manifest(full) or full in listed:
                continue
            extra.append(os.path.relpath(full, base))
    return extra

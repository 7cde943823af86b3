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

_BSD = re.compile(rb"^(?P<tag>[A-Za-z0-9_-]+) ?\((?P<name>.*)\) ?= (?P<digest>[0-9a-fA-F]+)$")
_GNU = re.compile(rb"^(?P<digest>[0-9a-fA-F]+) [ *](?P<name>.*)$")
_BY_SUFFIX = {
    ".sha256": "sha256",
    ".sha1": "sha1",
    ".md5": "md5",
    ".sha512": "sha512",
    ".sha224": "sha224",
    ".sha384": "sha384",
    ".b2": "blake2b",
    ".blake2b": "blake2b",
    ".sha3_256": "sha3_256",
    ".xxh64": "xxh64",
    ".xxh3_64": "xxh3_64",
    ".xxh3": "xxh3_64",
    ".xxh128": "xxh128",
}
# SHA256SUMS, sha256sums.txt, B2SUMS, md5sum.txt, XXH3SUMS ... as coreutils and xxhsum users name them.
_SUMS_NAME = re.compile(
    r"^(?P<algo>md5|sha1|sha224|sha256|sha384|sha512|sha3-256|b2|blake2b?|xxh64|xxh3|xxh128)sums?(\.txt)?$",
    re.IGNORECASE,
)
_SUMS_ALGO = {"b2": "blake2b", "blake2": "blake2b", "sha3-256": "sha3_256", "xxh3": "xxh3_64"}
_BY_TAG = {
    "SHA256": "sha256",
    "SHA1": "sha1",
    "MD5": "md5",
    "SHA512": "sha512",
    "SHA224": "sha224",
    "SHA384": "sha384",
    "SHA3-256": "sha3_256",
    "BLAKE2B": "blake2b",
    "XXH64": "xxh64",
    "XXH3": "xxh3_64",
    "XXH3_64": "xxh3_64",
    "XXH128": "xxh128",
}
# Every algorithm a digest of this many hex digits may come from, the likeliest first.
_BY_LENGTH = {
    16: ("xxh64", "xxh3_64"),
    32: ("md5", "xxh128", "blake2b-128"),
    40: ("sha1", "blake2b-160"),
    56: ("sha224", "blake2b-224"),
    64: ("sha256", "sha3_256", "blake2b-256"),
    96: ("sha384", "blake2b-384"),
    128: ("sha512", "blake2b"),
}
MANIFEST_SUFFIXES = (*_BY_SUFFIX, ".sums")
SHOWN = 200  # names per kind kept in the result; every one is logged


class ManifestError(ValueError):
    """The manifest cannot be read as a checksum list."""


class MismatchError(Exception):
    """Files changed or went missing; the message counts them."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One listed file: its digest, its name, and the algorithms that digest may be of (in order)."""

    digest: str
    name: str
    algorithms: tuple[str, ...]


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
            help="'auto' reads it from the manifest's name or tags, and tries every algorithm of the "
            "digest's length before calling a file changed.",
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
                # A manifest may not say its algorithm: only when none of those that give a
                # digest of this length matches has the file changed.
                same = any(hash_file(full, a, ctx)[0] == e.digest.lower() for a in e.algorithms)
            except FileNotFoundError:
                missing.append(e.name)
                continue
            if not same:
                changed.append(e.name)
            ctx.progress((i + 1) / len(entries))
        return changed, missing


def looks_like_manifest(path: str) -> bool:
    """Whether the name says checksum manifest (``*.sha256``, ``SHA256SUMS``, ``sha256sums.txt``, ...)."""
    name = os.path.basename(path)
    return bool(_SUMS_NAME.match(name)) or os.path.splitext(name)[1].lower() in MANIFEST_SUFFIXES


def algorithm_from_name(path: str) -> str | None:
    """The algorithm a manifest's name says (``B2SUMS``: blake2b), or ``None``."""
    name = os.path.basename(path)
    m = _SUMS_NAME.match(name)
    if m:
        algo = m["algo"].lower()
        return _SUMS_ALGO.get(algo, algo)
    return _BY_SUFFIX.get(os.path.splitext(name)[1].lower())


def read_manifest(path: str, algorithm: str = "auto") -> list[Entry]:
    """Parse a GNU (``digest  name``) or BSD (``SHA256 (name) = digest``) manifest."""
    given = None if algorithm == "auto" else algorithm
    named = given or algorithm_from_name(path)
    entries = []
    with open(path, "rb") as f:
        for number, raw in enumerate(f, 1):
            line = raw.rstrip(b"\r\n")
            if not line.strip() or line.startswith(b"#"):
                continue
            entries.append(_parse_line(line, named, given is not None, path, number))
    if not entries:
        raise ManifestError(f"{path}: no checksum lines")
    return entries


def _parse_line(line: bytes, named: str | None, given: bool, path: str, number: int) -> Entry:
    escaped = line.startswith(b"\\")
    if escaped:
        line = line[1:]
    m = _BSD.match(line) or _GNU.match(line)
    if m is None:
        raise ManifestError(f"{path}, line {number}: not a checksum line")
    name = m["name"]
    if escaped:
        name = name.replace(b"\\n", b"\n").replace(b"\\r", b"\r").replace(b"\\\\", b"\\")
    digest = m["digest"].decode().lower()
    tag = m.groupdict().get("tag")
    algorithms = _candidates(tag.decode() if tag else None, named, given, len(digest))
    if not algorithms:
        raise ManifestError(f"{path}, line {number}: cannot tell the algorithm; set -p algorithm=...")
    return Entry(digest, os.fsdecode(name), algorithms)


def _candidates(tag: str | None, named: str | None, given: bool, length: int) -> tuple[str, ...]:
    """The algorithms to try for a digest of ``length`` hex digits, the one the manifest says first."""
    said = named if given else (_tag_algorithm(tag) if tag else None) or named
    if said is not None:
        said = _sized(said, length)
    if given:
        return (said,) if said else ()
    others = tuple(a for a in _BY_LENGTH.get(length, ()) if a != said)
    return ((said,) if said else ()) + others


def _tag_algorithm(tag: str) -> str | None:
    """``BLAKE2b-256`` (as ``b2sum -l 256 --tag`` writes) is blake2b-256; others by name."""
    upper = tag.upper()
    if upper.startswith("BLAKE2B-") and upper[8:].isdigit():
        return f"blake2b-{upper[8:]}"
    return _BY_TAG.get(upper)


def _sized(algorithm: str, length: int) -> str | None:
    """``algorithm`` for a digest of ``length`` hex digits (blake2b's length varies), or ``None``."""
    if algorithm.startswith("blake2b"):
        return "blake2b" if length == 128 else f"blake2b-{length * 4}" if 8 <= length < 128 else None
    return algorithm if algorithm in _BY_LENGTH.get(length, ()) else None


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

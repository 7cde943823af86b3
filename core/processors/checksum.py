"""Checksum job: a digest of each file, streamed in small reused chunks or mapped windows."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING

from core.params import Param, ParamType
from core.processor import Processor, Skip, TaskContext

if TYPE_CHECKING:
    from typing import Any

# 128 KiB: the reused buffer should stay within a core's cache; larger reads gain nothing once
# the kernel's read-ahead streams the file.
CHUNK = 128 * 1024
HASHLIB_ALGORITHMS = ("sha256", "sha1", "md5", "blake2b", "sha512", "sha3_256")
XXHASH_ALGORITHMS = ("xxh64", "xxh3_64", "xxh128")
ALGORITHMS = HASHLIB_ALGORITHMS + XXHASH_ALGORITHMS
# One buffer per process, reused: zeroing 128 KiB per file costs more than hashing 1 KiB.
# Worker processes run one task at a time, so nothing else touches it meanwhile.
_BUFFER = bytearray(CHUNK)
_VIEW = memoryview(_BUFFER)
# Files from MAP_FROM up are hashed a window at a time. A window the page cache
# holds is hashed through a read-only mapping, so its bytes are not copied into
# the buffer first. One that is not in memory is read instead: pages faulted in
# one at a time through a mapping do not get the kernel's read-ahead.
MAP_FROM = 1 << 20
WINDOW = 16 << 20  # mapped at a time: the most a mapping adds to a worker's memory
MANIFEST_SUFFIX = {"blake2b": ".b2"}  # as b2sum names them; others use the algorithm's name
# One manifest per folder, named as coreutils and xxhsum users name theirs.
FOLDER_MANIFEST = {
    "sha256": "SHA256SUMS",
    "sha1": "SHA1SUMS",
    "md5": "MD5SUMS",
    "blake2b": "B2SUMS",
    "sha512": "SHA512SUMS",
    "sha3_256": "SHA3-256SUMS",
    "xxh64": "XXH64SUMS",
    "xxh3_64": "XXH3SUMS",
    "xxh128": "XXH128SUMS",
}
# Written in BSD form: "digest  name" with 16 hex digits means XXH64 to ``xxhsum -c``.
BSD_TAG = {"xxh3_64": "XXH3"}


class Checksum(Processor):
    """Compute a digest of each file, optionally with a manifest beside it."""

    name = "checksum"
    title = "Checksum"
    description = (
        "Compute a digest (SHA-256 by default) of each file. With manifest=sidecar, also write "
        "'NAME.sha256' (readable by 'sha256sum -c', 'md5sum -c', 'b2sum -c', 'xxhsum -c', ...); with "
        "manifest=folder, list each file in one 'SHA256SUMS' (B2SUMS, MD5SUMS, ...) in its own folder."
    )
    params = (
        Param(
            "algorithm",
            ParamType.CHOICE,
            "sha256",
            label="Algorithm",
            help="Hash function; xxh* are fast non-cryptographic hashes.",
            choices=ALGORITHMS,
        ),
        Param(
            "manifest",
            ParamType.CHOICE,
            "none",
            label="Manifest",
            help="'sidecar' writes one manifest per input, in the output folder; 'folder' adds each "
            "file to SHA256SUMS (or B2SUMS, MD5SUMS...) beside it.",
            choices=("none", "sidecar", "folder"),
        ),
    )
    result_columns = ("digest",)
    writes_outputs = True

    @classmethod
    def output_name(cls, name: str, params: Mapping[str, Any]) -> str | None:
        """``NAME.sha256`` (and so on) when a sidecar manifest is asked for."""
        if params.get("manifest", "none") != "sidecar":
            return None  # a folder's manifest is shared by its files: beside them, not per output
        algorithm = params.get("algorithm", "sha256")
        return name + MANIFEST_SUFFIX.get(algorithm, "." + algorithm)

    @classmethod
    def writes_with(cls, params: Mapping[str, Any]) -> bool:
        """Only a sidecar manifest goes through the output policy."""
        return params.get("manifest", "none") == "sidecar"

    @classmethod
    def result_line(cls, path: str, result: Any) -> str | None:
        """``DIGEST  PATH``, exactly as ``sha256sum`` (``md5sum``, ``b2sum``, ``xxhsum``...) prints it.

        The line is a manifest line (``manifest_text``): a name with a
        backslash, newline or carriage return is escaped as GNU coreutils
        does, and XXH3 takes its BSD form, so ``sha256sum -c`` or
        ``xxhsum -c`` reads every line back.
        """
        digest = result.get("digest") if isinstance(result, dict) else None
        if not digest:
            return None
        return manifest_text(digest, path, result.get("algorithm", ""))

    def run(self, path: str, params: Mapping[str, Any], ctx: TaskContext) -> Mapping[str, Any]:
        """Hash ``path`` and return ``{"digest", "algorithm", "bytes"}``."""
        algorithm = params.get("algorithm", "sha256")
        manifest = params.get("manifest", "none")
        if manifest == "none":
            digest, size = hash_file(path, algorithm, ctx)
            return {"digest": digest, "algorithm": algorithm, "bytes": size}
        if manifest == "folder":
            return self._in_folder_manifest(path, algorithm, ctx)
        return self._with_manifest(path, algorithm, params, ctx)

    def _in_folder_manifest(self, path: str, algorithm: str, ctx: TaskContext) -> Mapping[str, Any]:
        from core.processors.manifests import add_to_folder_manifest

        folder, name = os.path.split(os.path.abspath(path))
        manifest = os.path.join(folder, FOLDER_MANIFEST[algorithm])
        if name == FOLDER_MANIFEST[algorithm]:
            raise Skip("the folder's own manifest")
        digest, size = hash_file(path, algorithm, ctx)
        add_to_folder_manifest(manifest, manifest_line(digest, name, algorithm))
        return {"digest": digest, "algorithm": algorithm, "bytes": size, "manifest": manifest}

    def _with_manifest(
        self, path: str, algorithm: str, params: Mapping[str, Any], ctx: TaskContext
    ) -> Mapping[str, Any]:
        name = self.output_name(os.path.basename(path), params) or ""
        ctx.output_path(name)  # skips before hashing if the manifest exists and the rule says so
        digest, size = hash_file(path, algorithm, ctx)
        with ctx.write_output(name) as out:
            listed = os.path.relpath(os.path.abspath(path), os.path.dirname(out.target.path))
            out.file.write(manifest_line(digest, listed, algorithm))
        return {"digest": digest, "algorithm": algorithm, "bytes": size, "output": out.path}


def _xxhash_factory(algorithm: str) -> Callable[[], Any]:
    import xxhash  # only when asked: the default path imports nothing more

    return getattr(xxhash, algorithm)  # type: ignore[no-any-return]


def new_hash(algorithm: str) -> Any:
    """Return a fresh hash object (hashlib or xxhash) for ``algorithm``."""
    return (_CONSTRUCTORS.get(algorithm) or _constructor(algorithm))()


def _constructor(algorithm: str) -> Callable[[], Any]:
    """Look up ``algorithm``'s constructor once per process.

    Direct constructors: ``hashlib.new()`` would look the name up again for
    every file. ``hashlib`` is imported here, on first use: the CLI loads
    this module for the job's parameters only, and should not wait for
    OpenSSL to load before it can queue the first task.
    """
    import hashlib

    if algorithm in XXHASH_ALGORITHMS:
        new = _xxhash_factory(algorithm)
    elif algorithm in HASHLIB_ALGORITHMS:
        new = getattr(hashlib, algorithm)
    elif algorithm.startswith("blake2b-") and algorithm[8:].isdigit():
        # As "b2sum -l BITS" writes: BLAKE2b with a shorter digest (a different hash, not a prefix).
        new = partial(hashlib.blake2b, digest_size=int(algorithm[8:]) // 8)
    else:
        return partial(hashlib.new, algorithm)  # raises for an unknown name
    _CONSTRUCTORS[algorithm] = new
    return new


def hash_file(path: str, algorithm: str, ctx: TaskContext | None = None) -> tuple[str, int]:
    """Return the hex digest of ``path`` and the number of bytes read."""
    h = new_hash(algorithm)
    # The worker stat-ed the file a moment ago (to refuse FIFOs and devices): reuse that.
    size = getattr(ctx, "size", -1)
    if not _READV:
        with open(path, "rb", buffering=0) as f:
            size = size if size >= 0 else _regular_size(f.fileno(), path)
            total = _pump(h, partial(f.readinto, _BUFFER), size, ctx)
        return h.hexdigest(), total
    # A bare descriptor: a file object costs an fstat and an allocation per file,
    # a third of the time of hashing a 1 KiB file. O_NONBLOCK: a FIFO swapped in
    # since the file was listed cannot hang the task (it is refused below).
    fd = os.open(path, _OPEN_FLAGS)
    try:
        size = size if size >= 0 else _regular_size(fd, path)
        if size < CHUNK and (n := os.readv(fd, (_BUFFER,))) < CHUNK:
            h.update(_VIEW[:n])  # most small files: one read, and the short read is the end
            return h.hexdigest(), n
        if _MAPS and size >= MAP_FROM:
            # The size now, not at the stat: a mapping must not reach past the end.
            total = _pump_windows(h, fd, _regular_size(fd, path), ctx)
            return h.hexdigest(), total
        total = _pump(h, partial(os.readv, fd, (_BUFFER,)), size, ctx, n if size < CHUNK else 0)
    finally:
        os.close(fd)
    return h.hexdigest(), total


def _pump(h: Any, read: Callable[[], int], size: int, ctx: TaskContext | None, total: int = 0) -> int:
    """Feed ``h`` from ``read`` (which fills the shared buffer); return the bytes read.

    ``total`` bytes were read already: the buffer holds them and they are hashed first.
    """
    view = _VIEW
    if total:
        h.update(view[:total])
    while n := read():
        h.update(view[:n])
        total += n
        if total >= size and n < CHUNK:
            break  # a short read at the known size is the end: spare the EOF read
        # Only files of several chunks report; tiny files would pay for nothing.
        if ctx is not None and size > 4 * CHUNK and total % (8 * CHUNK) == 0:
            ctx.check_cancelled()
            ctx.progress(total / size)
    return total


def _pump_windows(h: Any, fd: int, size: int, ctx: TaskContext | None) -> int:
    """Feed ``h`` the first ``size`` bytes of ``fd`` a window at a time; return the bytes hashed.

    A file cut short while a window of it is mapped ends its worker with
    SIGBUS: the task fails as "worker lost" (the engine says the input may have
    shrunk), never with the digest of half a file. A file that grows is hashed
    up to the size it had when opened.
    """
    import mmap  # large files only: a run of small files never loads it

    done = 0
    while done < size:
        length = min(WINDOW, size - done)
        if _cached(fd, done + length - 1):
            with mmap.mmap(fd, length, access=mmap.ACCESS_READ, offset=done) as mapped:
                h.update(mapped)  # one call: hashlib releases the GIL for the whole window
            got = length
        else:
            got = _read_window(h, fd, done, length)
        done += got
        if got < length:
            break  # the file shrank since it was opened: what is there was hashed
        if ctx is not None and done < size:
            ctx.check_cancelled()
            ctx.progress(done / size)
    return done


def _read_window(h: Any, fd: int, offset: int, length: int) -> int:
    """Feed ``h`` ``length`` bytes of ``fd`` from ``offset`` through the shared buffer."""
    pos, end = offset, offset + length
    while pos < end and (n := os.preadv(fd, (_VIEW[: min(CHUNK, end - pos)],), pos)):
        h.update(_VIEW[:n])
        pos += n
    return pos - offset


def _cached(fd: int, offset: int) -> bool:
    """Whether the page of ``fd`` holding ``offset`` is in memory: a read told not to wait succeeds."""
    try:
        return os.preadv(fd, (_PROBE,), offset, os.RWF_NOWAIT) == 1
    except OSError:  # EAGAIN: not in memory; or the file system cannot tell
        return False


_CONSTRUCTORS: dict[str, Callable[[], Any]] = {}  # filled by _constructor()
_READV = hasattr(os, "readv")  # POSIX; Windows reads through a file object
_MAPS = _READV and hasattr(os, "RWF_NOWAIT")  # Linux: the page cache can be asked
_PROBE = bytearray(1)
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def _regular_size(fd: int, path: str) -> int:
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        raise OSError(f"not a regular file, not read: {path!r}")
    return st.st_size


def manifest_line(digest: str, name: str, algorithm: str = "") -> bytes:
    """One line of a ``sha256sum``-style manifest, as bytes (names may not be UTF-8): ``manifest_text``."""
    return os.fsencode(manifest_text(digest, name, algorithm) + "\n")


def manifest_text(digest: str, name: str, algorithm: str = "") -> str:
    r"""One line of a ``sha256sum``-style manifest, without its newline, as text.

    Names holding a backslash or a newline are escaped, and the line then
    starts with a backslash, as GNU coreutils does. An algorithm that
    ``xxhsum -c`` would take for another by its digest's length (XXH3 for
    XXH64) is written in BSD form, ``XXH3 (name) = digest``. A name that is
    not UTF-8 holds its bytes as ``os.fsdecode`` does; ``os.fsencode`` gives
    them back (no such byte reads as a backslash, newline or carriage return).
    """
    name = name.replace(os.sep, "/")
    escaped = "\\" in name or "\n" in name or "\r" in name
    if escaped:
        name = name.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
    lead = "\\" if escaped else ""
    tag = BSD_TAG.get(algorithm)
    if tag:
        return f"{lead}{tag} ({name}) = {digest}"
    return f"{lead}{digest}  {name}"

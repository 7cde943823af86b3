"""Compress and decompress jobs: gzip, bz2, xz, zstd and zip, one archive per file, streamed."""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import zipfile
import zlib
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from typing import IO, Any

from core.params import Param, ParamError, Params, ParamType
from core.processor import Processor, TaskContext

CHUNK = 1024 * 1024
FORMATS = ("gzip", "bz2", "xz", "zstd", "zip")
SUFFIX = {"gzip": ".gz", "bz2": ".bz2", "xz": ".xz", "zstd": ".zst", "zip": ".zip"}
LEVELS = {"gzip": (1, 9), "bz2": (1, 9), "xz": (1, 9), "zstd": (1, 22), "zip": (1, 9)}
MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"PK\x03\x04", "zip"),
)
_STRIP = {".gz": "", ".tgz": ".tar", ".bz2": "", ".tbz2": ".tar", ".xz": "", ".txz": ".tar", ".zst": ""}
_STRIP.update({".zip": "", ".tzst": ".tar"})


def _check_level(values: Mapping[str, Any]) -> None:
    level, fmt = values["level"], values["format"]
    low, high = LEVELS[fmt]
    if level and not low <= level <= high:
        raise ParamError(
            "{level} is not allowed for {format}; expected 0 (default) or {low} to {high}",
            "level",
            level=level,
            format=fmt,
            low=low,
            high=high,
        )


class Compress(Processor):
    """Compress each file into an archive of its own."""

    name = "compress"
    title = "Compress"
    description = "Compress each file (gzip, bz2, xz, zstd or zip); the original is kept unless in place."
    params = Params(
        (
            Param(
                "format", ParamType.CHOICE, "gzip", label="Format", help="Archive format.", choices=FORMATS
            ),
            Param(
                "level",
                ParamType.INT,
                0,
                label="Level",
                help="0: the format's default; 1-9 (zstd 1-22): higher is smaller and slower.",
                minimum=0,
                maximum=22,
            ),
        ),
        checks=(_check_level,),
    )
    result_columns = ("ratio",)
    writes_outputs = True

    @classmethod
    def output_name(cls, name: str, params: Mapping[str, Any]) -> str | None:
        """``name.gz`` and so on."""
        return name + SUFFIX[params.get("format", "gzip")]

    def run(self, path: str, params: Mapping[str, Any], ctx: TaskContext) -> Mapping[str, Any]:
        """Write the archive; return sizes and the compression ratio."""
        fmt, level = params["format"], params["level"]
        size = os.path.getsize(path)
        name = self.output_name(os.path.basename(path), params) or ""
        with (
            open(path, "rb") as src,
            ctx.write_output(name) as out,
            _compressor(fmt, level, out.file, path) as sink,
        ):
            out.like = path  # as gzip does: the archive keeps the file's mode and date
            copy_stream(src, sink, size, ctx)
        packed = os.path.getsize(out.path or "")
        return {
            "output": out.path,
            "bytes": size,
            "packed": packed,
            "ratio": round(packed / size, 4) if size else 1.0,
        }


def _compressor(fmt: str, level: int, raw: IO[bytes], path: str) -> AbstractContextManager[Any]:
    name = os.path.basename(path)
    if fmt == "gzip":
        mtime = int(os.path.getmtime(path))
        return gzip.GzipFile(filename=name, mode="wb", compresslevel=level or 9, fileobj=raw, mtime=mtime)
    if fmt == "bz2":
        return bz2.BZ2File(raw, "wb", compresslevel=level or 9)
    if fmt == "xz":
        return lzma.LZMAFile(raw, "wb", preset=level if level else None)
    if fmt == "zstd":
        import zstandard

        cctx = zstandard.ZstdCompressor(level=level or 3, write_checksum=True)
        return cctx.stream_writer(raw, closefd=False)  # type: ignore[no-any-return]
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        # zip names are UTF-8 or (without the flag) CP437: neither would give this name back.
        raise ValueError(
            f"the name {os.fsencode(name)!r} is not valid UTF-8, so a zip archive cannot store it "
            "faithfully; rename the file or choose gzip, bz2, xz or zstd"
        ) from None
    archive = zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)
    info = zipfile.ZipInfo.from_file(path, arcname=name)  # keeps the file's date
    info.compress_type = zipfile.ZIP_DEFLATED
    for attr in ("compress_level", "_compresslevel"):  # renamed in Python 3.13
        if hasattr(info, attr):
            setattr(info, attr, level or None)
    return _ZipMember(archive, info)


class _ZipMember:
    """A writable member of a one-file zip archive; closing it closes the archive."""

    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        self.archive = archive
        self.member = archive.open(info, "w", force_zip64=True)

    def __enter__(self) -> IO[bytes]:
        return self.member

    def __exit__(self, *exc: object) -> None:
        self.member.close()
        self.archive.close()


def copy_stream(src: Any, dst: IO[bytes], size: int, ctx: TaskContext, raw: IO[bytes] | None = None) -> int:
    """Copy in 1 MiB chunks, reporting progress and honouring cancellation; return the bytes copied.

    Progress is the share of ``size`` copied or, given the compressed input
    ``raw`` that ``src`` decompresses, the share of ``raw`` read.
    """
    done = 0
    while chunk := src.read(CHUNK):
        dst.write(chunk)
        done += len(chunk)
        ctx.check_cancelled()
        if size:
            ctx.progress(min(1.0, (done if raw is None else raw.tell()) / size))
    return done


def detect_format(path: str) -> str | None:
    """The compression format by its magic bytes, or ``None``."""
    with open(path, "rb") as f:
        head = f.read(6)
    return next((fmt for magic, fmt in MAGIC if head.startswith(magic)), None)


class Decompress(Processor):
    """Restore the original of each archive; the format is read from the file itself."""

    name = "decompress"
    title = "Decompress"
    description = "Decompress gzip, bz2, xz, zstd or one-file zip archives; the format is detected."
    params = ()
    result_columns = ("format",)
    writes_outputs = True

    @classmethod
    def output_name(cls, name: str, params: Mapping[str, Any]) -> str | None:
        """``a.txt.gz`` gives ``a.txt``; ``a.tgz`` gives ``a.tar``; unknown suffixes get ``.out``.

        A zip archive's file is written under its own name, which only the
        archive knows: plans show the archive's name without ``.zip``.
        """
        stem, ext = os.path.splitext(name)
        if ext.lower() in _STRIP and stem:
            return stem + _STRIP[ext.lower()]
        return name + ".out"

    def run(self, path: str, params: Mapping[str, Any], ctx: TaskContext) -> Mapping[str, Any]:
        """Decompress ``path``; fail with a clear reason if it is not a whole archive.

        A truncated or corrupt stream fails the task and leaves no output: the
        output is staged, and every format's end marker (and checksum, where it
        has one) is checked before it is moved into place.
        """
        fmt = detect_format(path)
        if fmt is None:
            raise NotCompressedError("not a compressed file (no gzip, bz2, xz, zstd or zip signature)")
        size = os.path.getsize(path)
        name = self.output_name(os.path.basename(path), params) or ""
        with open(path, "rb") as raw, _decompressor(fmt, raw) as src:
            if isinstance(src, _ZipMemberReader):
                name = src.name
            with ctx.write_output(name) as out:
                out.like = path  # as gunzip does: the file keeps the archive's mode and date
                try:
                    done = copy_stream(src, out.file, size, ctx, raw)
                except (EOFError, OSError, ValueError, lzma.LZMAError, zlib.error, zipfile.BadZipFile) as exc:
                    raise CorruptArchiveError(f"truncated or corrupt {fmt} data: {exc}") from None
        return {"output": out.path, "format": fmt, "bytes": done, "packed": size}


class CorruptArchiveError(ValueError):
    """The compressed stream ends early or does not check out."""


class NotCompressedError(ValueError):
    """The input carries no signature of a format this job reads."""


class _ZstdFrames:
    """Read one or more zstd frames; a stream that ends inside a frame is an error.

    ``zstandard``'s stream reader returns what it has when the input ends
    early, so the end of each frame is checked here (``zstd -t`` says
    "premature end" for the same file).
    """

    def __init__(self, raw: IO[bytes]) -> None:
        import zstandard

        self.raw = raw
        self.error = zstandard.ZstdError
        self.new = zstandard.ZstdDecompressor().decompressobj
        self.frame = self.new()
        self.started = False

    def read(self, size: int) -> bytes:
        # Small input pieces: what one piece expands to is held in memory at once.
        while chunk := self.raw.read(min(size, 64 * 1024)):
            out = self._feed(chunk)
            if out:
                return out
        if self.started and not self.frame.eof:
            raise EOFError("the zstd stream ends inside a frame (premature end)")
        return b""

    def _feed(self, chunk: bytes) -> bytes:
        out = []
        while chunk:
            if self.frame.eof:
                self.frame = self.new()
            self.started = True
            try:
                out.append(self.frame.decompress(chunk))
            except self.error as exc:
                raise ValueError(str(exc)) from None
            chunk = self.frame.unused_data if self.frame.eof else b""
        return b"".join(out)

    def __enter__(self) -> _ZstdFrames:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class _ZipMemberReader:
    """The one file of a zip archive, opened; ``name`` is its own file name."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) != 1:
            archive.close()
            raise ValueError(
                f"the zip archive holds {len(members)} files; decompress handles one file per archive"
            )
        self.archive = archive
        # The name only: a member called "../x" or "/etc/x" must not choose the folder.
        self.name = os.path.basename(members[0].filename.replace("\\", "/"))
        if self.name in ("", ".", ".."):
            archive.close()
            raise ValueError(f"the zip member's name {members[0].filename!r} is not a file name")
        self.member = archive.open(members[0])

    def read(self, size: int) -> bytes:
        return self.member.read(size)

    def __enter__(self) -> _ZipMemberReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.member.close()
        self.archive.close()


def _decompressor(fmt: str, raw: IO[bytes]) -> AbstractContextManager[Any]:
    opener: dict[str, Callable[[IO[bytes]], Any]] = {
        "gzip": lambda f: gzip.GzipFile(fileobj=f, mode="rb"),
        "bz2": lambda f: bz2.BZ2File(f, "rb"),
        "xz": lambda f: lzma.LZMAFile(f, "rb"),  # noqa: SIM115 - closed by the caller's with
        "zstd": _ZstdFrames,
    }
    if fmt in opener:
        return opener[fmt](raw)  # type: ignore[no-any-return]
    try:
        return _ZipMemberReader(zipfile.ZipFile(raw))
    except zipfile.BadZipFile as exc:
        raise CorruptArchiveError(f"truncated or corrupt zip archive: {exc}") from None

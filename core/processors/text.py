"""Text jobs: transcode to UTF-8, normalise line endings, find and replace, statistics.

Files are decoded as streams (1 MiB of characters at a time); the encoding is
detected from the first MiB with charset-normalizer unless given. Only
``replace`` with ``scope=file`` reads a whole file, because its pattern may
span lines.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Callable, Iterator, Mapping
from typing import IO, Any, TypeVar

from core.params import Param, ParamError, Params, ParamType
from core.processor import Processor, TaskContext

SAMPLE = 1024 * 1024
CHARS = 1024 * 1024
CHAOS_MARGIN = 0.1
WORD = re.compile(r"\S+")
T = TypeVar("T")
NEWLINES = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf_32"),
    (codecs.BOM_UTF32_BE, "utf_32"),
    (codecs.BOM_UTF8, "utf_8_sig"),
    (codecs.BOM_UTF16_LE, "utf_16"),
    (codecs.BOM_UTF16_BE, "utf_16"),
)


class TextError(ValueError):
    """The file cannot be read as text."""


def detect_encoding(path: str) -> str:
    """Return the codec name of ``path``'s text (BOM, then UTF-8, then charset-normalizer)."""
    return str(codecs.lookup(_detect(path)).name)


def _detect(path: str) -> str:
    with open(path, "rb") as f:
        sample = f.read(SAMPLE)
        more = bool(f.read(1))
    return _detect_bytes(sample, more)


def _detect_bytes(sample: bytes, more: bool) -> str:
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name
    try:
        # A sample may end inside a character: only a complete file must end cleanly.
        codecs.getincrementaldecoder("utf_8")().decode(sample, final=not more)
        return "utf_8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = list(from_bytes(sample))
    if not matches:
        raise TextError("cannot detect the text encoding (is it binary data?)")
    # Among decodings about as clean as the cleanest, trust the one that reads
    # most like a language: plain "least chaos" takes Shift-JIS for Korean.
    cleanest = min(m.chaos for m in matches)
    best = max((m for m in matches if m.chaos <= cleanest + CHAOS_MARGIN), key=lambda m: m.coherence)
    return str(best.encoding)


def _check_encoding(values: Mapping[str, Any]) -> None:
    name = values.get("encoding", "auto")
    if name == "auto":
        return
    try:
        codecs.lookup(name)
    except LookupError:
        raise ParamError(
            f"parameter 'encoding': {name!r} is not a known encoding; expected auto or e.g. cp1252"
        ) from None


def _encoding_param() -> Param:
    return Param(
        "encoding",
        ParamType.STR,
        "auto",
        label="Source encoding",
        help="'auto' detects it; or a name such as cp1252, latin-1, shift_jis, utf-16.",
    )


def open_text(path: str, encoding: str, universal: bool) -> IO[str]:
    """Open ``path`` as text; ``universal`` turns every line ending into LF."""
    return open(path, encoding=encoding, errors="strict", newline=None if universal else "")


def with_encoding(path: str, params: Mapping[str, Any], work: Callable[[str], T]) -> T:
    """Run ``work(encoding)`` with the given or detected encoding.

    Detection sees the first MiB only. When that was plain UTF-8 (often just
    ASCII) and a later byte is not, the encoding is detected again from the
    block that failed and ``work`` runs once more from the start; its output
    was staged, so the first attempt left nothing behind.
    """
    given = params.get("encoding", "auto")
    encoding = given if given != "auto" else detect_encoding(path)
    try:
        return work(encoding)
    except UnicodeDecodeError as exc:
        # Around the bad byte only: long ASCII runs make every multi-byte codec look clean.
        around = exc.object[max(0, exc.start - 512) : exc.start + 512]
        second = _detect_block(around) if given == "auto" and encoding == "utf-8" else None
        if second is None or second == encoding:
            raise _decode_error(encoding, exc) from None
    try:
        return work(second)
    except UnicodeDecodeError as exc:
        raise _decode_error(second, exc) from None


def _detect_block(block: bytes) -> str | None:
    try:
        return str(codecs.lookup(_detect_bytes(block, more=True)).name)
    except TextError:
        return None


def chunks(src: IO[str], size: int, ctx: TaskContext) -> Iterator[str]:
    """Read ``src`` in pieces, with progress by bytes and cancellation."""
    while piece := src.read(CHARS):
        yield piece
        ctx.check_cancelled()
        if size:
            ctx.progress(min(0.99, src.buffer.tell() / size))  # type: ignore[attr-defined]


def _decode_error(encoding: str, exc: UnicodeDecodeError) -> TextError:
    # exc.start counts from the decoder's current block, not the file: name the byte instead.
    bad = exc.object[exc.start : exc.start + 1].hex()
    return TextError(f"not valid {encoding} text: byte 0x{bad} ({exc.reason}); set the encoding parameter")


class _TextJob(Processor):
    writes_outputs = True

    @classmethod
    def output_name(cls, name: str, params: Mapping[str, Any]) -> str | None:
        """The same name: text jobs change contents, not formats."""
        return name


class Transcode(_TextJob):
    """Re-encode text as UTF-8."""

    name = "transcode"
    title = "Text: convert to UTF-8"
    description = "Re-encode each text file as UTF-8, detecting its encoding; optionally fix line endings."
    params = Params(
        (
            _encoding_param(),
            Param(
                "newline",
                ParamType.CHOICE,
                "keep",
                label="Line endings",
                help="Keep them, or write LF, CRLF or CR.",
                choices=("keep", *NEWLINES),
            ),
            Param("bom", ParamType.BOOL, False, label="Write a BOM", help="Start the file with a UTF-8 BOM."),
        ),
        checks=(_check_encoding,),
    )
    result_columns = ("encoding",)

    def run(self, path: str, params: Mapping[str, Any], ctx: TaskContext) -> Mapping[str, Any]:
        """Write the UTF-8 copy; return the source encoding."""
        newline = NEWLINES.get(params["newline"])
        size = os.path.getsize(path)
        name = self.output_name(os.path.basename(path), params) or ""

        def work(encoding: str) -> Mapping[str, Any]:
            with open_text(path, encoding, newline is not None) as src, ctx.write_output(name, "wb") as out:
                if params["bom"]:
                    out.file.write(codecs.BOM_UTF8)
                for piece in chunks(src, size, ctx):
                    out.file.write((piece.replace("\n", newline) if newline else piece).encode())
            return {"output": out.path, "encoding": encoding}

        return with_encoding(path, params, work)


class LineEndings(_TextJob):
    """Make every line end the same way, keeping the encoding."""

    name = "line-endings"
    title = "Text: line endings"
    description = "Rewrite each text file with LF, CRLF or CR line endings, in its own encoding."
    params = Params(
        (
            Param(
                "newline",
                ParamType.CHOICE,
                "lf",
                label="Line endings",
                help="Line ending to write.",
                choices=tuple(NEWLINES),
            ),
            _encoding_param(),
        ),
        checks=(_check_encoding,),
    )
    result_columns = ("encoding",)

    def run(self, path: str, params: Mapping[str, Any], ctx: TaskContext) -> Mapping[str, Any]:
        """Write the copy with the new line endings."""
        newline = NEWLINES[params["newline"]]
        size = os.path.getsize(path)
        name = self.output_name(os.path.basename(path), params) or ""

        def work(encoding: str) -> Mapping[str, Any]:
            encoder = codecs.getincrementalencoder(encoding)()
            with open_text(path, encoding, True) as src, ctx.write_output(name, "wb") as out:
                for piece in chunks(src, size, ctx):
                    out.file.write(encoder.encode(piece.replace("\n", newline)))
                out.file.write(encoder.encode("", final=True))
            return {"output": out.path, "encoding": encoding}

        return with_encoding(path, params, work)


def _check_pattern(values: Mapping[str, Any]) -> None:
    _check_encoding(values)
    if not values["pattern"]:
        raise ParamError("parameter 'pattern': give a regular expression")
    try:
        re.compile(values["pattern"])
    except re.error as exc:
        raise ParamError(
            f"parameter 'pattern': {values['pattern']!r} is not a valid regular expression: {exc}"
        ) from None


class Replace(_TextJob):
    """Regular-expression find and replace."""

    name = "replace"
    title = "Text: find and replace"
    description = "Replace every match of a regular expression (Python syntax; \\1 in the replacement)."
    params = Params(
        (
            Param("pattern", ParamType.STR, "", label="Find", help="Regular expression."),
            Param(
                "replacement",
                ParamType.STR,
                "",
                label="Replace with",
                help="Text; \\1 or \\g<name> for groups.",
            ),
            Param(
                "ignore_case", ParamType.BOOL, False, label="Ignore case", help="Match regardless of case."
            ),
            Param(
                "scope",
                ParamType.CHOICE,
                "line",
                label="Match within",
                help="'line' streams the file line by line; 'file' lets a match span lines (reads it whole).",
                choices=("line", "file"),
            ),
            _encoding_param(),
        ),
        checks=(_check_pattern,),
    )
    result_columns = ("replacements",)

    def run(self, path: str, params: Mapping[str, Any], ctx: TaskContext) -> Mapping[str, Any]:
        """Write the copy with replacements, in the file's own encoding."""
        flags = re.IGNORECASE if params["ignore_case"] else 0
        whole = params["scope"] == "file"
        pattern = re.compile(params["pattern"], flags | (re.MULTILINE if whole else 0))
        name = self.output_name(os.path.basename(path), params) or ""

        def work(encoding: str) -> Mapping[str, Any]:
            count = 0
            encoder = codecs.getincrementalencoder(encoding)()
            with open_text(path, encoding, False) as src, ctx.write_output(name, "wb") as out:
                for piece in [src.read()] if whole else src:
                    text, n = pattern.subn(params["replacement"], piece)
                    count += n
                    out.file.write(encoder.encode(text))
                    ctx.check_cancelled()
                out.file.write(encoder.encode("", final=True))
            return {"output": out.path, "replacements": count, "encoding": encoding}

        return with_encoding(path, params, work)


class TextStats(Processor):
    """Count lines, words and characters."""

    name = "text-stats"
    title = "Text: statistics"
    description = "Count the lines, words and characters of each text file and report its encoding."
    params = Params((_encoding_param(),), checks=(_check_encoding,))
    result_columns = ("lines", "words", "characters", "encoding")

    def run(self, path: str, params: Mapping[str, Any], ctx: TaskContext) -> Mapping[str, Any]:
        """Stream the file once; words are runs of non-space characters."""
        size = os.path.getsize(path)

        def work(encoding: str) -> Mapping[str, Any]:
            lines = words = characters = 0
            last = "\n"
            with open_text(path, encoding, True) as src:
                for piece in chunks(src, size, ctx):
                    characters += len(piece)
                    lines += piece.count("\n")
                    words += len(WORD.findall(piece))
                    if not last.isspace() and not piece[0].isspace():
                        words -= 1  # one word cut in two by the chunk boundary
                    last = piece[-1]
            if last != "\n":
                lines += 1  # a last line without its newline still counts
            return {
                "lines": lines,
                "words": words,
                "characters": characters,
                "encoding": encoding,
                "bytes": size,
            }

        return with_encoding(path, params, work)

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
from collections.abc import Iterator, Mapping
from typing import IO, Any

from core.params import Param, ParamError, Params, ParamType
from core.processor import Processor, TaskContext

SAMPLE = 1024 * 1024
CHARS = 1024 * 1024
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
    """Return the Python codec name of ``path``'s text (BOM, then UTF-8, then charset-normalizer)."""
    with open(path, "rb") as f:
        sample = f.read(SAMPLE)
        more = bool(f.read(1))
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

    best = from_bytes(sample).best()
    if best is None:
        raise TextError("cannot detect the text encoding (is it binary data?)")
    return str(codecs.lookup(best.encoding).name)


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


def open_text(path: str, params: Mapping[str, Any], universal: bool) -> tuple[IO[str], str]:
    """Open ``path`` as text in its encoding; ``universal`` turns every line ending into LF."""
    encoding = params.get("encoding", "auto")
    if encoding == "auto":
        encoding = detect_encoding(path)
    return open(path, encoding=encoding, errors="strict", newline=None if universal else ""), encoding


def chunks(src: IO[str], size: int, ctx: TaskContext) -> Iterator[str]:
    """Read ``src`` in pieces, with progress by bytes and cancellation."""
    total = 0
    while piece := src.read(CHARS):
        yield piece
        ctx.check_cancelled()
        total += len(piece)
        if size:
            ctx.progress(min(0.99, src.buffer.tell() / size))  # type: ignore[attr-defined]


def _decode_error(path: str, encoding: str, exc: UnicodeDecodeError) -> TextError:
    return TextError(f"not valid {encoding} text near byte {exc.start}: {exc.reason}")


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
        src, encoding = open_text(path, params, universal=newline is not None)
        with src, ctx.write_output(self.output_name(os.path.basename(path), params) or "", "wb") as out:
            write = out.file.write
            if params["bom"]:
                write(codecs.BOM_UTF8)
            try:
                for piece in chunks(src, size, ctx):
                    write((piece.replace("\n", newline) if newline and newline != "\n" else piece).encode())
            except UnicodeDecodeError as exc:
                raise _decode_error(path, encoding, exc) from None
        return {"output": out.path, "encoding": encoding}


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
        src, encoding = open_text(path, params, universal=True)
        encoder = codecs.getincrementalencoder(encoding)()
        with src, ctx.write_output(self.output_name(os.path.basename(path), params) or "", "wb") as out:
            try:
                for piece in chunks(src, size, ctx):
                    out.file.write(encoder.encode(piece.replace("\n", newline) if newline != "\n" else piece))
            except UnicodeDecodeError as exc:
                raise _decode_error(path, encoding, exc) from None
            out.file.write(encoder.encode("", final=True))
        return {"output": out.path, "encoding": encoding}


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
        pattern = re.compile(params["pattern"], flags | (re.MULTILINE if params["scope"] == "file" else 0))
        src, encoding = open_text(path, params, universal=False)
        count = 0
        encoder = codecs.getincrementalencoder(encoding)()
        with src, ctx.write_output(self.output_name(os.path.basename(path), params) or "", "wb") as out:
            try:
                pieces = [src.read()] if params["scope"] == "file" else src
                for piece in pieces:
                    text, n = pattern.subn(params["replacement"], piece)
                    count += n
                    out.file.write(encoder.encode(text))
                    ctx.check_cancelled()
            except UnicodeDecodeError as exc:
                raise _decode_error(path, encoding, exc) from None
            out.file.write(encoder.encode("", final=True))
        return {"output": out.path, "replacements": count, "encoding": encoding}


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
        src, encoding = open_text(path, params, universal=True)
        lines = words = characters = 0
        last = "\n"
        word = re.compile(r"\S+")
        with src:
            try:
                for piece in chunks(src, size, ctx):
                    characters += len(piece)
                    lines += piece.count("\n")
                    words += len(word.findall(piece))
                    if not last.isspace() and not piece[0].isspace():
                        words -= 1  # one word cut in two by the chunk boundary
                    last = piece[-1]
            except UnicodeDecodeError as exc:
                raise _decode_error(path, encoding, exc) from None
        if last != "\n":
            lines += 1  # a last line without its newline still counts
        return {"lines": lines, "words": words, "characters": characters, "encoding": encoding, "bytes": size}

"""Text jobs: transcode to UTF-8, normalise line endings, find and replace, statistics.

Files are decoded as streams (1 MiB of characters at a time). Unless the
encoding is given, it is detected conservatively (``core.processors.encoding``):
a job writes text only when the encoding is certain, and fails with
"encoding not certain" otherwise. Binary files are refused. Only ``replace``
with ``scope=file`` reads a whole file, because its pattern may span lines.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO, Any, TypeVar

from core.params import Param, ParamError, Params, ParamType
from core.processor import Processor, TaskContext
from core.processors.encoding import TextError, check_fallback, detect, refuse_binary

CHARS = 1024 * 1024
WORD = re.compile(r"\S+")
T = TypeVar("T")
NEWLINES = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}
BOM = "\ufeff"

__all__ = ["LineEndings", "Replace", "TextError", "TextStats", "Transcode", "detect_encoding"]


def detect_encoding(path: str, fallback: str = "") -> str:
    """Return the codec name of ``path``'s text, or raise ``TextError`` (see ``core.processors.encoding``)."""
    return detect(path, check_fallback(fallback))


def _check_encoding(values: Mapping[str, Any]) -> None:
    name = values.get("encoding", "auto")
    if name != "auto":
        try:
            codecs.lookup(name)
        except LookupError:
            raise ParamError(
                "{name!r} is not a known encoding; expected auto or e.g. cp1252", "encoding", name=name
            ) from None
    try:
        check_fallback(values.get("fallback", ""))
    except LookupError as exc:
        raise ParamError("{reason}; expected names such as cp1252,gbk", "fallback", reason=str(exc)) from None


def _encoding_params() -> tuple[Param, Param]:
    return (
        Param(
            "encoding",
            ParamType.STR,
            "auto",
            label="Source encoding",
            help="'auto' detects it (UTF-8, or a marked UTF-16/32); or a name such as cp1252, shift_jis.",
        ),
        Param(
            "fallback",
            ParamType.STR,
            "",
            label="Likely legacy encodings",
            help="With 'auto': the encodings a file that is not UTF-8 may be in, e.g. cp1252,gbk.",
        ),
    )


def open_text(path: str, encoding: str, universal: bool) -> IO[str]:
    """Open ``path`` as text; ``universal`` turns every line ending into LF."""
    return open(path, encoding=encoding, errors="strict", newline=None if universal else "")


def with_encoding(path: str, params: Mapping[str, Any], work: Callable[[str], T]) -> T:
    """Run ``work(encoding)`` with the given or detected encoding.

    Detection is certain or fails; a byte the encoding cannot decode later
    in the file fails the task (its output was staged, so nothing is left).
    """
    with open(path, "rb") as f:
        refuse_binary(f.read(512))
    given = params.get("encoding", "auto")
    encoding = given if given != "auto" else detect_encoding(path, params.get("fallback", ""))
    try:
        return work(encoding)
    except UnicodeDecodeError as exc:
        raise _decode_error(encoding, exc, given == "auto") from None


def text_pieces(pieces: Iterable[str]) -> Iterator[str]:
    """Pass ``pieces`` on, refusing a NUL character (binary data, whatever the encoding said)."""
    for piece in pieces:
        if "\x00" in piece:
            raise TextError("binary file (it holds NUL characters), not text")
        yield piece


def chunks(src: IO[str], size: int, ctx: TaskContext) -> Iterator[str]:
    """Read ``src`` in pieces, with progress by bytes and cancellation."""
    while piece := src.read(CHARS):
        if "\x00" in piece:
            raise TextError("binary file (it holds NUL characters), not text")
        yield piece
        ctx.check_cancelled()
        if size:
            ctx.progress(min(0.99, src.buffer.tell() / size))  # type: ignore[attr-defined]


def _decode_error(encoding: str, exc: UnicodeDecodeError, detected: bool) -> TextError:
    # exc.start counts from the decoder's current block, not the file: name the byte instead.
    bad = exc.object[exc.start : exc.start + 1].hex()
    if detected:
        return TextError(
            f"encoding not certain: {encoding} fits the start but not byte 0x{bad} further on; "
            "give -p encoding=..."
        )
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
            *_encoding_params(),
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
                for i, piece in enumerate(chunks(src, size, ctx)):
                    if i == 0 and piece.startswith(BOM):
                        piece = piece[1:]  # a UTF-16/32 mark read as a character: UTF-8 needs none
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
            *_encoding_params(),
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
    r"""Check the pattern and the replacement before anything runs (a bad ``\p`` would fail every task)."""
    _check_encoding(values)
    if not values["pattern"]:
        raise ParamError("give the text or regular expression to find", "pattern")
    if values["fixed"]:
        return
    try:
        compiled = re.compile(values["pattern"])
    except re.error as exc:
        raise ParamError(
            "{pattern!r} is not a valid regular expression: {reason}",
            "pattern",
            pattern=values["pattern"],
            reason=str(exc),
        ) from None
    try:
        compiled.sub(values["replacement"], "")  # parses the replacement's escapes and group references
    except (re.error, IndexError) as exc:
        raise ParamError(
            "{replacement!r} is not valid for this pattern: {reason}; "
            "write \\\\ for a backslash, or set fixed=true",
            "replacement",
            replacement=values["replacement"],
            reason=str(exc),
        ) from None


def _substitution(params: Mapping[str, Any]) -> tuple[re.Pattern[str], Any]:
    """The compiled pattern and the replacement (a literal function in fixed mode)."""
    whole = params["scope"] == "file"
    flags = (re.IGNORECASE if params["ignore_case"] else 0) | (re.MULTILINE if whole else 0)
    if params["fixed"]:
        literal = params["replacement"]
        return re.compile(re.escape(params["pattern"]), flags), lambda _m: literal
    return re.compile(params["pattern"], flags), params["replacement"]


class Replace(_TextJob):
    """Find and replace: a regular expression, or plain text with ``fixed``."""

    name = "replace"
    title = "Text: find and replace"
    description = (
        "Replace every match of a regular expression (Python syntax; \\1 in the replacement), "
        "or of plain text with fixed=true."
    )
    params = Params(
        (
            Param("pattern", ParamType.STR, "", label="Find", help="Regular expression (or text, if fixed)."),
            Param(
                "replacement",
                ParamType.STR,
                "",
                label="Replace with",
                help="Text; \\1 or \\g<name> for groups (taken as written, if fixed).",
            ),
            Param(
                "fixed",
                ParamType.BOOL,
                False,
                label="Plain text",
                help="Find and replace the text exactly as written, not as a regular expression.",
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
            *_encoding_params(),
        ),
        checks=(_check_pattern,),
    )
    result_columns = ("replacements",)

    def run(self, path: str, params: Mapping[str, Any], ctx: TaskContext) -> Mapping[str, Any]:
        """Write the copy with replacements, in the file's own encoding."""
        pattern, replacement = _substitution(params)
        whole = params["scope"] == "file"
        name = self.output_name(os.path.basename(path), params) or ""

        def work(encoding: str) -> Mapping[str, Any]:
            count = 0
            encoder = codecs.getincrementalencoder(encoding)()
            with open_text(path, encoding, False) as src, ctx.write_output(name, "wb") as out:
                for piece in text_pieces([src.read()] if whole else src):
                    text, n = pattern.subn(replacement, piece)
                    count += n
                    out.file.write(encoder.encode(text))
                    ctx.check_cancelled()
                out.file.write(encoder.encode("", final=True))
            return {"output": out.path, "replacements": count, "encoding": encoding}

        return with_encoding(path, params, work)


class TextStats(Processor):
    """Count lines, words and characters, as ``wc -l -w -m`` does."""

    name = "text-stats"
    title = "Text: statistics"
    description = (
        "Count the lines, words and characters of each text file as wc -l, -w and -m do (CRLF is two "
        "characters; a last line without a line break is not counted as a line; a byte-order mark is "
        "not counted) and report its encoding."
    )
    params = Params(_encoding_params(), checks=(_check_encoding,))
    result_columns = ("lines", "words", "characters", "encoding")

    def run(self, path: str, params: Mapping[str, Any], ctx: TaskContext) -> Mapping[str, Any]:
        """Stream the file once; words are runs of non-space characters."""
        size = os.path.getsize(path)

        def work(encoding: str) -> Mapping[str, Any]:
            lines = words = characters = 0
            last = "\n"
            with open_text(path, encoding, False) as src:
                for i, piece in enumerate(chunks(src, size, ctx)):
                    if i == 0 and piece.startswith(BOM):
                        piece = piece[1:]
                        if not piece:
                            continue
                    characters += len(piece)
                    lines += piece.count("\n")
                    words += len(WORD.findall(piece))
                    if not last.isspace() and not piece[0].isspace():
                        words -= 1  # one word cut in two by the chunk boundary
                    last = piece[-1]
            return {
                "lines": lines,
                "words": words,
                "characters": characters,
                "encoding": encoding,
                "bytes": size,
            }

        return with_encoding(path, params, work)

"""Conservative text-encoding detection: certain, or an error that says what to give.

In order:

1. A known binary signature (tar, zip, gzip, PNG, PDF, ELF, ...) is refused.
2. A byte-order mark names UTF-8, UTF-16 or UTF-32 (and its byte order,
   which a rewrite keeps).
3. A NUL byte anywhere (without such a mark) means binary data, as grep
   decides; UTF-16 without a mark must be named with ``encoding=``.
4. Valid UTF-8 over the whole file (plain ASCII included) is UTF-8.
5. Otherwise a legacy encoding is guessed by charset-normalizer from the
   non-ASCII part of the file, restricted to the person's ``fallback`` list
   when one is given. Without a list, the guess is taken only when no other
   encoding reads the sample about as cleanly into different text; the
   chosen encoding must still decode the whole file, which the job checks
   as it reads. Anything less is "encoding not certain".
"""

from __future__ import annotations

import codecs
from collections.abc import Sequence
from typing import Any

SAMPLE = 1024 * 1024
_READ = 1024 * 1024
AROUND = 32 * 1024  # bytes around the first non-UTF-8 byte that a mostly-ASCII file is judged by
CHAOS_MARGIN = 0.1  # decodings within this much "chaos" of the cleanest read about as well
MAX_CHAOS = 0.2  # a guess that reads messier than this is no guess
MIN_COHERENCE = 0.05  # a guess must read as some language
COHERENCE_LEAD = 0.1  # and read as one clearly better than any other decoding
_BOMS = (
    # UTF-32 first: its little-endian mark starts with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf_32_le"),
    (codecs.BOM_UTF32_BE, "utf_32_be"),
    (codecs.BOM_UTF8, "utf_8_sig"),
    (codecs.BOM_UTF16_LE, "utf_16_le"),
    (codecs.BOM_UTF16_BE, "utf_16_be"),
)
# Signatures of formats that are never text, at their offsets (as file(1) knows them).
SIGNATURES = (
    (0, b"\x1f\x8b", "gzip"),
    (0, b"BZh", "bzip2"),
    (0, b"\xfd7zXZ\x00", "xz"),
    (0, b"\x28\xb5\x2f\xfd", "zstd"),
    (0, b"PK\x03\x04", "zip"),
    (0, b"7z\xbc\xaf\x27\x1c", "7-zip"),
    (0, b"Rar!\x1a\x07", "rar"),
    (257, b"ustar", "tar"),
    (0, b"\x89PNG\r\n\x1a\n", "PNG"),
    (0, b"\xff\xd8\xff", "JPEG"),
    (0, b"GIF8", "GIF"),
    (0, b"%PDF-", "PDF"),
    (0, b"\x7fELF", "ELF executable"),
    (0, b"SQLite format 3\x00", "SQLite database"),
    (0, b"OggS", "Ogg"),
    (0, b"\x00\x00\x01\x00", "icon"),
    (0, b"wOFF", "WOFF font"),
)


class TextError(ValueError):
    """The file cannot be read as text (binary, or its encoding is not certain)."""


def bom_encoding(head: bytes) -> str | None:
    """The encoding a byte-order mark at the start of ``head`` names, or ``None``."""
    return next((name for bom, name in _BOMS if head.startswith(bom)), None)


def refuse_binary(head: bytes) -> None:
    """Raise ``TextError`` if ``head`` (the first 512 bytes or more) starts like a binary format."""
    for offset, magic, kind in SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            raise TextError(f"binary file ({kind} data), not text")


def detect(path: str, fallback: Sequence[str] = ()) -> str:
    """Return the codec name of ``path``'s text, or raise ``TextError`` saying why it is not certain."""
    with open(path, "rb") as f:
        head = f.read(SAMPLE)
        refuse_binary(head)
        bom = bom_encoding(head)
        if bom is not None:
            return str(codecs.lookup(bom).name)
        bad_at = _first_non_utf8(f, head)
        if bad_at is None:
            return "utf-8"
        # Judged where the text stops being UTF-8: a long ASCII run says nothing of the rest.
        sample = _from_line_before(f, bad_at)
    return _guess(sample, fallback)


def _first_non_utf8(f: object, head: bytes) -> int | None:
    """The offset of the first byte that is not UTF-8 (``None``: all of it is); NUL bytes are binary."""
    decoder = codecs.getincrementaldecoder("utf_8")()
    offset, block = 0, head
    while True:
        if b"\x00" in block:
            raise TextError(
                "binary file (it holds NUL bytes), not text; UTF-16 without a byte-order "
                "mark must be named: -p encoding=utf-16-le"
            )
        more = f.read(_READ)  # type: ignore[attr-defined]
        try:
            decoder.decode(block, final=not more)
        except UnicodeDecodeError as exc:
            return offset + max(0, exc.start)
        if not more:
            return None
        offset += len(block)
        block = more


def _from_line_before(f: object, at: int) -> bytes:
    """Up to ``SAMPLE`` bytes from the line start a little before offset ``at``.

    A line start is a byte every ASCII-based encoding agrees on, so a
    multi-byte encoding is not read from the middle of a character.
    """
    start = max(0, at - AROUND)
    f.seek(start)  # type: ignore[attr-defined]
    block: bytes = f.read(SAMPLE)  # type: ignore[attr-defined]
    if start and b"\n" in block[: at - start]:
        block = block[block.index(b"\n") + 1 :]
    return block


def _guess(sample: bytes, fallback: Sequence[str]) -> str:
    from charset_normalizer import from_bytes

    isolation = [codecs.lookup(name).name.replace("-", "_") for name in fallback] or None
    matches = [m for m in from_bytes(sample, cp_isolation=isolation) if m.chaos <= MAX_CHAOS]
    if not matches:
        wanted = f"none of {', '.join(fallback)} reads it" if fallback else "no encoding reads it cleanly"
        raise TextError(f"encoding not certain ({wanted}): give -p encoding=...")
    best = matches[0]
    if not fallback:
        best = _certain(matches)
    return str(codecs.lookup(best.encoding).name)


def _certain(matches: list[Any]) -> Any:
    """The one decoding that reads clearly best, or ``TextError``.

    Among decodings about as clean as the cleanest, the one that reads most
    like a language wins, but only when it reads as one at all and leads
    every decoding into different text by ``COHERENCE_LEAD``.
    """
    cleanest = min(m.chaos for m in matches)
    clean = sorted((m for m in matches if m.chaos <= cleanest + CHAOS_MARGIN), key=lambda m: -m.coherence)
    best, text = clean[0], str(clean[0])
    rivals = [m for m in clean[1:] if str(m) != text and m.coherence > best.coherence - COHERENCE_LEAD]
    if best.coherence < MIN_COHERENCE or rivals:
        names = ", ".join(m.encoding for m in [best, *rivals][:4])
        raise TextError(
            f"encoding not certain (it could be {names}): give -p encoding=... "
            "or a list of likely ones, e.g. -p fallback=cp1252,gbk"
        )
    return best


def check_fallback(names: str) -> tuple[str, ...]:
    """Split a ``fallback`` list (``"cp1252,gbk"``) and check each name; raise ``LookupError``."""
    found = tuple(n.strip() for n in names.split(",") if n.strip())
    for name in found:
        codecs.lookup(name)
    return found

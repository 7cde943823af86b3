"""Shrink the ICU data library that Qt's Linux wheels ship (30 MB -> 8 MB).

``libicudata.so.NN`` is one symbol, ``icudtNN_dat``: an ICU common-data package
holding every locale's display names, currencies, units, time-zone names,
transliterators, legacy character-set converters and word-break dictionaries.
Qt uses ICU for collation (``QCollator``), case mapping, IDNA and normalisation;
its own CLDR tables serve ``QLocale``, on Unix it decodes only UTF-8/16/32 and
Latin-1 itself, and it breaks text with its own Unicode tables. The items listed
in ``bundle_rules.ICU_DROP`` are therefore never read by Brigade; the rest
(collation of every language, root data, normalisation) stays.

The package is rewritten with ICU's own ``icupkg`` and linked back into a
data-only shared library with the C compiler. Without either tool the library
is left as it is, and the build says so.
"""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from bundle_rules import ICU_DROP, ICU_DROP_LOCALE

ASSEMBLY = """\
    .section .rodata
    .globl {symbol}
    .type {symbol}, @object
    .balign 16
{symbol}:
    .incbin "{blob}"
    .size {symbol}, . - {symbol}
    .section .note.GNU-stack,"",@progbits
"""


def _data_symbol(lib: Path) -> tuple[str, int]:
    """Name and size of the ``icudtNN_dat`` symbol."""
    out = subprocess.run(["readelf", "-Ws", str(lib)], capture_output=True, text=True, check=True).stdout
    pattern = r"\s[0-9a-f]+\s+(\d+|0x[0-9a-f]+)\s+OBJECT\s+GLOBAL\s+\S+\s+\d+\s+(icudt\d+_dat)$"
    match = re.search(pattern, out, re.M)
    if match is None:
        raise ValueError(f"{lib}: no icudtNN_dat symbol")
    return match.group(2), int(match.group(1), 0)


def _extract(lib: Path, size: int) -> bytes:
    """The common-data package: found by its header (magic 0xda27, format "CmnD")."""
    data = lib.read_bytes()
    start = data.find(b"CmnD") - 12
    if start < 0 or data[start + 2 : start + 4] != b"\xda\x27":
        raise ValueError(f"{lib}: no ICU common data header")
    return data[start : start + size]


def _dropped(names: list[str]) -> list[str]:
    return [n for n in names if any(fnmatch.fnmatchcase(n, p) for p in ICU_DROP) or ICU_DROP_LOCALE.match(n)]


def trim_icu(bundle: Path) -> int:
    """Rewrite the bundle's ``libicudata`` without the unused items; return the bytes saved."""
    libs = sorted(bundle.rglob("libicudata.so.*"))
    icupkg, cc = shutil.which("icupkg"), shutil.which("cc") or shutil.which("gcc")
    if not libs:
        return 0
    if icupkg is None or cc is None:
        print("icu_trim: icupkg (package icu-devtools) or a C compiler missing; ICU data left whole")
        return 0
    lib = libs[0]
    symbol, size = _data_symbol(lib)
    prefix = symbol.removesuffix("_dat") + "l"  # little-endian ASCII package, e.g. icudt73l
    before = lib.stat().st_size
    with tempfile.TemporaryDirectory(prefix="brigade-icu-") as tmp:
        work = Path(tmp)
        # icupkg checks that a package's file name matches its item prefix.
        full, small = work / f"{prefix}.dat", work / "small.dat"
        full.write_bytes(_extract(lib, size))
        listing = subprocess.run([icupkg, "-l", str(full)], capture_output=True, text=True, check=True)
        (work / "drop.txt").write_text("\n".join(_dropped(listing.stdout.split())) + "\n")
        # --ignore-deps: the break-iterator root names its dictionaries, and ICU falls back
        # to rule-based breaking without them. --toc_prefix: ICU finds items by this name.
        drop = ["-r", str(work / "drop.txt")]
        subprocess.run(
            [icupkg, "--ignore-deps", "--toc_prefix", prefix, *drop, str(full), str(small)],
            check=True,
            capture_output=True,
        )
        (work / "data.S").write_text(ASSEMBLY.format(symbol=symbol, blob=small))
        out = work / lib.name
        subprocess.run(
            [cc, "-shared", "-nostdlib", f"-Wl,-soname,{lib.name}", "-o", str(out), str(work / "data.S")],
            check=True,
        )
        shutil.copyfile(out, lib)
    return before - lib.stat().st_size

"""``--self-test``: small batches of generated files through the real worker pool.

Used by ``brigade --self-test``, ``brigade-cli --self-test`` and the frozen
app's smoke test; needs no window. Each built-in job runs once on files made
for it, and its results (and output files) are checked.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from core.engine import Engine, EngineConfig
from core.events import Event, TaskFinished
from core.model import BatchSpec, TaskState
from core.output import OutputPolicy

Check = Callable[[str, dict[str, object]], str | None]
Maker = Callable[[str], list[str]]
TEXT = "Größe naïve café: déjà vu\n"


def _make_files(folder: str, count: int = 8) -> list[str]:
    paths = []
    for i in range(count):
        path = os.path.join(folder, f"sample-{i}.txt")
        with open(path, "wb") as f:
            f.write((f"line {i}\n" * (i * 100 + 1)).encode())
        paths.append(path)
    return paths


def _make_cp1252(folder: str) -> list[str]:
    paths = []
    for i in range(4):
        path = os.path.join(folder, f"latin {i}.txt")
        with open(path, "wb") as f:
            f.write((TEXT * (20 + i)).replace("\n", "\r\n").encode("cp1252"))
        paths.append(path)
    return paths


def _make_images(folder: str) -> list[str]:
    from PIL import Image

    paths = []
    for i, (w, h) in enumerate(((320, 200), (200, 320), (64, 48), (500, 500))):
        path = os.path.join(folder, f"image-{i}.png")
        Image.new("RGB", (w, h), (40 * i, 90, 200)).save(path)
        paths.append(path)
    return paths


def _make_gzip(folder: str) -> list[str]:
    paths = []
    for src in _make_files(folder, 4):
        with open(src, "rb") as f, gzip.open(src + ".gz", "wb") as g:
            g.write(f.read())
        paths.append(src + ".gz")
    return paths


def _make_manifest(folder: str) -> list[str]:
    manifest = os.path.join(folder, "SHA256SUMS")
    with open(manifest, "w", encoding="utf-8") as m:
        for path in _make_files(folder, 4):
            m.write(f"{_sha256(path)}  {os.path.basename(path)}\n")
    return [manifest]


def _sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _read(path: object) -> bytes:
    with open(str(path), "rb") as f:
        return f.read()


def _check_checksum(path: str, result: dict[str, object]) -> str | None:
    expected = _sha256(path)
    return None if result.get("digest") == expected else f"digest {result.get('digest')} != {expected}"


def _check_roundtrip_zstd(path: str, result: dict[str, object]) -> str | None:
    import zstandard

    with open(str(result["output"]), "rb") as f:
        restored = zstandard.ZstdDecompressor().stream_reader(f).read()
    return None if restored == _read(path) else "decompressed bytes differ"


def _check_gunzip(path: str, result: dict[str, object]) -> str | None:
    return None if _read(result["output"]) == gzip.decompress(_read(path)) else "bytes differ"


def _check_image_fit(path: str, result: dict[str, object]) -> str | None:
    from PIL import Image

    with Image.open(str(result["output"])) as im:
        ok = max(im.size) <= 100 and im.format == "WEBP"
        return None if ok else f"got {im.format} {im.size}"


def _check_thumbnail(path: str, result: dict[str, object]) -> str | None:
    from PIL import Image

    with Image.open(str(result["output"])) as im:
        return None if max(im.size) <= 32 else f"thumbnail is {im.size}"


def _check_convert(path: str, result: dict[str, object]) -> str | None:
    from PIL import Image

    with Image.open(str(result["output"])) as im, Image.open(path) as src:
        return None if im.format == "JPEG" and im.size == src.size else f"got {im.format} {im.size}"


def _check_transcode(path: str, result: dict[str, object]) -> str | None:
    same = _read(result["output"]).decode("utf-8") == _read(path).decode("cp1252")
    return None if same else f"text differs (read as {result.get('encoding')})"


def _check_line_endings(path: str, result: dict[str, object]) -> str | None:
    same = _read(result["output"]) == _read(path).replace(b"\r\n", b"\n")
    return None if same else "line endings not converted"


def _check_replace(path: str, result: dict[str, object]) -> str | None:
    expected = _read(path).replace(b"line", b"LINE")
    return None if _read(result["output"]) == expected else "replacement differs"


def _check_stats(path: str, result: dict[str, object]) -> str | None:
    lines = _read(path).count(b"\n")
    return None if result.get("lines") == lines else f"lines {result.get('lines')} != {lines}"


def _check_verify(path: str, result: dict[str, object]) -> str | None:
    return None if result.get("ok") == 4 and result.get("changed") == 0 else f"verify says {result}"


def _check_copy(path: str, result: dict[str, object]) -> str | None:
    return None if result.get("exit_code") == 0 and _read(result["output"]) == _read(path) else "copy differs"


def _copy_command() -> dict[str, object]:
    if os.name == "nt":
        return {"command": "cmd /c copy /b {} {o}"}
    return {"command": "cp {} {o}"}


@dataclass(frozen=True)
class Case:
    """One job run on files made for it."""

    job: str
    params: dict[str, object]
    check: Check
    make: Maker = _make_files


CASES: list[Case] = [
    Case("checksum", {}, _check_checksum),
    Case("verify", {}, _check_verify, _make_manifest),
    Case("compress", {"format": "zstd"}, _check_roundtrip_zstd),
    Case("decompress", {}, _check_gunzip, _make_gzip),
    Case("resize", {"width": 100, "height": 100, "format": "webp"}, _check_image_fit, _make_images),
    Case("thumbnail", {"size": 32}, _check_thumbnail, _make_images),
    Case("convert-image", {"format": "jpeg"}, _check_convert, _make_images),
    Case("transcode", {"encoding": "cp1252"}, _check_transcode, _make_cp1252),
    Case("line-endings", {"newline": "lf"}, _check_line_endings, _make_cp1252),
    Case("replace", {"pattern": "line", "replacement": "LINE"}, _check_replace),
    Case("text-stats", {}, _check_stats),
    Case("command", _copy_command(), _check_copy),
]


def run_self_test(out: IO[str] | None = None, workers: int = 2, start_method: str | None = None) -> int:
    """Run every case; print a report; return 0 when all passed, else 1.

    ``start_method``: as ``EngineConfig.start_method`` (``None``: as ``brigade-cli run`` starts workers).
    """
    out = out or sys.stdout
    started = time.monotonic()
    failures = 0
    with (
        tempfile.TemporaryDirectory(prefix="brigade-selftest-") as folder,
        Engine(EngineConfig(workers=workers, start_method=start_method)) as engine,
    ):
        for case in CASES:
            inputs = os.path.join(folder, case.job)
            os.mkdir(inputs)
            paths = case.make(inputs)
            policy = OutputPolicy(folder=os.path.join(folder, "out", case.job), roots=(inputs,))
            problems = _run_case(engine, case, paths, policy)
            failures += bool(problems)
            status = "ok" if not problems else "FAILED: " + "; ".join(problems[:3])
            print(f"{case.job:<14} {len(paths)} files  {status}", file=out)
    verdict = "passed" if not failures else f"{failures} job(s) failed"
    print(f"self-test {verdict} in {time.monotonic() - started:.2f} s", file=out)
    return 0 if not failures else 1


def _run_case(engine: Engine, case: Case, paths: list[str], policy: OutputPolicy) -> list[str]:
    results: dict[int, TaskFinished] = {}

    def collect(events: list[Event]) -> None:
        results.update((e.task_id, e) for e in events if isinstance(e, TaskFinished))

    engine.add_listener(collect)
    try:
        handle = engine.submit(BatchSpec(case.job, case.params, paths, output=policy.to_data()))
        handle.wait(120)
    finally:
        engine.remove_listener(collect)
    return _problems(paths, handle.task_ids, results, case.check)


def _problems(paths: list[str], ids: object, results: dict[int, TaskFinished], check: Check) -> list[str]:
    problems = []
    for path, tid in zip(paths, ids, strict=True):  # type: ignore[call-overload]
        ev = results.get(tid)
        if ev is None or ev.state != TaskState.DONE:
            reason = ev.failure.describe() if ev and ev.failure else "no result"
            problems.append(f"{os.path.basename(path)}: {reason}")
            continue
        try:
            problem = check(path, dict(ev.result or {}))
        except Exception as exc:  # noqa: BLE001 - a broken output is a failed case, not a crash
            problem = f"{type(exc).__name__}: {exc}"
        if problem:
            problems.append(f"{os.path.basename(path)}: {problem}")
    return problems

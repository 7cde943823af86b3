"""A checksum job run under a memory cap, to prove large files are streamed."""

from __future__ import annotations

import os
import resource
from typing import Any

from core.processors.checksum import Checksum

CAP = 256 * 1024**2


class CappedChecksum(Checksum):
    name = "capped-checksum"

    def run(self, path: str, params: Any, ctx: Any) -> Any:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        # The worker's address space cannot hold the 1 GiB input: reading it whole would fail.
        resource.setrlimit(resource.RLIMIT_AS, (CAP + _current_vm(), hard))
        try:
            return super().run(path, params, ctx)
        finally:
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _current_vm() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")

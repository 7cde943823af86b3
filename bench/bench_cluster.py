"""Brigade's Dask engine against batched ``client.map``, on the same files and cluster, in one run.

    python /work/shared/bench/make_corpus.py /tmp/corpus --only small,large
    python bench/bench_cluster.py --small /tmp/corpus/small --large /tmp/corpus/large \\
        [--large-files 200] [--workers 2] [--batch 500] [--rounds 2]

Two corpora (20,000 x 1 KiB; the first 200 of the 4 MiB files), each through two clusters:

- a pre-started cluster: ``dask scheduler`` and ``--workers`` ``dask worker`` processes
  (one thread each) on loopback, started once before any timing, as a real cluster is;
  each contender connects to it (the connection is timed);
- ``local:N``: each contender starts its own LocalCluster (the start is timed), as a
  person pressing Start would see.

Contenders, SHA-256 of every file, results compared:

- raw map, batches: ``client.map(sha256_files, batches of --batch paths)``;
- Brigade: ``DaskEngine``, the checksum job, from construction to BatchFinished.

Each pair runs ``--rounds`` times, alternating who goes first; the best of each is kept.
The load average is printed: the machine may be shared.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def sha256_files(paths: list[str]) -> list[str]:
    return [sha256_file(p) for p in paths]


def list_files(root: str) -> list[str]:
    found = []
    for folder, _, names in os.walk(root):
        found.extend(os.path.join(folder, n) for n in names)
    return sorted(found)


def raw_map(address: str, paths: list[str], batch: int) -> tuple[float, list[str]]:
    from distributed import Client, LocalCluster

    t0 = time.perf_counter()
    cluster = None
    if address.startswith("local:"):
        n = int(address[6:])
        cluster = LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
        )
        client = Client(cluster, set_as_default=False)
    else:
        client = Client(address, set_as_default=False)
    groups = [paths[i : i + batch] for i in range(0, len(paths), batch)]
    digests = [d for part in client.gather(client.map(sha256_files, groups)) for d in part]
    elapsed = time.perf_counter() - t0
    client.close()
    if cluster is not None:
        cluster.close()
    return elapsed, digests


def brigade(address: str, paths: list[str]) -> tuple[float, list[str]]:
    from core.cluster import ClusterConfig, DaskEngine
    from core.events import TaskFinished
    from core.model import BatchSpec

    results: dict[int, str] = {}

    def listen(events):
        for ev in events:
            if isinstance(ev, TaskFinished) and ev.result:
                results[ev.task_id] = ev.result["digest"]

    t0 = time.perf_counter()
    engine = DaskEngine(ClusterConfig(address))
    engine.add_listener(listen)
    engine.start()
    handle = engine.submit(BatchSpec("checksum", {"algorithm": "sha256"}, paths))
    handle.wait()
    elapsed = time.perf_counter() - t0
    engine.shutdown()
    return elapsed, [results.get(t, "") for t in handle.task_ids]


def compare(label: str, address: str, paths: list[str], args: argparse.Namespace) -> None:
    best = {"raw": float("inf"), "brigade": float("inf")}
    # At least four batches per worker, so the raw map uses every worker on a short list too.
    batch = min(args.batch, max(1, len(paths) // (4 * args.workers)))
    expected = None
    for r in range(args.rounds):
        order = ["brigade", "raw"] if r % 2 == 0 else ["raw", "brigade"]
        for who in order:
            if who == "raw":
                elapsed, digests = raw_map(address, paths, batch)
            else:
                elapsed, digests = brigade(address, paths)
            expected = expected or digests
            assert digests == expected, f"{who} disagrees on the digests"
            best[who] = min(best[who], elapsed)
    n = len(paths)
    ratio = best["raw"] / best["brigade"]
    print(
        f"{label:34} Brigade {best['brigade']:7.2f} s ({n / best['brigade']:6.0f} files/s)   "
        f"map of {batch}-file batches {best['raw']:7.2f} s ({n / best['raw']:6.0f} files/s)   "
        f"Brigade {ratio:.2f}x as fast"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", required=True, help="the 'small' corpus (20,000 x 1 KiB)")
    parser.add_argument("--large", required=True, help="the 'large' corpus (4 MiB files)")
    parser.add_argument("--large-files", type=int, default=200, help="how many large files (default: 200)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=500, help="files per task for the batched raw map")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each contender (best kept)")
    args = parser.parse_args()
    import distributed  # noqa: F401 - imported once before any timing, for every contender alike

    from tests.cluster.procs import ProcCluster

    corpora = {
        "20,000 x 1 KiB": list_files(args.small),
        f"{args.large_files} x 4 MiB": list_files(args.large)[: args.large_files],
    }
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {args.workers} workers")
    with tempfile.TemporaryDirectory() as folder:
        cluster = ProcCluster(Path(folder))
        try:
            for _ in range(args.workers):
                cluster.add_worker()
            for name, paths in corpora.items():
                compare(f"{name}, pre-started cluster", cluster.address, paths, args)
                compare(f"{name}, local:{args.workers}", f"local:{args.workers}", paths, args)
        finally:
            cluster.close()
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

"""Brigade on a two-worker LocalCluster against raw ``client.map``, on the same corpus, in one run.

    python /work/shared/bench/make_corpus.py /tmp/corpus --only small
    python bench/bench_cluster.py /tmp/corpus/small [--workers 2] [--batch 500] [--skip-per-file]

Each contender starts its own LocalCluster (worker processes on 127.0.0.1), so
every time includes the cluster start, as a person pressing Start would see:

- raw map, one file per task: ``client.map(sha256_file, paths)``;
- raw map, batches: ``client.map(sha256_files, batches of --batch paths)``;
- Brigade: ``DaskEngine(local:N)``, the checksum job, from construction to BatchFinished.

The load average is printed before and after: the machine may be shared.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time


def sha256_file(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def sha256_files(paths: list[str]) -> list[str]:
    return [sha256_file(p) for p in paths]


def list_files(root: str) -> list[str]:
    found = []
    for folder, _, names in os.walk(root):
        found.extend(os.path.join(folder, n) for n in names)
    return sorted(found)


def new_cluster(workers: int):
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    )
    return cluster, Client(cluster, set_as_default=False)


def raw_map(paths: list[str], workers: int, batch: int | None) -> tuple[float, float, list[str]]:
    t0 = time.perf_counter()
    cluster, client = new_cluster(workers)
    t1 = time.perf_counter()
    if batch:
        groups = [paths[i : i + batch] for i in range(0, len(paths), batch)]
        digests = [d for part in client.gather(client.map(sha256_files, groups)) for d in part]
    else:
        digests = client.gather(client.map(sha256_file, paths))
    t2 = time.perf_counter()
    client.close()
    cluster.close()
    return t2 - t0, t1 - t0, digests


def brigade(paths: list[str], workers: int) -> tuple[float, float, list[str], float]:
    from core.cluster import ClusterConfig, DaskEngine
    from core.events import TaskFinished
    from core.model import BatchSpec

    results: dict[int, str] = {}

    def listen(events):
        for ev in events:
            if isinstance(ev, TaskFinished) and ev.result:
                results[ev.task_id] = ev.result["digest"]

    sizes = [os.path.getsize(p) for p in paths]
    t0 = time.perf_counter()
    engine = DaskEngine(ClusterConfig(f"local:{workers}"))
    engine.add_listener(listen)
    engine.start()
    t1 = time.perf_counter()
    handle = engine.submit(BatchSpec("checksum", {"algorithm": "sha256"}, paths, sizes=sizes))
    handle.wait()
    t2 = time.perf_counter()
    engine.shutdown()
    t3 = time.perf_counter()
    ids = handle.task_ids
    return t2 - t0, t1 - t0, [results.get(t, "") for t in ids], t3 - t2


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("root", help="folder of the corpus (the 'small' one: 20,000 x 1 KiB)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=500, help="files per task for the batched raw map")
    parser.add_argument("--skip-per-file", action="store_true", help="skip the slow one-file-per-task map")
    args = parser.parse_args()
    import distributed  # noqa: F401 - imported once before any timing, for every contender alike

    paths = list_files(args.root)
    print(
        f"{len(paths)} files, {sum(os.path.getsize(p) for p in paths) / 2**20:.1f} MiB; "
        f"{args.workers} workers; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )
    rows = []
    total, start, expected, tail = brigade(paths, args.workers)
    rows.append(("Brigade DaskEngine(local:N)", total, start))
    print(f"  (Brigade shutdown afterwards: {tail:.2f} s)")
    total, start, digests = raw_map(paths, args.workers, args.batch)
    assert digests == expected, "batched map and Brigade disagree"
    rows.append((f"raw client.map, {args.batch} files per task", total, start))
    if not args.skip_per_file:
        total, start, digests = raw_map(paths, args.workers, None)
        assert digests == expected, "per-file map and Brigade disagree"
        rows.append(("raw client.map, 1 file per task", total, start))
    print(f"{'contender':38} {'total s':>8} {'of which cluster start':>24} {'files/s':>9}")
    for name, total, start in rows:
        print(f"{name:38} {total:8.2f} {start:24.2f} {len(paths) / total:9.0f}")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

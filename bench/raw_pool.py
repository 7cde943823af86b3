"""Baseline: the stdlib pool hashing every file, as a script would without Brigade.

python bench/raw_pool.py ROOT CHUNKSIZE
"""

import hashlib
import os
import sys
from multiprocessing import Pool


def sha256(path):
    h = hashlib.sha256()
    buf = bytearray(128 * 1024)
    view = memoryview(buf)
    with open(path, "rb", buffering=0) as f:
        while n := f.readinto(buf):
            h.update(view[:n])
    return path, h.hexdigest()


def files(root):
    for folder, _, names in os.walk(root):
        for name in names:
            yield os.path.join(folder, name)


if __name__ == "__main__":
    root, chunksize = sys.argv[1], int(sys.argv[2])
    with Pool(2) as pool:
        count = sum(1 for _ in pool.imap_unordered(sha256, list(files(root)), chunksize=chunksize))
    print(count)

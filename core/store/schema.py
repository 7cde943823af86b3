"""The history database: opening it safely, its schema, and the migrations between versions.

The schema version lives in ``PRAGMA user_version``; ``MIGRATIONS[n]`` brings a
database from version ``n`` to ``n + 1``. Opening runs the missing steps in one
``BEGIN IMMEDIATE`` transaction, so two processes opening an old file at once
migrate it once. A file from a newer Brigade is refused before anything is
written to it (even the journal mode is left alone), so it is never damaged.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterator

from core.store.errors import StoreError

# "Brig" in ASCII: marks a database as Brigade's, so a foreign SQLite file is refused.
APPLICATION_ID = 0x42726967
BUSY_TIMEOUT = 10.0  # seconds a writer waits for another process's transaction
# Pages of a new database: a batch's input list is one value of a few MB, which larger
# pages write in fewer pieces. An existing database keeps the page size it was made with.
PAGE_SIZE = 16384

_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, even after a prune
    job TEXT NOT NULL,
    params TEXT NOT NULL,                  -- JSON
    options TEXT NOT NULL,                 -- JSON: timeout, retries, poison_after, log_limit
    output TEXT,                           -- JSON output policy, or NULL
    extra TEXT NOT NULL,                   -- JSON
    created REAL NOT NULL,
    finished REAL,
    status TEXT NOT NULL,                  -- running | finished | stopped | interrupted
    total INTEGER NOT NULL,
    first_task INTEGER NOT NULL,           -- task ids are first_task .. first_task + total - 1
    counts TEXT,                           -- JSON {state label: n}, kept when the batch is not running
    elapsed REAL NOT NULL DEFAULT 0,       -- seconds of running, over every run of the batch
    run_started REAL                       -- wall time the current run began
);
CREATE INDEX batches_created ON batches (created);
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    path NOT NULL,                         -- TEXT, or BLOB (os.fsencode) when not valid UTF-8
    size INTEGER,
    mtime REAL,
    state INTEGER NOT NULL DEFAULT 0,      -- core.model.TaskState
    failure TEXT,                          -- JSON core.model.Failure
    attempts INTEGER NOT NULL DEFAULT 0,
    started REAL,
    ended REAL,
    pid INTEGER,
    result TEXT,                           -- JSON
    outputs TEXT,                          -- JSON list of paths
    log_dropped INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tasks_batch_state ON tasks (batch_id, state);
CREATE TABLE log_lines (
    task_id INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    level INTEGER NOT NULL,
    time REAL NOT NULL,
    text NOT NULL,                         -- TEXT, or BLOB like tasks.path
    PRIMARY KEY (task_id, attempt, seq)
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('next_task', 1);
"""

# Version 2: the owner of a running batch (to tell a dead process from a live
# one), resume bookkeeping, and the failure kind as a column for filtering.
_V2 = """
ALTER TABLE batches ADD COLUMN owner_host TEXT;
ALTER TABLE batches ADD COLUMN owner_pid INTEGER;
ALTER TABLE batches ADD COLUMN owner_started REAL;
ALTER TABLE tasks ADD COLUMN attempt_base INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN failure_kind TEXT;
UPDATE tasks SET failure_kind = json_extract(failure, '$.kind') WHERE failure IS NOT NULL;
"""


def _script(sql: str) -> Callable[[sqlite3.Connection], None]:
    def step(conn: sqlite3.Connection) -> None:
        for statement in sql.split(";\n"):
            if statement.strip():
                conn.execute(statement)

    return step


# Version 3: the inputs of a batch whose task rows are written as it goes (see core.store.inputs).
_V3 = """
CREATE TABLE batch_inputs (
    batch_id INTEGER PRIMARY KEY,
    cwd TEXT NOT NULL,                     -- relative paths are relative to this
    paths BLOB NOT NULL                    -- zlib of the NUL-separated input paths (os.fsencode)
);
"""

# Version 4: the queue-time size and mtime of those inputs, so a task left queued
# without a row (a stopped or interrupted run) is still checked for changes on resume.
# Each is zlib of little-endian int64 (sizes) or float64 (mtimes), or NULL when not stat-ed.
_V4 = """
ALTER TABLE batch_inputs ADD COLUMN sizes BLOB;
ALTER TABLE batch_inputs ADD COLUMN mtimes BLOB;
"""

# Version 5: the journal of a batch's tasks that have no row yet (core.store.journal):
# one value per commit of the recorder, marshalled records, oldest first by seq.
_V5 = """
CREATE TABLE task_journal (
    seq INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL,
    records BLOB NOT NULL
);
CREATE INDEX task_journal_batch ON task_journal (batch_id, seq);
"""

# Version 6: the input list in pieces, with its format (core.store.inputs); the journal goes.
_V6 = """
CREATE TABLE input_lists (
    batch_id INTEGER NOT NULL,
    start INTEGER NOT NULL,                -- index in the batch of the piece's first path
    format INTEGER NOT NULL,               -- 1
    cwd TEXT NOT NULL,
    paths BLOB NOT NULL,
    sizes BLOB,
    mtimes BLOB,
    PRIMARY KEY (batch_id, start)
) WITHOUT ROWID
"""


def _v6(conn: sqlite3.Connection) -> None:
    """Version 6: one plain form per fact.

    What the journal of version 5 held becomes task rows and the journal is
    dropped; the input list gets a declared format, kept in pieces (``core.store.inputs``).
    """
    from core.store.legacy import fold_journals
    from core.store.writes import count_states

    conn.execute(_V6)
    conn.execute(
        "INSERT INTO input_lists (batch_id, start, format, cwd, paths, sizes, mtimes) "
        "SELECT batch_id, 0, 1, cwd, paths, sizes, mtimes FROM batch_inputs"
    )
    conn.execute("DROP TABLE batch_inputs")
    fold_journals(conn)
    conn.execute("DROP TABLE task_journal")
    # Counts now keep interrupted tasks apart from failed ones.
    for (batch_id,) in conn.execute("SELECT id FROM batches WHERE status != 'running'").fetchall():
        conn.execute(
            "UPDATE batches SET counts = ? WHERE id = ?",
            (json.dumps(count_states(conn, batch_id, marks=False)), batch_id),
        )


def _v7(conn: sqlite3.Connection) -> None:
    """Version 7: queued tasks without a row that were cancelled at once (``core.store.inputs``).

    The mark of a batch goes when its input list does (every row is written, or the batch is deleted).
    """
    conn.execute(
        """CREATE TABLE input_cancels (
            batch_id INTEGER PRIMARY KEY,
            start INTEGER NOT NULL,  -- index in the batch: tasks from it on with no row are cancelled
            time REAL NOT NULL       -- when they were cancelled
        )"""
    )
    conn.execute(
        """CREATE TRIGGER input_cancels_go AFTER DELETE ON input_lists BEGIN
            DELETE FROM input_cancels WHERE batch_id = OLD.batch_id;
        END"""
    )


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _script(_V1),
    _script(_V2),
    _script(_V3),
    _script(_V4),
    _script(_V5),
    _v6,
    _v7,
)
LATEST = len(MIGRATIONS)


def connect(path: str, *, sync: str = "FULL", upto: int = LATEST, create: bool = True) -> sqlite3.Connection:
    """Open (creating or migrating) the history database at ``path``.

    Parameters
    ----------
    path
        The database file; its folder is created if missing (when ``create``).
    sync
        ``PRAGMA synchronous`` of this connection (``FULL``: a committed
        transaction survives a power cut).
    upto
        Migrate only up to this version (tests build old databases with it).
    create
        ``False``: a missing file is an error, and nothing is created.

    Raises
    ------
    StoreError
        With a one-line reason: not a SQLite file, not Brigade's, from a newer
        Brigade, read-only, or unreadable.
    """
    if not create and not os.path.isfile(path):
        raise StoreError(f"no history database at {path}")
    try:
        if create:
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"cannot open the history database {path}: {exc}") from exc
    try:
        _check_and_migrate(conn, path, upto)
        conn.execute(f"PRAGMA synchronous={sync}")
    except BaseException:
        conn.close()
        raise
    return conn


def _check_and_migrate(conn: sqlite3.Connection, path: str, upto: int) -> None:
    try:
        version = _check_version(conn, path)
        _writable(conn, path)
        if version < upto:
            _migrate(conn, upto)
    except sqlite3.DatabaseError as exc:
        raise StoreError(describe(exc, path)) from exc


def _check_version(conn: sqlite3.Connection, path: str) -> int:
    """Read the version before writing anything; refuse newer or foreign files."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > LATEST:
        raise StoreError(
            f"the history database {path} is from a newer Brigade (schema {version}, this one knows "
            f"up to {LATEST}); it was left untouched"
        )
    app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    has_tables = conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is not None
    if app_id != APPLICATION_ID and (has_tables or version):
        raise StoreError(f"{path} is an SQLite database of another program, not Brigade's history")
    if not has_tables:
        conn.execute(f"PRAGMA page_size={PAGE_SIZE}")  # taken when its first page is written
    return version


def _writable(conn: sqlite3.Connection, path: str) -> None:
    """Switch to WAL, which also proves the file (and its folder) can be written."""
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise StoreError(f"the history database {path} is read-only")
    mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise StoreError(f"the history database {path} cannot use write-ahead logging (journal: {mode})")
    conn.execute("BEGIN IMMEDIATE")  # takes the write lock: fails now if the file is read-only
    conn.execute("COMMIT")


def _migrate(conn: sqlite3.Connection, upto: int) -> None:
    with transaction(conn):
        # Read again under the lock: another process may have migrated meanwhile.
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        for step in MIGRATIONS[version:upto]:
            step(conn)
        conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version={max(version, upto)}")


def describe(exc: sqlite3.Error, path: str) -> str:
    """One line for people about ``exc`` met on the history database at ``path``."""
    text = str(exc)
    low = text.lower()
    if "not a database" in low or "malformed" in low:
        return f"{path} is not an SQLite database ({text})"
    if "readonly" in low or "read-only" in low or "attempt to write" in low:
        return f"the history database {path} is read-only"
    if "disk is full" in low or "disk i/o" in low:
        return f"the history database {path} cannot be written: {text}"
    if "locked" in low or "busy" in low:
        return f"the history database {path} is locked by another program ({text})"
    if "unable to open" in low:
        return f"cannot open the history database {path} ({text})"
    return f"the history database {path} cannot be used: {text}"


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: committed when the block ends, rolled back if it raises."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise

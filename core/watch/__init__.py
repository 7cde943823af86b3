"""Watch folders: a job runs on each file as it lands, and nothing is missed or done twice.

A ``WatchRule`` names a folder, the files to take, a job and what becomes of
an input afterwards; a ``WatchService`` runs rules on an engine, each on its
own thread, and keeps their progress in the history database.
"""

from core.watch.events import FileEnded, FilesQueued, RuleState, RuleStatus, WatchEvent, WatchListener
from core.watch.ledger import Ledger, LedgerError
from core.watch.rule import OnDone, RuleError, WatchRule, make_rule
from core.watch.rulefile import load_rules, save_rules
from core.watch.service import WatchService

__all__ = [
    "FileEnded",
    "FilesQueued",
    "Ledger",
    "LedgerError",
    "OnDone",
    "RuleError",
    "RuleState",
    "RuleStatus",
    "WatchEvent",
    "WatchListener",
    "WatchRule",
    "WatchService",
    "load_rules",
    "make_rule",
    "save_rules",
]

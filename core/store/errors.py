"""The one error the store raises to its callers."""

from __future__ import annotations


class StoreError(Exception):
    """The history database cannot be used; the message is one line for people.

    Callers keep running without history when they get it.
    """

"""Rule files: watch rules in TOML or JSON (see ``docs/watch.md`` for the format).

A file holds one rule (its keys at the top level) or several (a ``rule``
array: ``[[rule]]`` tables in TOML, ``{"rule": [...]}`` in JSON). Relative
folders are taken from the rule file's own folder.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from typing import Any

from core.watch.rule import RuleError, WatchRule, make_rule

KEYS = (
    "name",
    "folder",
    "job",
    "params",
    "recursive",
    "include",
    "exclude",
    "output",
    "on_done",
    "done_folder",
    "failed_folder",
    "confirm_delete",
    "settle",
    "rescan",
    "digest",
)


def load_rules(path: str) -> list[WatchRule]:
    """Read and check every rule of the file at ``path``; raise ``RuleError`` with the reason."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as exc:
        raise RuleError(f"cannot read the rule file {path}: {exc.strerror or exc}") from None
    data = _parse(raw, path)
    tables = data.get("rule", [data])
    if not isinstance(tables, list) or not tables:
        raise RuleError(f"{path}: 'rule' must be a list of rules")
    base = os.path.dirname(os.path.abspath(path))
    rules = [_rule(table, base, f"{path}, rule {i + 1}") for i, table in enumerate(tables)]
    names = [r.name for r in rules]
    if len(set(names)) != len(names):
        raise RuleError(f"{path}: two rules have the same name; give each a 'name'")
    return rules


def _parse(raw: bytes, path: str) -> dict[str, Any]:
    try:
        data = json.loads(raw) if path.lower().endswith(".json") else tomllib.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path} is not a valid rule file: {exc}") from None
    if not isinstance(data, dict):
        raise RuleError(f"{path}: expected a table of rule settings")
    return data


def _rule(table: Any, base: str, where: str) -> WatchRule:
    if not isinstance(table, Mapping):
        raise RuleError(f"{where}: expected a table of settings")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise RuleError(f"{where}: unknown setting {unknown[0]!r}; expected some of {', '.join(KEYS)}")
    for key in ("folder", "job"):
        if not isinstance(table.get(key), str) or not table[key]:
            raise RuleError(f"{where}: {key!r} is required")
    options = {k: v for k, v in table.items() if k not in ("folder", "job", "params", "name", "output")}
    for key in ("done_folder", "failed_folder"):
        if options.get(key):
            options[key] = _resolve(options[key], base)
    try:
        return make_rule(
            _resolve(table["folder"], base),
            table["job"],
            table.get("params") or {},
            name=table.get("name"),
            output=table.get("output"),
            **options,
        )
    except RuleError as exc:
        raise RuleError(f"{where}: {exc}") from None
    except TypeError as exc:
        raise RuleError(f"{where}: {exc}") from None


def save_rules(path: str, rules: list[WatchRule]) -> None:
    """Write ``rules`` to the JSON rule file at ``path`` (replaced whole, never left half-written)."""
    from core.atomic import atomic_output

    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with atomic_output(path, "w") as f:
        json.dump({"rule": [rule_data(r) for r in rules]}, f, indent=2)
        f.write("\n")


def rule_data(rule: WatchRule) -> dict[str, Any]:
    """The settings of ``rule`` as a rule file holds them."""
    data = {key: getattr(rule, key) for key in KEYS}
    data["params"] = dict(rule.params)
    data["include"], data["exclude"] = list(rule.include), list(rule.exclude)
    data["output"] = None if rule.output is None else dict(rule.output)
    data["on_done"] = rule.on_done.value
    return {key: value for key, value in data.items() if value is not None}


def _resolve(folder: str, base: str) -> str:
    return os.path.join(base, os.path.expanduser(folder))

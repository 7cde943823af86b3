"""``brigade-cli jobs``: list the jobs and their parameters."""

from __future__ import annotations

# No ``typing`` at run time; the job listing's modules load when it runs.
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse
    from typing import Any

    from core.params import Param
    from core.processor import Processor


def register(sub: Any) -> None:
    """Add the ``jobs`` sub-command."""
    p = sub.add_parser("jobs", help="list jobs and their parameters")
    p.add_argument("--describe", metavar="NAME", help="show one job's parameters in full")
    p.add_argument("--json", action="store_true", help="print as JSON")
    p.set_defaults(handler=run_jobs)


def describe_param(p: Param) -> dict[str, Any]:
    """Plain-data description of a parameter."""
    return {
        "name": p.name,
        "type": p.type.value,
        "default": p.default,
        "label": p.label,
        "help": p.help,
        "allowed": p.allowed(),
        "choices": list(p.choices),
        "minimum": p.minimum,
        "maximum": p.maximum,
    }


def after_a_kill(cls: type[Processor]) -> str:
    """What runs again when a worker running this job is killed (see ``Processor.side_effects``)."""
    if cls.side_effects:
        return "only the task it was running"
    also = "tasks it had finished but not yet reported"
    if cls.writes_outputs:
        return f"only the task it was running when it writes files; else also {also}"
    return f"the task it was running and {also} (it has no side effects)"


def describe_job(cls: type[Processor]) -> dict[str, Any]:
    """Plain-data description of a job (the GUI builds its forms from the same)."""
    return {
        "title": cls.title,
        "description": cls.description,
        "writes_outputs": cls.writes_outputs,
        "side_effects": cls.side_effects,
        "rerun_after_kill": after_a_kill(cls),
        "result_columns": list(cls.result_columns),
        "params": [describe_param(p) for p in cls.params],
    }


def run_jobs(args: argparse.Namespace) -> int:
    """List jobs (or describe one); exit 2 for an unknown name."""
    import json

    from core.cli import UsageError
    from core.registry import all_jobs, load_ref

    rows = []
    for info in all_jobs():
        if args.describe and info.name != args.describe:
            continue
        row: dict[str, Any] = {"name": info.name, "origin": info.origin, "error": info.error}
        if not info.error:
            try:
                cls = load_ref(info.ref)
            except Exception as exc:  # noqa: BLE001 - listed with its error, like a broken plugin
                row["error"] = f"{type(exc).__name__}: {exc}"
            else:
                row.update(describe_job(cls))
        rows.append(row)
    if args.describe and not rows:
        raise UsageError(f"unknown job '{args.describe}'")
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        _print_job(row, full=bool(args.describe))
    return 0


def _print_job(row: dict[str, Any], full: bool) -> None:
    if row["error"]:
        print(f"{row['name']}  ({row['origin']}) FAILED TO LOAD: {row['error']}")
        return
    print(f"{row['name']}  {row['title']} ({row['origin']})")
    if full and row["description"]:
        print(f"    {row['description']}")
    if full:
        writes = (
            "writes files (see the output options of 'run')" if row["writes_outputs"] else "writes no files"
        )
        print(f"    {writes}; result columns: {', '.join(row['result_columns']) or 'none'}")
        print(f"    a worker killed while running it reruns {row['rerun_after_kill']}")
    for p in row["params"]:
        print(f"    -p {p['name']}=…  default {p['default']!r}; {p['allowed']}")
        if full and p["help"]:
            print(f"        {p['help']}")

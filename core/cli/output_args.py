"""Command-line options of the output policy, the collision check, and the dry-run listing."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from core.discovery import display_path
from core.model import BatchSpec
from core.output import (
    COLLISION_RULES,
    DEFAULT_SUBFOLDER,
    OutputError,
    OutputPolicy,
    find_collisions,
    plan_batch,
)

if TYPE_CHECKING:
    from typing import Any

SHOW_COLLISIONS = 20
DEFAULT_TEMPLATE = "{stem}{ext}"
DEFAULT_COLLISION = "skip"


def add_arguments(parser: Any) -> None:
    """Add the output-policy options to ``parser``."""
    g = parser.add_argument_group("outputs (jobs that write files)")
    g.add_argument(
        "--out",
        "-o",
        metavar="DIR",
        default=None,
        help="output folder (default: a subfolder beside each input)",
    )
    g.add_argument(
        "--subfolder",
        default=DEFAULT_SUBFOLDER,
        metavar="NAME",
        help=f"subfolder beside each input, without --out (default {DEFAULT_SUBFOLDER!r}; '' for none)",
    )
    g.add_argument("--flat", action="store_true", help="with --out: do not recreate the input folders")
    g.add_argument(
        "--name",
        default=DEFAULT_TEMPLATE,
        metavar="TEMPLATE",
        help="output name: {stem} {ext} {name} {job} {n} (e.g. {n:04d}) {parent}",
    )
    g.add_argument(
        "--on-collision",
        choices=COLLISION_RULES,
        default=DEFAULT_COLLISION,
        help="when an output exists: skip the task (default), overwrite it, or keep both",
    )
    g.add_argument(
        "--in-place",
        action="store_true",
        help="replace each input (a backup is kept until the new file is in place)",
    )
    g.add_argument(
        "--keep-backup", action="store_true", help="with --in-place: keep the original as NAME.brigade-bak"
    )


def output_from_args(args: argparse.Namespace, writes: bool = True) -> dict[str, Any] | None:
    """Return the output policy (plain data) the options describe, or ``None``.

    ``None`` when ``writes`` is false (the job writes no file with its
    parameters) and every output option is at its default: the policy would
    never be used, and the desktop app sends none either. Options given
    explicitly are still checked.
    """
    from core.cli import UsageError

    if not writes and _defaults(args):
        return None
    roots = tuple(os.path.abspath(p) for p in args.paths if os.path.isdir(p))
    try:
        policy = OutputPolicy(
            folder=args.out,
            subfolder=args.subfolder,
            mirror=not args.flat,
            roots=roots,
            template=args.name,
            collision=args.on_collision,
            in_place=args.in_place,
            keep_backup=args.keep_backup,
        )
    except OutputError as exc:
        raise UsageError(str(exc)) from None
    if args.keep_backup and not args.in_place:
        raise UsageError("--keep-backup goes with --in-place")
    if args.in_place and args.out:
        raise UsageError("--in-place and --out exclude each other")
    return policy.to_data()


def _defaults(args: argparse.Namespace) -> bool:
    """Whether every output option is at its default."""
    return (
        args.out is None
        and args.subfolder == DEFAULT_SUBFOLDER
        and not args.flat
        and args.name == DEFAULT_TEMPLATE
        and args.on_collision == DEFAULT_COLLISION
        and not args.in_place
        and not args.keep_backup
    )


def check_outputs(spec: BatchSpec) -> None:
    """Refuse (exit 2) a batch in which two tasks would write one path or overwrite an input."""
    from core.cli import UsageError

    if spec.output is None:
        return  # the job writes no file (see ``output_from_args``)
    try:
        collisions = find_collisions(spec)
    except OutputError as exc:
        raise UsageError(str(exc)) from None
    if not collisions:
        return
    lines = [display_path(c.describe()) for c in collisions[:SHOW_COLLISIONS]]
    if len(collisions) > SHOW_COLLISIONS:
        lines.append(f"... and {len(collisions) - SHOW_COLLISIONS} more")
    raise UsageError(
        f"{len(collisions)} output collision(s); nothing was run. Use --name with {{n}} or {{parent}}, "
        "a mirrored --out, or --dry-run to see every planned output:\n  " + "\n  ".join(lines)
    )


def print_dry_run(spec: BatchSpec) -> int:
    """List every task with its planned output, touching no file; return the exit code.

    Exit code 2 when outputs collide (the real run would refuse), else 0.
    """
    from core.cli import UsageError

    try:
        plan = plan_batch(spec)
    except OutputError as exc:
        raise UsageError(str(exc)) from None
    counts: dict[str, int] = {}
    for t in plan.tasks:
        counts[t.action] = counts.get(t.action, 0) + 1
        src = display_path(t.input)
        if t.target is None:
            print(f"run     {src}")
        elif t.action == "keep":
            print(f"keep    {src} -> {display_path(t.final or '')} (exists: {display_path(t.target)})")
        else:
            print(f"{t.action:<7} {src} -> {display_path(t.target)}")
    for c in plan.collisions:
        print(f"COLLISION {display_path(c.describe())}")
    summary = ", ".join(f"{n} {action}" for action, n in sorted(counts.items()))
    print(
        f"{len(plan.tasks)} tasks ({summary}); {len(plan.collisions)} collisions; nothing was run",
        file=sys.stderr,
    )
    return 2 if plan.collisions else 0

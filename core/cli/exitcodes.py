"""Exit codes of ``brigade-cli``: one place, so ``--help``, the README and the code agree."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """What a ``brigade-cli`` command's exit status means."""

    OK = 0  # every task done, or nothing to do
    FAILED = 1  # a task failed, was cancelled or skipped, or an input could not be used
    USAGE = 2  # a bad command line or input: nothing ran and nothing was recorded
    ENGINE_ERROR = 3  # the run ended on an unexpected error; unfinished tasks are resumable
    HISTORY_INCOMPLETE = 4  # tasks ran, but history could not be written completely
    CLUSTER_LOST = 5  # no cluster worker could run the tasks, or the scheduler was lost; resumable
    INTERRUPTED = 130  # ended by Ctrl-C; unfinished tasks are resumable


EXIT_CODES_HELP = """\
exit codes:
  0    every task done (or nothing to do)
  1    a task failed, was cancelled or skipped, or an input could not be used
       (the summary on stderr counts each, with the reasons of the skipped ones)
  2    a bad command line or input: nothing ran and nothing was recorded
  3    the run ended on an unexpected error: one line on stderr, the traceback in
       the log file it names; unfinished tasks are resumable ('brigade-cli resume')
  4    tasks ran, but history could not be written completely
  5    no cluster worker could run the tasks, or the scheduler was lost; resumable
  130  ended by Ctrl-C; unfinished tasks are resumable
"""

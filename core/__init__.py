"""Brigade's engine: discovery, processors, the worker pool and the CLI.

Nothing in this package imports Qt; the desktop app in ``gui_app`` subscribes to it.
"""

__version__ = "0.1.0"

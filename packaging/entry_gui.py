"""PyInstaller entry of the windowed ``brigade`` executable."""

import multiprocessing
import sys

if __name__ == "__main__":
    # Before any other import: a worker process re-executes this frozen
    # executable, and freeze_support() turns that run into the worker
    # (and exits) instead of starting a second app that would spawn again.
    multiprocessing.freeze_support()
    from gui_app.main import main

    sys.exit(main())

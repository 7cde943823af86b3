"""PyInstaller entry of the console ``brigade-cli`` executable."""

import multiprocessing

if __name__ == "__main__":
    # Before any other import: a worker process re-executes this frozen
    # executable, and freeze_support() turns that run into the worker
    # (and exits) instead of starting a second CLI that would spawn again.
    multiprocessing.freeze_support()
    from core.cli import console_main

    console_main()

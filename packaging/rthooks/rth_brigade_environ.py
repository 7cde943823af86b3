# Runtime hook of the frozen app (Linux): give child processes the user's library path back.
#
# PyInstaller's bootloader points LD_LIBRARY_PATH at the bundle's _internal folder and
# restarts itself so the dynamic loader finds the bundled libraries. This process keeps
# the path it started with (the loader read it at start-up); what is changed here is only
# what processes started from the app inherit: a command job's programs must load the
# system's libraries, not the bundle's (an older libstdc++ or libssl would break them).
# The app's own helpers re-execute the bootloader, which sets the path again.
import os

_original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
if _original is None:
    os.environ.pop("LD_LIBRARY_PATH", None)
else:
    os.environ["LD_LIBRARY_PATH"] = _original
del _original

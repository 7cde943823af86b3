# Replaces PyInstaller's stock hook of this module: the same files, trimmed (see bundle_rules.py).
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from bundle_rules import trimmed_qt_dependencies

hiddenimports, binaries, datas = trimmed_qt_dependencies(__file__)

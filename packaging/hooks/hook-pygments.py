# Replaces PyInstaller's stock hook, which bundles every lexer, formatter and style of
# Pygments. Only superqt's code highlighter imports Pygments (on import of superqt.utils),
# and Brigade never highlights code: the modules it imports are found by the analysis.
hiddenimports = []

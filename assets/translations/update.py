"""Refresh the translation files from the source, then compile them.

Run ``python assets/translations/update.py`` after changing user-visible
strings: ``pyside6-lupdate`` collects every ``tr()`` / ``translate()`` /
``QT_TRANSLATE_NOOP`` string of ``gui_app/*.py`` into ``brigade_<lang>.ts``
(keeping the translations already there), and ``pyside6-lrelease`` compiles
each ``.ts`` into the ``.qm`` the app loads. Translate new strings with Qt
Linguist (``pyside6-linguist brigade_zh_CN.ts``) and run this again.

The jobs' own strings (titles, descriptions, parameter labels, help and
allowed values, and the templates of the messages that refuse a parameter)
live in ``core/``, which knows no Qt: they are put in the ``jobs`` context by
their English text, and the window translates them with
``gui_app.i18n.job_tr``. A string no built-in job uses any more is dropped.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
LANGUAGES = ("zh_CN",)
JOBS_CONTEXT = "jobs"
# Where core's refusals are written, and the calls whose first argument is a translatable template.
MESSAGE_SOURCES = ("core/params.py", "core/processors/*.py")
MESSAGE_CALLS = ("Message", "ParamError")


def job_strings() -> list[str]:
    """Every user-visible string of the built-in jobs, in a stable order, without repeats."""
    sys.path.insert(0, str(ROOT))
    from core.registry import all_jobs, processor_class

    seen: dict[str, None] = {}
    for info in all_jobs():
        if info.origin != "built-in":
            continue
        cls = processor_class(info.name)
        texts = [cls.title, cls.description]
        for p in cls.params:
            texts += [p.label, p.help, p.allowed(), *p.choices]
        seen.update((t, None) for t in texts if t)
    seen.update((t, None) for t in message_templates())
    return list(seen)


def message_templates(root: Path = ROOT) -> list[str]:
    """The literal templates given to ``Message`` and ``ParamError`` in ``core/``, in source order.

    As ``xgettext`` does: only a literal is collected (adjacent literals are one);
    a template built at run time could not be looked up, and a test says none is.
    """
    found: list[str] = []
    for pattern in MESSAGE_SOURCES:
        for path in sorted(root.glob(pattern)):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in MESSAGE_CALLS
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    found.append(node.args[0].value)
    return found


def _jobs_block(text: str) -> re.Match[str] | None:
    return re.search(rf"<context>\n    <name>{JOBS_CONTEXT}</name>\n.*?</context>\n", text, re.S)


def jobs_translations(ts: Path) -> dict[str, str]:
    """The finished translations of the ``jobs`` context (read before lupdate drops it)."""
    block = _jobs_block(ts.read_text(encoding="utf-8"))
    done: dict[str, str] = {}
    if block is not None:
        for m in ET.fromstring(block.group(0)).iter("message"):
            t = m.find("translation")
            if t is not None and t.get("type") != "unfinished" and t.text:
                done[m.findtext("source") or ""] = t.text
    return done


def merge_jobs_context(ts: Path, strings: list[str], done: dict[str, str]) -> None:
    """Write the ``jobs`` context with ``strings`` and the translations ``done`` already.

    Written as lupdate writes its contexts, so the file diffs only where strings changed.
    """
    text = ts.read_text(encoding="utf-8")
    block = _jobs_block(text)
    if block is not None:
        text = text[: block.start()] + text[block.end() :]
    lines = ["<context>", f"    <name>{JOBS_CONTEXT}</name>"]
    for source in strings:
        translated = done.get(source)
        lines += ["    <message>", f"        <source>{escape(source)}</source>"]
        if translated:
            lines.append(f"        <translation>{escape(translated)}</translation>")
        else:
            lines.append('        <translation type="unfinished"></translation>')
        lines.append("    </message>")
    lines.append("</context>\n")
    end = text.rindex("</TS>")
    ts.write_text(text[:end] + "\n".join(lines) + text[end:], encoding="utf-8")


def finished_translations(ts: Path) -> dict[tuple[str, str], str]:
    """Every finished translation of ``ts``, by (context, source)."""
    done: dict[tuple[str, str], str] = {}
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for m in context.iter("message"):
            t = m.find("translation")
            if t is not None and t.get("type") != "unfinished" and t.text:
                done[(name, m.findtext("source") or "")] = t.text
    return done


def hidden_strings(paths: list[Path]) -> list[tuple[str, str]]:
    """(context, source) of ``tr()`` and ``translate()`` calls inside f-strings: lupdate does not see them."""
    found: dict[tuple[str, str], None] = {}
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            for fstring in (n for n in ast.walk(cls) if isinstance(n, ast.JoinedStr)):
                for call in (n for n in ast.walk(fstring) if isinstance(n, ast.Call)):
                    texts = [
                        a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
                    ]
                    name = getattr(call.func, "attr", "")
                    if name == "tr" and texts:
                        found[(cls.name, texts[0])] = None
                    elif name == "translate" and len(texts) >= 2:
                        found[(texts[0], texts[1])] = None
    return list(found)


def add_hidden_strings(ts: Path, hidden: list[tuple[str, str]], done: dict[tuple[str, str], str]) -> None:
    """Put the strings lupdate missed into their contexts, with the translations they had."""
    text = ts.read_text(encoding="utf-8")
    for context, source in hidden:
        translated = done.get((context, source))
        entry = (
            f"    <message>\n        <source>{escape(source)}</source>\n"
            + (
                f"        <translation>{escape(translated)}</translation>\n"
                if translated
                else '        <translation type="unfinished"></translation>\n'
            )
            + "    </message>\n"
        )
        block = re.search(rf"<context>\n    <name>{re.escape(context)}</name>\n.*?</context>\n", text, re.S)
        if block is None:
            end = text.rindex("</TS>")
            text = (
                f"{text[:end]}<context>\n    <name>{escape(context)}</name>\n{entry}</context>\n{text[end:]}"
            )
        elif f"<source>{escape(source)}</source>" not in block.group(0):
            end = block.end() - len("</context>\n")
            text = text[:end] + entry + text[end:]
    ts.write_text(text, encoding="utf-8")


def tool(name: str) -> str:
    """Find a PySide6 tool beside the interpreter, on PATH, or in the PySide6 package."""
    exe = Path(sys.executable).parent / name
    if exe.exists():
        return str(exe)
    found = shutil.which(name)
    if found:
        return found
    import PySide6

    bare = name.removeprefix("pyside6-")
    for candidate in (
        Path(PySide6.__file__).parent / bare,
        Path(PySide6.__file__).parent / "Qt" / "bin" / bare,
    ):
        if candidate.exists():
            return str(candidate)
    raise SystemExit(f"{name} not found; install PySide6-Essentials")


def main() -> int:
    paths = sorted((ROOT / "gui_app").glob("*.py"))
    sources = [str(p.relative_to(ROOT)) for p in paths]
    for lang in LANGUAGES:
        ts = HERE / f"brigade_{lang}.ts"
        ts_arg = str(ts.relative_to(ROOT))
        done = jobs_translations(ts)  # lupdate drops the context: no source file holds it
        before = finished_translations(ts)  # and the strings it cannot see, inside f-strings
        subprocess.run(
            [tool("pyside6-lupdate"), "-no-obsolete", "-locations", "none", *sources, "-ts", ts_arg],
            cwd=ROOT,
            check=True,
        )
        add_hidden_strings(ts, hidden_strings(paths), before)
        merge_jobs_context(ts, job_strings(), done)
        subprocess.run([tool("pyside6-lrelease"), str(ts), "-qm", str(ts.with_suffix(".qm"))], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

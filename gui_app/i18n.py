"""Translations: English (the source strings) and Simplified Chinese.

``install_translator(app, "zh_CN")`` loads ``brigade_zh_CN.qm`` (from
``assets/translations/``) and Qt's own ``qtbase_zh_CN.qm`` (standard buttons
and dialogs); Qt then sends every widget a ``LanguageChange`` event, on which
widgets set their texts again. Call on the GUI thread.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from core.params import ParamError
from gui_app.icons import assets_dirs

LANGUAGES = ("system", "en", "zh_CN")
TRANSLATED = ("zh_CN",)  # languages that have a .qm file; English needs none
_PROPERTY = "_brigade_translators"


def resolve_language(language: str) -> str:
    """Return ``"en"`` or ``"zh_CN"`` for a language setting (``"system"`` follows QLocale)."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {', '.join(LANGUAGES)}")
    if language != "system":
        return language
    locale = QLocale.system()
    # Any Chinese locale written in simplified characters gets zh_CN.
    if (
        locale.language() == QLocale.Language.Chinese
        and locale.script() != QLocale.Script.TraditionalHanScript
    ):
        return "zh_CN"
    return "en"


def translation_dirs() -> list[Path]:
    """Folders searched for ``brigade_<lang>.qm``, most specific first."""
    dirs = [Path(__file__).resolve().parent / "translations"]
    dirs += [d / "translations" for d in assets_dirs()]
    return [d for d in dirs if d.is_dir()]


def find_qm(lang: str) -> Path | None:
    """The compiled translation file of ``lang``, or ``None``."""
    for d in translation_dirs():
        p = d / f"brigade_{lang}.qm"
        if p.is_file():
            return p
    return None


def _load(name: str, dirs: list[str]) -> QTranslator | None:
    for d in dirs:
        tr = QTranslator()
        if tr.load(name, d):
            return tr
    return None


def installed_language(app: QCoreApplication) -> str:
    """The language last installed on ``app`` (``"en"`` if none)."""
    return getattr(app, "_brigade_language", "en")


def install_translator(app: QCoreApplication, language: str) -> None:
    """Translate the app into ``language`` ("system", "en" or "zh_CN"), replacing any earlier one."""
    lang = resolve_language(language)
    for old in getattr(app, _PROPERTY, []):
        app.removeTranslator(old)
    installed: list[QTranslator] = []
    if lang in TRANSLATED:
        qm = find_qm(lang)
        ours = _load(f"brigade_{lang}", [str(qm.parent)]) if qm else None
        qt_dirs = [QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)]
        qt_dirs += [str(d) for d in translation_dirs()]
        theirs = _load(f"qtbase_{lang}", qt_dirs)
        for tr in (theirs, ours):
            if tr is not None and app.installTranslator(tr):
                installed.append(tr)
    # Kept on the app object: a QTranslator must outlive its installation.
    setattr(app, _PROPERTY, installed)
    app._brigade_language = lang if installed or lang == "en" else "en"


def job_tr(text: str) -> str:
    """A job's title, description, label, help or allowed values, in the installed language.

    ``core`` knows no Qt: its strings are English, translated here by their
    English text in the ``jobs`` context (``assets/translations/update.py``
    collects them). A plugin's strings, not in the catalogue, stay as written.
    """
    return QCoreApplication.translate("jobs", text) if text else text


def arg(text: str, *values: object) -> str:
    """Fill Qt-style ``%1``, ``%2``… place markers of a translated string (translators may reorder them)."""
    # Highest number first, so %1 does not eat the start of %10.
    for n in range(len(values), 0, -1):
        text = text.replace(f"%{n}", str(values[n - 1]))
    return text


def error_tr(exc: Exception) -> str:
    """An error's message in the installed language: a ``ParamError`` by its parts, others as written."""
    return exc.message.render(job_tr) if isinstance(exc, ParamError) else str(exc)


def reason_tr(exc: ParamError) -> str:
    """Why a value was refused, without the parameter's name: the message beside its field."""
    if exc.names:
        return exc.reason.render(job_tr)
    # A plugin's plain message names its parameter first ("parameter 'x': ...").
    return job_tr(str(exc)).split(": ", 1)[-1]

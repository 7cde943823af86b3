"""Job setup on its own: filters, the generated form, the output policy, the dry run, collisions."""

from __future__ import annotations

import os
import subprocess
import sys

import psutil
import pytest

from core.model import BatchOptions
from gui_app.job_forms import PreviewDialog
from gui_app.job_setup import JobSetup

pytestmark = [pytest.mark.gui, pytest.mark.timeout(60)]


@pytest.fixture
def setup(qtbot):
    w = JobSetup(BatchOptions)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.shutdown()


def walk(qtbot, setup, paths) -> None:
    with qtbot.waitSignal(setup.discovered, timeout=10_000):
        setup.add_paths([str(p) for p in paths])


def tree(root) -> None:
    for folder in ("a", "b"):
        (root / folder).mkdir(parents=True)
        (root / folder / "same.txt").write_text(folder)
        (root / folder / "note.log").write_text("log")
        (root / folder / ".hidden.txt").write_text("h")


def test_filters_and_summary(qtbot, setup, tmp_path):
    tree(tmp_path)
    walk(qtbot, setup, [tmp_path])
    assert setup.found.count == 4 and "4 files" in setup.summary.text() and "hidden" in setup.summary.text()
    with qtbot.waitSignal(setup.discovered, timeout=10_000):
        setup.include.setText("*.txt")
    assert sorted(os.path.basename(p) for p in setup.found.paths) == ["same.txt", "same.txt"]
    with qtbot.waitSignal(setup.discovered, timeout=10_000):
        setup.hidden.setChecked(True)
    assert setup.found.count == 4
    with qtbot.waitSignal(setup.discovered, timeout=10_000):
        setup.exclude.setText("b")
    assert all("/a/" in p for p in setup.found.paths)


def test_output_form_follows_the_job_and_its_parameters(qtbot, setup):
    assert setup.set_job("checksum")
    assert setup.output.isHidden()  # no manifest: the job writes nothing
    setup.params.fields["manifest"].set_text("sidecar")
    assert not setup.output.isHidden()
    assert setup.set_job("compress")
    assert not setup.output.isHidden()
    assert setup.params.fields["level"].editor is not None


def test_dry_run_lists_planned_outputs_and_start_refuses_a_collision(qtbot, setup, tmp_path):
    tree(tmp_path)
    assert setup.set_job("compress")
    walk(qtbot, setup, [tmp_path / "a" / "same.txt", tmp_path / "b" / "same.txt"])
    out = tmp_path / "out"
    setup.output.folder.setText(str(out))
    dialog = PreviewDialog(setup.build_spec(), setup)
    text = dialog.text.toPlainText()
    assert text.count("same.txt.gz") == 2 and "Collisions" in dialog.summary.text()
    assert not out.exists()  # a dry run touches nothing
    started = []
    setup.startRequested.connect(started.append)
    setup.start()
    assert not started and "would write the same file" in setup.message.text()
    setup.output.folder.setText("")  # beside each input, in a subfolder: no collision
    setup.start()
    assert len(started) == 1 and started[0].output["folder"] is None


def test_a_bad_template_is_refused_next_to_the_form(qtbot, setup, tmp_path):
    tree(tmp_path)
    assert setup.set_job("compress")
    walk(qtbot, setup, [tmp_path / "a" / "same.txt"])
    setup.output.template.setText("{nope}")
    started = []
    setup.startRequested.connect(started.append)
    setup.start()
    assert not started
    assert setup.output.error.isVisibleTo(setup) and "nope" in setup.output.error.text()


def test_smoke_mode_paints_and_leaves_no_process(tmp_path):
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(tmp_path),
        BRIGADE_DB=str(tmp_path / "smoke.sqlite3"),
    )
    proc = subprocess.run(
        [sys.executable, "-m", "gui_app.main", "--smoke"], env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert "first paint after" in proc.stdout
    orphans = []
    for p in psutil.process_iter():
        try:
            if p.environ().get("BRIGADE_DB") == env["BRIGADE_DB"]:
                orphans.append(p.pid)
        except psutil.Error:
            continue
    assert not orphans, f"worker processes outlived the app: {orphans}"

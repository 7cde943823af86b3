"""Settings → Cluster in the desktop app: the dialog's page, and the window running batches on Dask.

The window is pointed at a real ``LocalCluster`` (two worker processes on
127.0.0.1) through its settings, exactly as a person would with the
scheduler address of their cluster.
"""

from __future__ import annotations

import hashlib
import socket

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialogButtonBox

from core.model import TaskState
from gui_app.settings import Settings
from gui_app.settings_dialog import SettingsDialog
from gui_app.tasks_model import COL_RESULT
from tests.cluster.conftest import cluster_pids, start_cluster, stop_cluster
from tests.conftest import leftover_processes
from tests.gui.conftest import make_files, save_artifact, shut
from tests.gui.test_window_run import drop_paths

pytest.importorskip("distributed")

pytestmark = [pytest.mark.cluster, pytest.mark.gui, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def local_cluster():
    cluster = start_cluster()
    try:
        start_dask_pools(cluster)
        yield cluster
    finally:
        stop_cluster(cluster)


def start_dask_pools(cluster) -> None:
    """Start the two thread pools Dask keeps for the life of the process, before any test's thread check.

    ``distributed`` makes them on first use (the offload pool, and the pool
    that runs ``Future`` callbacks) and never stops them; a test that happens
    to use them first would otherwise be blamed for threads it did not leave.
    """
    import threading

    from distributed import Client
    from distributed.utils import _offload_executor

    _offload_executor.submit(int).result(timeout=10)
    called = threading.Event()
    with Client(cluster.scheduler_address, set_as_default=False, timeout=10) as client:
        future = client.submit(int, 1, pure=False)
        future.add_done_callback(lambda _: called.set())
        future.result(timeout=30)
        assert called.wait(10)


@pytest.fixture(autouse=True)
def no_process_left_behind():
    """The suite's check, except for the shared cluster's own worker processes."""
    yield
    alive = [p for p in leftover_processes(timeout=5.0) if p.pid not in cluster_pids()]
    for p in alive:
        p.kill()
    assert not alive, f"processes left behind: {[(p.pid, p.name()) for p in alive]}"


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- the dialog


@pytest.fixture
def ini(tmp_path) -> str:
    return str(tmp_path / "brigade.ini")


def fresh(ini: str) -> Settings:
    return Settings(QSettings(ini, QSettings.Format.IniFormat))


@pytest.fixture
def dialog(qtbot, ini):
    d = SettingsDialog(fresh(ini))
    qtbot.addWidget(d)
    d.resize(620, 560)
    d.show()
    qtbot.waitExposed(d)
    return d


def ok_button(d: SettingsDialog):
    return d.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_the_dialog_has_the_cluster_page_and_saves_it(dialog, qtbot, ini, tmp_path):
    page = dialog.cluster
    assert dialog.tabs.indexOf(page) >= 0 and dialog.tabs.tabText(dialog.tabs.indexOf(page)) == "Cluster"
    dialog.tabs.setCurrentWidget(page)
    assert page.test_button.isVisible() and page.allow_insecure.isVisible()
    assert not page.allow_insecure.isChecked()  # unencrypted to other computers: opt-in only
    qtbot.keyClicks(page.address, "tls://10.0.0.5:8786")
    files = {role: str(tmp_path / f"{role}.pem") for role in ("ca_file", "cert_file", "key_file")}
    for role, path in files.items():
        page.tls[role].setText(path)
    qtbot.mouseClick(page.allow_insecure, Qt.MouseButton.LeftButton)
    page.path_map.setPlainText("D:\\data=/mnt/data\n\n/home/me/share = /srv/share\n")
    assert ok_button(dialog).isEnabled()
    with qtbot.waitSignal(dialog.changed, timeout=2000):
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    s = fresh(ini)
    assert s.cluster_address == "tls://10.0.0.5:8786"
    assert s.cluster_tls == files
    assert s.cluster_allow_insecure is True
    assert s.cluster_path_map == [("D:\\data", "/mnt/data"), ("/home/me/share", "/srv/share")]
    config = s.cluster_config()
    assert config is not None and config.allow_insecure and config.tls.ca_file == files["ca_file"]
    assert config.path_map.to_worker("D:\\data\\a.txt") == "/mnt/data/a.txt"


def test_the_dialog_refuses_a_malformed_cluster_page_and_shows_it(dialog, qtbot, ini):
    page = dialog.cluster
    page.path_map.setPlainText("/only/one/side")
    assert not ok_button(dialog).isEnabled()
    dialog.accept()  # a forced accept writes nothing and shows the page with the problem
    assert dialog.tabs.currentWidget() is page and page.path_map_error.isVisible()
    assert "'='" in page.path_map_error.text()
    assert fresh(ini).cluster_path_map == []
    page.path_map.clear()
    for bad, words in (("local:0", "1 to 256"), ("http://sched:8786", "Unsupported scheme")):
        page.address.setText(bad)
        assert words in page.address_error.text() and not ok_button(dialog).isEnabled()
    page.address.setText("local:3")
    assert ok_button(dialog).isEnabled() and not page.address_error.isVisible()


def test_restore_defaults_leaves_the_cluster_connection(dialog, qtbot, ini):
    dialog.cluster.address.setText("tls://sched:8786")
    dialog.retries.setValue(4)
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults), Qt.MouseButton.LeftButton
    )
    assert dialog.retries.value() == 0
    assert dialog.cluster.address.text() == "tls://sched:8786"


def test_screenshot_of_the_cluster_page(dialog, qtbot):
    dialog.tabs.setCurrentWidget(dialog.cluster)
    dialog.cluster.address.setText("tcp://10.0.0.5:8786")
    dialog.cluster.path_map.setPlainText("D:\\data=/mnt/data")
    with qtbot.waitSignal(dialog.cluster.tested, timeout=10_000) as result:
        dialog.cluster.test_button.click()
    assert result.args[0] is False and "refusing" in dialog.cluster.status.text()
    dialog.cluster.layout().activate()  # the wrapped message's new height, before the grab
    assert dialog.cluster.status.height() > 2 * dialog.cluster.status.fontMetrics().lineSpacing()
    assert save_artifact(dialog, "panels/settings_cluster.png").stat().st_size > 5_000


def test_screenshot_of_a_connection_test_that_found_the_workers(dialog, qtbot, local_cluster):
    page = dialog.cluster
    dialog.tabs.setCurrentWidget(page)
    page.address.setText(local_cluster.scheduler_address)
    with qtbot.waitSignal(page.tested, timeout=30_000) as result:
        page.test_button.click()
    assert result.args[0] is True, page.status.text()
    assert page.workers.isVisible() and page.workers.count() == 2
    assert "2 workers, 2 cores" in page.status.text()
    assert page.workers.item(0).text().split(": ", 1)[1].startswith("1 core,")
    assert save_artifact(dialog, "panels/settings_cluster_connected.png").stat().st_size > 5_000


# ---------------------------------------------------------------- the window on a cluster


def open_cluster_window(qtbot, settings, address: str):
    from gui_app.main_window import MainWindow

    settings.cluster_address = address
    w = MainWindow(settings)
    w.show()
    qtbot.waitExposed(w)
    return w


@pytest.fixture
def cluster_window(qtbot, settings, local_cluster):
    w = open_cluster_window(qtbot, settings, local_cluster.scheduler_address)
    try:
        yield w
    finally:
        shut(qtbot, w)


def test_a_dropped_batch_runs_on_the_cluster(qtbot, cluster_window, local_cluster, tmp_path):
    w = cluster_window
    qtbot.waitUntil(lambda: w.engine_ready, timeout=30_000)
    assert type(w.bridge.engine).__name__ == "DaskEngine"
    assert w.setup.isEnabled() and w.where.isVisible()
    assert local_cluster.scheduler_address in w.where.text()
    files = make_files(tmp_path / "in", 6, b"cluster ")
    with qtbot.waitSignal(w.setup.discovered, timeout=10_000):
        drop_paths(w.setup.drop, [tmp_path / "in"])
    assert w.setup.set_job("checksum")
    qtbot.mouseClick(w.setup.start_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.model.rowCount() == 6, timeout=10_000)
    qtbot.waitUntil(lambda: len(w.model.rows_in_states([TaskState.DONE])) == 6, timeout=60_000)
    for row in range(6):
        with open(w.model.path(row), "rb") as f:
            assert w.model.index(row, COL_RESULT).data() == hashlib.sha256(f.read()).hexdigest()
    assert sorted(w.model.path(r) for r in range(6)) == sorted(str(f) for f in files)
    # The workers are the cluster's processes, not a pool of the window's own.
    assert {w.model.worker(r) for r in range(6)} <= set(cluster_pids())
    batch_id = w.model.batches[0].batch_id
    qtbot.waitUntil(lambda: w.store.batch(batch_id).status != "running", timeout=10_000)
    extra = w.store.batch(batch_id).extra
    assert extra["backend"] == "dask" and extra["scheduler"] == local_cluster.scheduler_address
    assert w.monitor is not None and "Dask cluster" in w.monitor.note.text()


def assert_nothing_runs(qtbot, w, tmp_path) -> None:
    """The job setup is off, and a batch handed to the window directly is refused, not run here."""
    from core.model import BatchOptions, BatchSpec

    assert not w.setup.isEnabled()
    path = make_files(tmp_path / "never", 1)[0]
    assert w.submit(BatchSpec("checksum", {}, [str(path)], BatchOptions())) is False
    qtbot.wait(300)  # a refused batch must stay refused: give a wrongly queued one time to show up
    assert w.model.rowCount() == 0
    assert "Nothing will run" in w.statusBar().currentMessage()
    assert w.store is None or w.store.batches() == []


def test_an_unreachable_cluster_is_reported_and_nothing_runs(qtbot, settings, tmp_path):
    address = f"tcp://127.0.0.1:{closed_port()}"
    w = open_cluster_window(qtbot, settings, address)
    try:
        qtbot.waitUntil(lambda: w.engine_running or w.engine_error is not None, timeout=10_000)
        assert not w.setup.isEnabled()  # connecting: the window waits, it does not freeze
        assert "Connecting" in w.statusBar().currentMessage()
        qtbot.waitUntil(lambda: w.engine_error is not None, timeout=40_000)
        message = w.statusBar().currentMessage()
        assert f"cannot use the Dask cluster at {address}" in message, message
        assert w.where.text() == "Cluster unavailable" and address in w.where.toolTip()
        assert not w.engine_running
        assert_nothing_runs(qtbot, w, tmp_path)
    finally:
        shut(qtbot, w)


def test_a_refused_address_is_reported_then_fixed_in_the_settings(qtbot, settings, local_cluster, tmp_path):
    w = open_cluster_window(qtbot, settings, "tcp://10.255.0.1:8786")  # another computer, no opt-in
    try:
        qtbot.waitUntil(lambda: w.engine_error is not None, timeout=10_000)
        assert "refusing tcp://10.255.0.1:8786" in w.statusBar().currentMessage()
        assert w.bridge is None  # nothing started, and above all not a local pool instead
        assert_nothing_runs(qtbot, w, tmp_path)
        # Fixed in the settings: the window connects without a restart.
        settings.cluster_address = local_cluster.scheduler_address
        w.apply_settings()
        qtbot.waitUntil(lambda: w.engine_ready, timeout=30_000)
        assert w.engine_error is None and w.setup.isEnabled()
        assert w.where.isVisible() and w.where.text().endswith(local_cluster.scheduler_address)
    finally:
        shut(qtbot, w)

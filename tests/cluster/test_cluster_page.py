"""The cluster settings page: stored values, and the connection test against a real cluster."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from gui_app.cluster_page import ClusterPage
from gui_app.settings import Settings

pytestmark = [pytest.mark.cluster, pytest.mark.gui, pytest.mark.timeout(60)]


@pytest.fixture
def settings(tmp_path):
    return Settings(QSettings(str(tmp_path / "brigade.ini"), QSettings.Format.IniFormat))


def test_loads_and_saves_the_settings(qtbot, settings):
    settings.cluster_address = "tls://sched:8786"
    settings.cluster_tls = {"ca_file": "/c/ca.pem"}
    page = ClusterPage(settings)
    qtbot.addWidget(page)
    assert page.address.text() == "tls://sched:8786"
    assert page.tls["ca_file"].text() == "/c/ca.pem"
    page.address.setText("local:3")
    page.tls["key_file"].setText("/c/key.pem")
    page.save()
    assert settings.cluster_address == "local:3"
    assert settings.cluster_tls == {"ca_file": "/c/ca.pem", "key_file": "/c/key.pem"}


def test_connection_test_reports_workers_and_cores(qtbot, settings, local_cluster):
    page = ClusterPage(settings)
    qtbot.addWidget(page)
    page.address.setText(local_cluster.scheduler_address)
    with qtbot.waitSignal(page.tested, timeout=30_000) as signal:
        qtbot.mouseClick(page.test_button, qtbot_button())
    assert signal.args[0] is True
    assert "2 workers, 2 cores" in page.status.text()
    assert page.workers.count() == 2
    assert page.test_button.isEnabled()


def _refusal(qtbot, settings, address: str) -> ClusterPage:
    """The page after a connection test of ``address``, which the security checks refuse."""
    page = ClusterPage(settings)
    qtbot.addWidget(page)
    page.address.setText(address)
    with qtbot.waitSignal(page.tested, timeout=10_000) as signal:
        page.test_button.click()
    assert signal.args[0] is False
    return page


def test_connection_test_explains_a_refusal(qtbot, settings):
    text = _refusal(qtbot, settings, "tcp://10.255.0.1:8786").status.text()
    assert "refusing" in text
    # The desktop speaks of its own settings, not of command-line options.
    assert "Settings → Cluster" in text and "--allow-insecure" not in text


def test_missing_tls_files_are_named_as_on_the_page(qtbot, settings):
    page = _refusal(qtbot, settings, "tls://10.255.0.1:8786")
    assert "CA certificate, Client certificate, Client key" in page.status.text()
    assert "--tls" not in page.status.text()
    page.resize(640, 560)
    page.grab().save("artifacts/cluster_page_tls_refusal.png")


def qtbot_button():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton

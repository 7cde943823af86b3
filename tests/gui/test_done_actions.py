"""When batches end: the sound, and "do nothing / quit / sleep / shut down" after a cancellable countdown.

No test runs a real power command: a recording runner stands in for the
process runner, and the real runner is tried only on harmless programs.
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMainWindow, QMenu

from gui_app import done_actions
from gui_app.countdown_dialog import CountdownDialog
from gui_app.done_actions import DoneActions
from gui_app.notify import Notifier
from gui_app.platform_commands import ProcessRunner, power_command, sound_command
from gui_app.settings import Settings
from tests.gui.conftest import make_files, save_artifact
from tests.gui.test_window_run import drop_and_start, use_slow_job

pytestmark = [pytest.mark.gui, pytest.mark.timeout(60)]


class Recorder:
    """A runner that records the command lines it was given, and may fail them."""

    def __init__(self, fail_with: str = "") -> None:
        self.ran: list[list[str]] = []
        self.fail_with = fail_with

    def __call__(self, argv, failed) -> None:
        self.ran.append(argv)
        if self.fail_with:
            failed(f"{argv[0]}: {self.fail_with}")


@pytest.fixture
def prefs(tmp_path) -> Settings:
    return Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def host(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    return window


def make_done(host, prefs, *, platform="linux", unfinished=0, runner=None):
    reports: list[str] = []
    done = DoneActions(
        prefs,
        host,
        reports.append,
        lambda: unfinished,
        runner=runner or Recorder(),
        seconds=3,
        tick_ms=10,
        platform=platform,
    )
    host.menuBar().addMenu(done.menu(host))
    return done, reports


@pytest.mark.parametrize(
    ("platform", "action", "expected"),
    [
        ("linux", "sleep", ["systemctl", "suspend"]),
        ("linux", "shutdown", ["systemctl", "poweroff"]),
        ("win32", "sleep", ["rundll32.exe", "powrprof.dll,SetSuspendState", "0,1,0"]),
        ("win32", "shutdown", ["shutdown", "/s", "/t", "0"]),
        ("darwin", "sleep", ["pmset", "sleepnow"]),
        ("darwin", "shutdown", ["osascript", "-e", 'tell application "System Events" to shut down']),
        ("sunos5", "shutdown", None),
    ],
)
def test_each_platform_sleeps_and_shuts_down_its_own_way(platform, action, expected):
    assert power_command(action, platform) == expected


def test_an_unknown_power_action_is_refused():
    with pytest.raises(ValueError, match="unknown power action"):
        power_command("reboot", "linux")


def test_the_sound_uses_canberra_then_paplay_then_nothing():
    def which(*have):
        return lambda name: f"/usr/bin/{name}" if name in have else None

    assert sound_command("linux", which("canberra-gtk-play", "paplay"))[:2] == [
        "canberra-gtk-play",
        "--id=complete",
    ]
    assert sound_command("linux", which("paplay"), lambda p: True)[0] == "paplay"
    assert sound_command("linux", which("paplay"), lambda p: False) is None  # no sound theme to play
    assert sound_command("linux", which()) is None
    assert sound_command("win32", which("canberra-gtk-play")) is None  # Windows beeps instead


def test_the_countdown_ends_by_itself_with_cancel_focused(qtbot, host):
    dialog = CountdownDialog("shutdown", seconds=3, parent=host, tick_ms=10)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.accepted, timeout=5_000):
        dialog.open()
        qtbot.waitExposed(dialog)
        assert dialog.focusWidget() is dialog.cancel
        assert dialog.cancel.isDefault() and not dialog.now.isDefault()
        assert dialog.message.text() == "The computer will shut down in 3 seconds."
    assert dialog.remaining == 0 and not dialog.timer.isActive()


def test_escape_cancels_the_countdown_and_it_never_fires(qtbot, host):
    # Slow seconds: the key press surely comes before the first one ends.
    dialog = CountdownDialog("sleep", seconds=2, parent=host, tick_ms=5_000)
    qtbot.addWidget(dialog)
    accepted = []
    dialog.accepted.connect(lambda: accepted.append(True))
    dialog.open()
    qtbot.waitExposed(dialog)
    with qtbot.waitSignal(dialog.rejected, timeout=2_000):
        qtbot.keyClick(dialog.cancel, Qt.Key.Key_Escape)
    assert not dialog.timer.isActive()  # no tick, so no accept, can follow a cancel
    assert accepted == [] and dialog.remaining == 2


def test_the_countdown_speaks_of_what_will_happen(qtbot, host):
    for action, text in (("quit", "Brigade will quit in 1 second."), ("sleep", "sleep in 1 second")):
        dialog = CountdownDialog(action, seconds=1, parent=host)
        qtbot.addWidget(dialog)
        assert text in dialog.message.text()
    dialog = CountdownDialog("shutdown", seconds=60, parent=host)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.now.text() == "Shut down now"
    save_artifact(dialog, "done/countdown_shutdown.png")


def test_the_when_done_menu_shows_and_keeps_the_choice(qtbot, host, prefs):
    done, _ = make_done(host, prefs)
    items = done.choices
    assert list(items) == ["nothing", "quit", "sleep", "shutdown"]
    assert items["nothing"].isChecked() and all(a.isCheckable() for a in items.values())
    items["shutdown"].trigger()
    assert prefs.when_done == "shutdown"
    assert items["shutdown"].isChecked() and not items["nothing"].isChecked()  # one choice at a time
    prefs.when_done = "sleep"  # as the Settings dialog writes it
    done.sync()
    assert items["sleep"].isChecked()


def test_where_the_platform_has_no_command_the_choice_is_greyed_out(qtbot, host, prefs):
    done, reports = make_done(host, prefs, platform="sunos5")
    assert not done.choices["shutdown"].isEnabled() and done.choices["quit"].isEnabled()
    done.perform("shutdown")
    assert reports == ["Shut down: Not available on this computer"]


@pytest.mark.parametrize(
    ("platform", "action", "expected"),
    [("linux", "shutdown", ["systemctl", "poweroff"]), ("win32", "sleep", ["rundll32.exe"])],
)
def test_after_the_countdown_the_chosen_command_runs(qtbot, host, prefs, platform, action, expected):
    runner = Recorder()
    done, reports = make_done(host, prefs, platform=platform, runner=runner)
    prefs.when_done = action
    done.all_finished()
    dialog = done.countdown
    assert dialog is not None and dialog.isVisible()
    with qtbot.waitSignal(dialog.accepted, timeout=5_000):
        pass
    assert runner.ran and runner.ran[0][: len(expected)] == expected
    assert reports == [] and done.countdown is None


def test_a_cancelled_countdown_runs_nothing(qtbot, host, prefs):
    runner = Recorder()
    done, _ = make_done(host, prefs, runner=runner)
    prefs.when_done = "shutdown"
    done.all_finished()
    with qtbot.waitSignal(done.countdown.rejected, timeout=2_000):
        qtbot.mouseClick(done.countdown.cancel, Qt.MouseButton.LeftButton)
    assert runner.ran == [] and done.countdown is None


def test_a_batch_started_during_the_countdown_stops_the_action(qtbot, host, prefs):
    runner = Recorder()
    done, reports = make_done(host, prefs, runner=runner, unfinished=3)
    prefs.when_done = "sleep"
    done.all_finished()
    with qtbot.waitSignal(done.countdown.accepted, timeout=5_000):
        pass
    assert runner.ran == [] and reports == ["A new batch is running: Brigade stays as it is"]


def test_do_nothing_shows_no_countdown(qtbot, host, prefs):
    done, _ = make_done(host, prefs)
    done.all_finished()
    assert done.countdown is None


def test_a_refused_shutdown_is_said_in_the_window(qtbot, host, prefs):
    done, reports = make_done(host, prefs, runner=Recorder(fail_with="Access denied"))
    done.perform("shutdown")
    assert reports == ["The computer could not sleep or shut down: systemctl: Access denied"]


def test_the_process_runner_reports_a_failing_or_missing_program(qtbot):
    runner = ProcessRunner()
    failures: list[str] = []
    script = "import sys; sys.stderr.write('Interactive authentication required.\\n'); sys.exit(1)"
    runner([sys.executable, "-c", script], failures.append)
    qtbot.waitUntil(lambda: len(failures) == 1, timeout=10_000)
    assert failures[0].endswith(": Interactive authentication required.")
    runner(["/nonexistent/brigade-no-such-program"], failures.append)
    qtbot.waitUntil(lambda: len(failures) == 2, timeout=10_000)
    assert failures[1].startswith("/nonexistent/brigade-no-such-program: ")
    runner([sys.executable, "-c", "pass"], failures.append)
    qtbot.waitUntil(lambda: not runner._pending, timeout=10_000)
    assert len(failures) == 2  # success says nothing


def test_the_sound_plays_on_each_notification_only_when_asked(qtbot, host, prefs, monkeypatch):
    monkeypatch.setattr(
        done_actions, "sound_command", lambda platform: ["canberra-gtk-play", "--id=complete"]
    )
    runner = Recorder()
    done, _ = make_done(host, prefs, runner=runner)
    notifier = Notifier(host, chime=done.chime)
    notifier.notify("Batch 1 finished", "2 done")
    assert runner.ran == []  # off by default
    done.sound_action.trigger()
    assert prefs.done_sound
    notifier.notify("Batch 2 finished", "2 done")
    assert runner.ran == [["canberra-gtk-play", "--id=complete"]]


def test_without_a_player_the_sound_says_it_is_unavailable(qtbot, host, prefs, monkeypatch):
    monkeypatch.setattr(done_actions, "sound_command", lambda platform: None)
    done, _ = make_done(host, prefs, platform="linux")
    assert not done.sound_action.isEnabled() and "(unavailable)" in done.sound_action.text()
    assert "canberra-gtk-play" in done.sound_action.statusTip()
    mac, _ = make_done(host, prefs, platform="darwin")  # the system's alert sound
    assert mac.sound_action.isEnabled()


def test_quit_when_done_counts_down_then_closes_safely(qtbot, window, tmp_path):
    menu = window.menuBar().findChild(QMenu, "whenDoneMenu")
    assert menu is not None and menu.title() == "When &done"
    window.done.choices["quit"].trigger()
    assert window.settings.when_done == "quit"
    window.done.seconds, window.done.tick_ms = 2, 10
    shown: list[CountdownDialog | None] = []
    start_countdown = window.done.all_finished
    window.done.all_finished = lambda: (start_countdown(), shown.append(window.done.countdown))
    use_slow_job(window, seconds=0, lines=0)
    with qtbot.waitSignal(window.batchFinished, timeout=30_000):
        drop_and_start(qtbot, window, make_files(tmp_path, 2))
    assert len(shown) == 1 and shown[0] is not None and shown[0].action == "quit"
    qtbot.waitUntil(lambda: window._can_close, timeout=30_000)  # the safe close: engine stopped first
    assert not window.engine_running


def test_the_settings_dialog_offers_every_choice_and_the_sound(qtbot, prefs, monkeypatch):
    from gui_app import settings_dialog

    monkeypatch.setattr(settings_dialog, "sound_available", lambda: True)
    dialog = settings_dialog.SettingsDialog(prefs)
    qtbot.addWidget(dialog)
    box = dialog.when_done
    assert [box.itemData(i) for i in range(box.count())] == ["nothing", "quit", "sleep", "shutdown"]
    box.setCurrentIndex(box.findData("shutdown"))
    dialog.done_sound.setChecked(True)
    dialog.accept()
    assert (prefs.when_done, prefs.done_sound) == ("shutdown", True)


def test_a_refused_shutdown_is_said_in_the_status_bar_of_the_window(qtbot, window):
    window.done.runner = Recorder(fail_with="Interactive authentication required.")
    window.done.perform("shutdown")
    message = window.statusBar().currentMessage()
    assert message.startswith("The computer could not sleep or shut down: ")
    assert message.endswith(": Interactive authentication required.")


def test_the_settings_dialog_greys_out_what_the_platform_cannot_do(qtbot, prefs, monkeypatch):
    from gui_app import settings_dialog

    monkeypatch.setattr(settings_dialog, "choice_available", lambda value: value != "sleep")
    dialog = settings_dialog.SettingsDialog(prefs)
    qtbot.addWidget(dialog)
    items = dialog.when_done.model()
    enabled = {dialog.when_done.itemData(i): items.item(i).isEnabled() for i in range(items.rowCount())}
    assert enabled == {"nothing": True, "quit": True, "sleep": False, "shutdown": True}

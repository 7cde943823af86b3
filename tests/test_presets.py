"""Presets: last parameters per job and named presets in one JSON file, used by the window and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from core.presets import PresetError, PresetStore, _write_json, default_path

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def config(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    return home / ".config"


def test_presets_live_in_the_user_config_folder(config):
    assert default_path() == str(config / "brigade" / "presets.json")


def test_saved_renamed_deleted_and_remembered_presets_survive_a_reload(config):
    store = PresetStore.open()
    store.put("web", "thumbnail", {"size": 256, "format": "webp"})
    store.put("Archive", "compress", {"format": "zstd", "level": 19})
    store.remember("resize", {"width": 800, "height": 600})
    store.rename("web", "Web thumbnails")
    again = PresetStore.open()
    assert again.names() == ["Archive", "Web thumbnails"]
    assert again.names("compress") == ["Archive"]
    assert again.get("Web thumbnails").params == {"size": 256, "format": "webp"}
    assert again.last_params("resize") == {"width": 800, "height": 600}
    again.delete("Archive")
    assert PresetStore.open().names() == ["Web thumbnails"]
    with pytest.raises(PresetError, match="no preset named 'Archive'"):
        again.get("Archive")
    with pytest.raises(PresetError, match="exists already"):
        again.put("x", "checksum", {})
        again.rename("x", "Web thumbnails")


def test_export_and_import_as_json(config, tmp_path):
    store = PresetStore.open()
    store.put("small", "thumbnail", {"size": 64})
    out = tmp_path / "shared.json"
    assert store.export(str(out)) == 1
    assert json.loads(out.read_text())["presets"]["small"] == {"job": "thumbnail", "params": {"size": 64}}
    other = PresetStore.open(str(tmp_path / "other.json"))
    assert other.import_file(str(out)) == ["small"]
    assert PresetStore.open(str(tmp_path / "other.json")).get("small").params == {"size": 64}
    (tmp_path / "bad.json").write_text("[1, 2]")
    with pytest.raises(PresetError, match="not a Brigade presets file"):
        other.import_file(str(tmp_path / "bad.json"))


def test_a_damaged_file_is_refused_and_left_alone(config):
    path = config / "brigade" / "presets.json"
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    with pytest.raises(PresetError, match="cannot be read"):
        PresetStore.open()
    assert path.read_text() == "{not json"


def cli(*args, env):
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        cwd=ROOT,
        env=dict(env, PYTHONPATH=ROOT),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_cli_runs_a_preset_and_lets_p_override_it(config, tmp_path):
    PresetStore.open().put("md5 sums", "checksum", {"algorithm": "md5"})
    (tmp_path / "a.txt").write_bytes(b"abc")
    env = dict(os.environ)
    out = cli("run", "--preset", "md5 sums", "--json", "--no-history", str(tmp_path / "a.txt"), env=env)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["result"]["digest"] == "900150983cd24fb0d6963f7d28e17f72"
    out = cli("run", "--preset", "md5 sums", "-p", "algorithm=sha1", "--json", "--no-history",
              str(tmp_path / "a.txt"), env=env)  # fmt: skip
    assert json.loads(out.stdout)["result"]["digest"] == "a9993e364706816aba3e25717850c26c9cd0d89d"
    out = cli("run", "--preset", "nope", str(tmp_path), env=env)
    assert out.returncode == 2 and "no preset named 'nope'" in out.stderr
    out = cli("run", "--preset", "md5 sums", "--job", "compress", str(tmp_path), env=env)
    assert out.returncode == 2 and "is for the job 'checksum'" in out.stderr


def test_a_write_that_fails_leaves_the_old_file_whole_and_no_temporary_file(tmp_path):
    path = tmp_path / "presets.json"
    _write_json(str(path), {"version": 1})
    with pytest.raises(TypeError):
        _write_json(str(path), {"version": object()})  # fails halfway through the dump
    assert json.loads(path.read_text()) == {"version": 1}
    assert os.listdir(tmp_path) == ["presets.json"]

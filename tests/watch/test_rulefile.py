"""Rule files in TOML and JSON, and the mistakes they are refused for."""

from __future__ import annotations

import json
import os

import pytest

from core.watch import OnDone, RuleError, load_rules, save_rules


def _file(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_toml_file_with_two_rules(tmp_path):
    path = _file(
        tmp_path,
        "rules.toml",
        """
[[rule]]
name = "scans"
folder = "scans"          # relative to this file
job = "compress"
params = { format = "zstd", level = 3 }
include = ["*.pdf"]
on_done = "move"
done_folder = "scans-done"
settle = 5
[rule.output]
subfolder = ""
template = "{stem}{ext}"

[[rule]]
folder = "/srv/photos"
job = "checksum"
recursive = false
digest = true
rescan = 0
""",
    )
    scans, photos = load_rules(path)
    assert scans.name == "scans" and scans.folder == str(tmp_path / "scans")
    assert scans.params["format"] == "zstd" and scans.params["level"] == 3
    assert scans.include == ("*.pdf",) and scans.on_done is OnDone.MOVE
    assert scans.done_folder == str(tmp_path / "scans-done") and scans.settle == 5.0
    assert scans.output is not None and scans.output["subfolder"] == ""
    assert photos.name == "checksum on /srv/photos" and photos.params["algorithm"] == "sha256"
    assert (photos.recursive, photos.digest, photos.rescan, photos.output) == (False, True, 0.0, None)


def test_a_json_file_with_one_rule(tmp_path):
    text = json.dumps({"folder": "in", "job": "thumbnail", "params": {"size": 64}})
    path = _file(tmp_path, "rule.json", text)
    (r,) = load_rules(path)
    assert r.folder == os.path.join(str(tmp_path), "in") and r.params["size"] == 64
    assert r.output is not None and r.output["subfolder"] == "brigade-{job}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('folder = "in"', "'job' is required"),
        ('folder = "in"\njob = "nope"', "unknown job 'nope'"),
        ('folder = "in"\njob = "checksum"\nparams = { algorithm = "crc" }', "algorithm"),
        ('folder = "in"\njob = "checksum"\nspeed = 3', "unknown setting 'speed'"),
        ('folder = "in"\njob = "checksum"\non_done = "delete"', "confirm_delete"),
        ('folder = "in"\njob = "checksum"\non_done = "move"', "needs a done_folder"),
        ('folder = "in"\njob = "checksum"\non_done = "shred"', "on_done 'shred' is not allowed"),
        ('folder = "in"\njob = "checksum"\nsettle = "soon"', "settle must be a number"),
        ('folder = "in"\njob = "compress"\noutput = { in_place = true }', "in-place"),
        ('folder = "in"\njob = "compress"\noutput = { colour = "red" }', "unknown output option"),
        ('[[rule]]\nfolder = "a"\njob = "checksum"\n[[rule]]\nfolder = "a"\njob = "checksum"', "same name"),
        ("folder = ", "not a valid rule file"),
    ],
)
def test_mistakes_are_refused_with_the_reason(tmp_path, text, message):
    with pytest.raises(RuleError, match=message.replace("(", r"\(")):
        load_rules(_file(tmp_path, "rules.toml", text))


def test_a_missing_rule_file_says_so(tmp_path):
    with pytest.raises(RuleError, match="cannot read the rule file"):
        load_rules(str(tmp_path / "none.toml"))


def test_saved_rules_load_back_the_same(tmp_path):
    path = _file(
        tmp_path,
        "rules.toml",
        '[[rule]]\nname = "a"\nfolder = "in"\njob = "compress"\non_done = "move"\ndone_folder = "done"\n'
        'include = ["*.txt"]\nparams = { format = "xz" }\n[rule.output]\nsubfolder = ""\n'
        '[[rule]]\nfolder = "other"\njob = "checksum"\ndigest = true\nsettle = 0.5\n',
    )
    rules = load_rules(path)
    saved = str(tmp_path / "saved" / "watch-rules.json")
    save_rules(saved, rules)
    assert load_rules(saved) == rules

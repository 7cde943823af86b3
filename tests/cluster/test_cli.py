"""``brigade-cli run --cluster ...``: real runs on a loopback cluster, and the refusals."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from core.cli import main
from core.cluster import ClusterConfig, ClusterError, DaskEngine
from tests.cluster.conftest import make_files

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(120)]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_run_on_the_cluster_prints_the_same_digests(local_cluster, tmp_path, capsys):
    paths = make_files(tmp_path / "in", 20)
    code = main(
        ["run", "--job", "checksum", "--json", "--cluster", local_cluster.scheduler_address, str(tmp_path)]
    )
    assert code == 0
    out = capsys.readouterr()
    rows = [json.loads(line) for line in out.out.splitlines()]
    assert sorted(r["path"] for r in rows) == sorted(paths)
    assert all(r["state"] == "done" and len(r["result"]["digest"]) == 64 for r in rows)
    assert "finished: 20 tasks: 20 done" in out.err


def _usage_error(argv, capsys) -> str:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    return capsys.readouterr().err


def test_a_plain_tcp_address_elsewhere_is_refused(tmp_path, capsys):
    err = _usage_error(["run", "-j", "checksum", "--cluster", "tcp://10.255.0.1:8786", str(tmp_path)], capsys)
    assert "refusing tcp://10.255.0.1:8786" in err and "--allow-insecure" in err


def test_cluster_options_need_a_cluster(tmp_path, capsys):
    err = _usage_error(["run", "-j", "checksum", "--path-map", "/a=/b", str(tmp_path)], capsys)
    assert "need --cluster" in err
    err = _usage_error(
        ["run", "-j", "checksum", "--cluster", "local:2", "--path-map", "nope", str(tmp_path)], capsys
    )
    assert "SRC=DST" in err


def test_tls_without_certificates_is_a_usage_error(tmp_path, capsys):
    make_files(tmp_path, 1)
    argv = ["run", "-j", "checksum", "--cluster", "tls://127.0.0.1:9", str(tmp_path)]
    assert "tls:// needs the CA" in _usage_error(argv, capsys)


def test_an_unreachable_scheduler_is_a_clear_error():
    engine = DaskEngine(ClusterConfig("tcp://127.0.0.1:9", connect_timeout=1))
    with pytest.raises(ClusterError, match=r"cannot use the Dask cluster at tcp://127\.0\.0\.1:9"):
        engine.start()
    assert engine.wait_stopped(10)


def test_without_dask_the_option_says_how_to_get_it(tmp_path):
    make_files(tmp_path, 1)
    code = (
        "import sys; sys.modules['distributed'] = None\n"
        "from core.cli import main\n"
        f"sys.exit(main(['run', '-j', 'checksum', '--cluster', 'local:2', {str(tmp_path)!r}]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 2
    assert "the cluster backend needs: pip install 'brigade[cluster]'" in out.stderr

"""Address checks, the insecure opt-in, TLS file checks and path mapping (no cluster needed)."""

from __future__ import annotations

import inspect
import logging

import pytest

from core.backend import Backend, where_ran
from core.cluster import ClusterConfig, ClusterError, PathMap, TlsFiles, check_address, parse_local
from core.cluster.engine import DaskEngine
from core.engine import Engine, EngineConfig

pytestmark = pytest.mark.cluster


def test_non_loopback_tcp_is_refused_without_the_opt_in():
    with pytest.raises(ClusterError, match=r"refusing tcp://10\.1\.2\.3:8786.*--allow-insecure"):
        check_address("tcp://10.1.2.3:8786", TlsFiles(), allow_insecure=False)
    with pytest.raises(ClusterError, match="not encrypted"):
        ClusterConfig("192.168.1.20:8786").checked()


def test_the_opt_in_allows_it_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="brigade.cluster"):
        check_address("tcp://10.1.2.3:8786", TlsFiles(), allow_insecure=True)
    assert "not encrypted" in caplog.text


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:8786", "localhost:8786", "tcp://[::1]:8786", "local:3"])
def test_this_computer_needs_no_opt_in(address):
    ClusterConfig(address).checked()


def test_tls_needs_all_three_readable_files(tmp_path):
    with pytest.raises(ClusterError, match="needs the CA, certificate, key"):
        check_address("tls://cluster.example:8786", TlsFiles(), allow_insecure=False)
    ca = tmp_path / "ca.pem"
    ca.write_text("x")
    with pytest.raises(ClusterError, match="cannot read the TLS key"):
        check_address("tls://h:1", TlsFiles(str(ca), str(ca), str(tmp_path / "nope")), allow_insecure=False)
    check_address("tls://h:1", TlsFiles(str(ca), str(ca), str(ca)), allow_insecure=False)


def test_other_schemes_and_local_counts():
    with pytest.raises(ClusterError, match="unsupported scheme"):
        check_address("ucx://10.0.0.1:1", TlsFiles(), allow_insecure=True)
    assert parse_local("local:4") == 4
    assert parse_local("tls://h:1") is None
    with pytest.raises(ClusterError):
        parse_local("local:zero")


def test_path_map_both_ways():
    pm = PathMap.parse([r"D:\data=/mnt/data", "/home/me/share=/srv/share", "/home/me/share/deep=/fast"])
    assert pm.to_worker(r"D:\Data\photos\a.jpg") == "/mnt/data/photos/a.jpg"
    assert pm.to_worker("/home/me/share/x/y.txt") == "/srv/share/x/y.txt"
    assert pm.to_worker("/home/me/share/deep/z") == "/fast/z"  # the longest prefix wins
    assert pm.to_worker("/home/me/shared/z") == "/home/me/shared/z"  # not a path boundary
    assert pm.to_local("/mnt/data/photos/a.jpg") == r"D:\data\photos\a.jpg"
    assert pm.map_values({"folder": "/home/me/share/out", "n": 1}) == {"folder": "/srv/share/out", "n": 1}
    with pytest.raises(ValueError, match="SRC=DST"):
        PathMap.parse(["/only/one/side"])


def test_a_batch_records_where_it_ran():
    config = ClusterConfig("tcp://127.0.0.1:8786", path_map=PathMap.parse(["/a=/b"]))
    extra = config.describe()
    assert extra == {"backend": "dask", "scheduler": "tcp://127.0.0.1:8786", "path_map": [["/a", "/b"]]}
    assert where_ran(extra) == "Dask cluster at tcp://127.0.0.1:8786"
    assert where_ran({}) == "this computer"


@pytest.mark.parametrize(
    "make", [lambda: Engine(EngineConfig(workers=1)), lambda: DaskEngine(ClusterConfig("local:1"))]
)
def test_both_engines_keep_the_backend_commands_as_declared(make):
    engine = make()
    assert isinstance(engine, Backend)
    for name, member in inspect.getmembers(Backend, inspect.isfunction):
        if name.startswith("_"):
            continue
        wanted = list(inspect.signature(member).parameters)
        assert list(inspect.signature(getattr(engine, name)).parameters) == wanted[1:], name
    assert isinstance(engine.worker_pids, tuple)


def test_dask_warnings_go_to_the_log_not_the_terminal(caplog, recwarn):
    import logging
    import warnings

    from core.cluster.debris import dask_warnings_logged

    with caplog.at_level(logging.INFO, logger="brigade.cluster"), dask_warnings_logged():
        warnings.warn("Port 8787 is already in use.", UserWarning, stacklevel=1)
    assert not recwarn.list
    assert "dask: Port 8787 is already in use." in caplog.text

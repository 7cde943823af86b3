"""A TLS LocalCluster with temporary certificates: the right client works, others are refused."""

from __future__ import annotations

import gc

import pytest

from core.cluster import ClusterConfig, ClusterError, DaskEngine, TlsFiles, probe_cluster
from core.model import BatchSpec, TaskState
from tests.cluster.certs import make_certs
from tests.cluster.conftest import Collector, make_files

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def tls_cluster(tmp_path_factory):
    from distributed import LocalCluster
    from distributed.security import Security

    files = make_certs(tmp_path_factory.mktemp("certs"))
    security = Security(
        tls_ca_file=files["ca_file"],
        tls_scheduler_cert=files["cert_file"],
        tls_scheduler_key=files["key_file"],
        tls_worker_cert=files["cert_file"],
        tls_worker_key=files["key_file"],
        tls_client_cert=files["cert_file"],
        tls_client_key=files["key_file"],
        require_encryption=True,
    )
    cluster = LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=False,
        protocol="tls://",
        host="127.0.0.1",
        security=security,
        dashboard_address="127.0.0.1:0",
    )
    yield cluster, files
    cluster.close()


def test_a_client_with_the_certificates_runs_a_batch(tls_cluster, tmp_path):
    cluster, files = tls_cluster
    assert cluster.scheduler_address.startswith("tls://127.0.0.1:")
    config = ClusterConfig(cluster.scheduler_address, TlsFiles(**files))
    info = probe_cluster(config)
    assert (len(info.workers), info.cores) == (1, 2)
    assert "1 worker, 2 cores" in info.summary()
    paths = make_files(tmp_path, 10)
    collector = Collector()
    with DaskEngine(config) as engine:
        engine.add_listener(collector)
        result = engine.submit(BatchSpec("checksum", {}, paths)).wait(60)
    assert result.counts[TaskState.DONE] == 10


def test_a_client_without_certificates_is_refused(tls_cluster):
    from distributed import Client

    cluster, _ = tls_cluster
    with pytest.raises(Exception) as refused:  # refused by the TLS handshake
        Client(cluster.scheduler_address, timeout=3, set_as_default=False)
    # Distributed leaves that client "connecting" in a cycle: finalize it now, not
    # during a later test's Client start, where its __del__ would deadlock.
    del refused
    gc.collect()
    # Brigade's own check says why before trying.
    with pytest.raises(ClusterError, match="tls:// needs the CA"):
        DaskEngine(ClusterConfig(cluster.scheduler_address))


def test_certificates_from_another_ca_are_refused(tls_cluster, tmp_path):
    cluster, _ = tls_cluster
    strangers = make_certs(tmp_path / "other", tag="stranger")
    with pytest.raises(ClusterError, match="cannot connect"):
        probe_cluster(ClusterConfig(cluster.scheduler_address, TlsFiles(**strangers)), timeout=3)
    engine = DaskEngine(ClusterConfig(cluster.scheduler_address, TlsFiles(**strangers), connect_timeout=3))
    with pytest.raises(ClusterError, match="cannot use the Dask cluster"):
        engine.start()


def test_clients_left_connecting_by_failed_attempts_are_closed_before_a_new_one(tls_cluster):
    from distributed import Client

    from core.cluster.client import close_client, open_client
    from core.cluster.config import security_of

    cluster, files = tls_cluster
    gc.disable()  # collections happen only where the code under test asks for them
    try:
        with pytest.raises(Exception):  # noqa: B017 - the TLS handshake refuses a client without certificates
            Client(cluster.scheduler_address, timeout=3, set_as_default=False)
        assert "connecting" in _client_states()  # left in a cycle, awaiting a collection
        config = ClusterConfig(cluster.scheduler_address, TlsFiles(**files))
        client = open_client(config.address, security_of(config), timeout=10)
        assert "connecting" not in _client_states()  # closed before the new client started
        close_client(client)
    finally:
        gc.enable()


def _client_states() -> list[str]:
    from distributed import Client

    return [o.status for o in gc.get_objects() if isinstance(o, Client)]

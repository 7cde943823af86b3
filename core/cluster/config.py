"""Where a cluster is and how to reach it safely: addresses, TLS files, the insecure opt-in.

Nothing here imports Dask, so the CLI can check its options (and explain how
to install the extra) before the cluster backend is loaded.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.cluster.pathmap import PathMap

log = logging.getLogger("brigade.cluster")

INSTALL_HINT = "the cluster backend needs: pip install 'brigade[cluster]'"
SECURE_SCHEMES = ("tls", "wss")
PLAIN_SCHEMES = ("tcp", "ws")
INSECURE_WARNING = (
    "plain {scheme}:// to {host} is not encrypted or authenticated: anyone who can reach the "
    "scheduler can run code as the workers' user, and file paths, parameters and results "
    "travel readable on the network"
)


class ClusterError(Exception):
    """A cluster option is wrong or unsafe, or the cluster cannot be reached (one line for people)."""


@dataclass(frozen=True, slots=True)
class Wording:
    """How the messages name the settings: the CLI's options, or the desktop's Cluster page."""

    tls_files: str
    insecure: str
    insecure_allowed: str


CLI_WORDING = Wording(
    tls_files="--tls-ca, --tls-cert, --tls-key",
    insecure="or pass --allow-insecure on a network you trust",
    insecure_allowed="allowed by --allow-insecure",
)
SETTINGS_WORDING = Wording(
    tls_files="Settings → Cluster: CA certificate, Client certificate, Client key",
    insecure="or tick 'Allow unencrypted tcp:// to other computers' in Settings → Cluster, "
    "on a network you trust",
    insecure_allowed="allowed in Settings → Cluster",
)


@dataclass(frozen=True, slots=True)
class TlsFiles:
    """PEM files for ``tls://``: the CA that signed the cluster's certificates, ours, our key."""

    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""

    @property
    def given(self) -> bool:
        return bool(self.ca_file or self.cert_file or self.key_file)

    def check(self, wording: Wording = CLI_WORDING) -> None:
        """Raise ``ClusterError`` unless all three files are given and readable."""
        roles = {"CA": self.ca_file, "certificate": self.cert_file, "key": self.key_file}
        missing = [role for role, path in roles.items() if not path]
        if missing:
            needed = ", ".join(missing)
            raise ClusterError(f"tls:// needs the {needed} file(s) ({wording.tls_files})")
        for role, path in roles.items():
            if not os.access(path, os.R_OK):
                raise ClusterError(f"cannot read the TLS {role} file {path!r}")


@dataclass(frozen=True, slots=True)
class ClusterConfig:
    """How to run batches on Dask.

    Attributes
    ----------
    address
        A scheduler address (``tls://host:8786``), or ``local:N`` to start a
        ``LocalCluster`` of N worker processes on 127.0.0.1.
    tls
        Certificate files for ``tls://``.
    allow_insecure
        Accept plain ``tcp://`` to a host that is not this computer.
    path_map
        Desktop path prefixes and what workers call them.
    connect_timeout
        Seconds to wait for the scheduler (Dask also tries to reconnect this long).
    lost_timeout
        Seconds without the scheduler (reconnect attempts included) after
        which the run ends, its unfinished tasks interrupted (resumable).
    no_worker_timeout
        Seconds with tasks waiting, none running and none finished, after
        which they are interrupted as "no worker" (resumable).
    wording
        How refusals name the settings (CLI options, or the desktop's page).
    """

    address: str
    tls: TlsFiles = field(default_factory=TlsFiles)
    allow_insecure: bool = False
    path_map: PathMap = field(default_factory=PathMap)
    connect_timeout: float = 10.0
    lost_timeout: float = 30.0
    no_worker_timeout: float = 60.0
    wording: Wording = CLI_WORDING

    @property
    def local_workers(self) -> int:
        """N for ``local:N``, else 0."""
        return parse_local(self.address) or 0

    def checked(self) -> ClusterConfig:
        """Return self after the security checks; raise ``ClusterError`` when refused."""
        check_address(self.address, self.tls, allow_insecure=self.allow_insecure, wording=self.wording)
        return self

    def describe(self) -> dict[str, Any]:
        """Plain data stored with a batch: where it ran."""
        out: dict[str, Any] = {"backend": "dask", "scheduler": self.address}
        if self.path_map:
            out["path_map"] = self.path_map.as_pairs()
        return out


def parse_local(address: str) -> int | None:
    """Return N for ``local:N`` (``local`` alone: 2), ``None`` for other addresses."""
    if address == "local":
        return 2
    if not address.startswith("local:"):
        return None
    try:
        n = int(address[6:])
    except ValueError:
        raise ClusterError(f"local:N needs a number of workers, not {address[6:]!r}") from None
    if not 1 <= n <= 256:
        raise ClusterError("local:N takes 1 to 256 workers")
    return n


def split_address(address: str) -> tuple[str, str, int | None]:
    """Return (scheme, host, port) of a Dask address; no scheme means ``tcp``."""
    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "tcp", address
    scheme = scheme.lower()
    if rest.startswith("["):  # [::1]:8786
        host, _, tail = rest[1:].partition("]")
        port_text = tail.lstrip(":")
    else:
        host, _, port_text = rest.rpartition(":") if rest.count(":") == 1 else (rest, "", "")
    if not host:
        raise ClusterError(f"no host in the scheduler address {address!r}")
    try:
        port = int(port_text) if port_text else None
    except ValueError:
        raise ClusterError(f"bad port in the scheduler address {address!r}") from None
    return scheme, host, port


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this computer only (every address it resolves to is loopback)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    addrs = {info[4][0] for info in infos}
    return bool(addrs) and all(ipaddress.ip_address(str(a).split("%")[0]).is_loopback for a in addrs)


def check_address(
    address: str, tls: TlsFiles, *, allow_insecure: bool, wording: Wording = CLI_WORDING
) -> None:
    """Refuse unsafe or malformed cluster addresses (``ClusterError``); warn on an allowed insecure one."""
    if parse_local(address):
        return
    scheme, host, _ = split_address(address)
    if scheme in SECURE_SCHEMES:
        tls.check(wording)
        return
    if scheme not in PLAIN_SCHEMES:
        raise ClusterError(f"unsupported scheme {scheme}:// (use tls://, or tcp:// on this computer)")
    if is_loopback(host):
        if tls.given:
            raise ClusterError(f"TLS files were given but the address is {scheme}://; use tls://{host}...")
        return
    warning = INSECURE_WARNING.format(scheme=scheme, host=host)
    if not allow_insecure:
        raise ClusterError(
            f"refusing {address}: {warning}. Use tls:// with certificates (docs/cluster.md), "
            f"{wording.insecure}"
        )
    log.warning("%s (%s)", warning, wording.insecure_allowed)


def security_of(config: ClusterConfig) -> Any:
    """Return ``distributed.Security`` for ``config`` (``None`` without TLS files)."""
    if not config.tls.given:
        return None
    from distributed.security import Security

    return Security(
        tls_ca_file=config.tls.ca_file,
        tls_client_cert=config.tls.cert_file,
        tls_client_key=config.tls.key_file,
        require_encryption=True,
    )


def config_from_settings(address: str, tls: Mapping[str, str], **kw: Any) -> ClusterConfig:
    """Build a config from the desktop app's settings (``ca_file``, ``cert_file``, ``key_file``)."""
    files = TlsFiles(tls.get("ca_file", ""), tls.get("cert_file", ""), tls.get("key_file", ""))
    return ClusterConfig(address.strip(), files, wording=SETTINGS_WORDING, **kw)

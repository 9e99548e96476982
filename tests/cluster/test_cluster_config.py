"""The generated Kamailio configuration: Kamailio itself accepts it; bad addresses are refused."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from huifang.cluster.kamailio import ClusterError, ProxyConfig, dispatcher_list, kamailio_cfg
from huifang.cluster.local import LocalCluster
from huifang.settings import Settings, sip_config
from ivr.config import proxy_route

NODES = ("127.0.0.1:5071", "127.0.0.1:5072")


def _kamailio_check(config: ProxyConfig, folder: Path) -> str:
    """Kamailio's own check of the generated cfg; returns the cfg."""
    (folder / "d.list").write_text(dispatcher_list(config))
    text = kamailio_cfg(config, folder / "d.list")
    (folder / "k.cfg").write_text(text)
    check = subprocess.run(["kamailio", "-c", "-f", str(folder / "k.cfg")],
                           capture_output=True, text=True, timeout=30, check=False)
    assert check.returncode == 0, check.stderr
    return text


@pytest.mark.skipif(shutil.which("kamailio") is None, reason="needs kamailio")
def test_kamailio_accepts_the_generated_configuration(tmp_path: Path) -> None:
    config = ProxyConfig("127.0.0.1:5060", NODES)
    text = _kamailio_check(config, tmp_path)
    assert dispatcher_list(config) == "1 sip:127.0.0.1:5071\n1 sip:127.0.0.1:5072\n"
    # No trunk: the nodes' calls follow their Request-URI; only the nodes' addresses place.
    assert ('if (($si == "127.0.0.1" && $sp == 5071) || ($si == "127.0.0.1" && $sp == 5072)) {'
            in text and '"No Trunk"' in text)


@pytest.mark.skipif(shutil.which("kamailio") is None, reason="needs kamailio")
def test_kamailio_accepts_a_trunk_and_caller_ports(tmp_path: Path) -> None:
    config = ProxyConfig("127.0.0.1:5060", NODES, trunk="127.0.0.1:5090",
                         callers=("127.0.0.1:5071-5072", "127.0.0.1:5100", "10.1.2.3"))
    text = _kamailio_check(config, tmp_path)
    assert '$du = "sip:127.0.0.1:5090";' in text
    assert ('($si == "127.0.0.1" && $sp >= 5071 && $sp <= 5072) || '
            '($si == "127.0.0.1" && $sp == 5100) || ($si == "10.1.2.3")') in text


@pytest.mark.skipif(shutil.which("kamailio") is None, reason="needs kamailio")
def test_the_local_cluster_sends_its_nodes_calls_through_kamailio(tmp_path: Path) -> None:
    cluster = LocalCluster(tmp_path, trunk="127.0.0.1:5090")
    text = _kamailio_check(cluster.proxy(), tmp_path)
    # The serve ports and each node's dial ports place calls; nothing else does.
    assert ('($si == "127.0.0.1" && $sp >= 5071 && $sp <= 5072) || '
            '($si == "127.0.0.1" && $sp >= 5100 && $sp <= 5119)') in text
    serve, dial = cluster.node_settings(1), cluster.node_settings(1, dial=True)
    assert serve["HUIFANG_SIP_OUTBOUND_PROXY"] == "sip:127.0.0.1:5060;lr"
    assert (serve["HUIFANG_SIP_PORT"], dial["HUIFANG_SIP_PORT"]) == ("5072", "5110")
    assert dial["HUIFANG_NODE_NAME"] == "node-2" and dial["HUIFANG_SIP_RTP_PORT"] == "30000"


def test_addresses_that_cannot_work_are_refused() -> None:
    with pytest.raises(ClusterError, match="not host:port"):
        ProxyConfig("127.0.0.1:5060", ("node-b",))
    with pytest.raises(ClusterError, match="at least one node"):
        ProxyConfig("127.0.0.1:5060", ())
    with pytest.raises(ClusterError, match="not host:port"):
        ProxyConfig("127.0.0.1:5060", NODES, trunk="gateway")
    for caller in ("127.0.0.1:51x", "127.0.0.1:5100-5000", 'a"b', ":5100"):
        with pytest.raises(ClusterError, match="not host, host:port or host:first-last"):
            ProxyConfig("127.0.0.1:5060", NODES, callers=(caller,))


def test_the_outbound_proxy_setting_becomes_a_loose_route() -> None:
    assert proxy_route("sip:127.0.0.1:5060") == "sip:127.0.0.1:5060;lr"
    assert proxy_route("sip:kamailio.local;lr") == "sip:kamailio.local;lr"
    settings = Settings(_env_file=None, sip_outbound_proxy="sip:10.0.0.5:5060")
    assert sip_config(settings).outbound_proxy == "sip:10.0.0.5:5060;lr"
    assert sip_config(Settings(_env_file=None)).outbound_proxy == ""
    for bad in ("10.0.0.5:5060", "sip:", "http://x", "sip:;lr"):
        with pytest.raises(ValueError, match="not a sip: URI of a proxy"):
            proxy_route(bad)

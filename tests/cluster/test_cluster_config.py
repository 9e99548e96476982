"""The generated Kamailio configuration: Kamailio itself accepts it; bad addresses are refused."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from huifang.cluster.kamailio import ClusterError, ProxyConfig, dispatcher_list, kamailio_cfg


@pytest.mark.skipif(shutil.which("kamailio") is None, reason="needs kamailio")
def test_kamailio_accepts_the_generated_configuration(tmp_path: Path) -> None:
    config = ProxyConfig("127.0.0.1:5060", ("127.0.0.1:5071", "127.0.0.1:5072"))
    (tmp_path / "d.list").write_text(dispatcher_list(config))
    (tmp_path / "k.cfg").write_text(kamailio_cfg(config, tmp_path / "d.list"))
    check = subprocess.run(["kamailio", "-c", "-f", str(tmp_path / "k.cfg")],
                           capture_output=True, text=True, timeout=30, check=False)
    assert check.returncode == 0, check.stderr
    assert dispatcher_list(config) == "1 sip:127.0.0.1:5071\n1 sip:127.0.0.1:5072\n"


def test_addresses_that_cannot_work_are_refused() -> None:
    with pytest.raises(ClusterError, match="not host:port"):
        ProxyConfig("127.0.0.1:5060", ("node-b",))
    with pytest.raises(ClusterError, match="at least one node"):
        ProxyConfig("127.0.0.1:5060", ())

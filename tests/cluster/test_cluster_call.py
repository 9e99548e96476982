"""`huifang call` through Kamailio: a node's call goes out by the proxy (no trunk set, so to the
Request-URI's address) and the keypad customer confirms all seven items. (That the dialogue's
in-dialog requests follow the Record-Route is the campaign test's trunk log.)"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "calls"))
sys.path.insert(0, str(HERE.parent / "campaign"))
from callback_testkit import CustomerPeer, call_env, policy_file, run_call  # noqa: E402
from cluster_campaign_testkit import kamailio  # noqa: E402
from free_ports import free_port  # noqa: E402

from huifang.cluster.kamailio import ProxyConfig  # noqa: E402

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("kamailio") is None, reason="needs kamailio")]

KEYPAD_TURNS = ("end:key:1", "start+1:key:4021", *["start+1:key:1"] * 6)


def test_a_nodes_call_goes_out_through_kamailio_to_the_request_uri(tmp_path: Path) -> None:
    node_port = free_port()
    config = ProxyConfig(f"127.0.0.1:{free_port()}", (f"127.0.0.1:{free_port()}",),
                         callers=(f"127.0.0.1:{node_port}",))
    peer = CustomerPeer(*KEYPAD_TURNS)
    try:
        with kamailio(tmp_path, config) as log:
            run = run_call([peer.uri, "--policy-json", str(policy_file(tmp_path))],
                           call_env(tmp_path / "rec", HUIFANG_SIP_PORT=str(node_port),
                                    HUIFANG_SIP_OUTBOUND_PROXY=f"sip:{config.listen}"),
                           timeout=90)
            proxied = log.read_text(errors="replace")
    finally:
        peer.kill()
    assert run.status == 0, run.stderr
    assert run.outcome is not None
    assert run.outcome["dialogue"]["outcome"] == "all_confirmed"
    assert run.outcome["call"]["outcome"] == "completed"
    # Kamailio took the INVITE as a node's call and sent it to the customer's address.
    assert "from a node to 127.0.0.1" in proxied, proxied[-3000:]
